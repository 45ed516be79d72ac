// SQL for the SMS outbox table.
import type { Queryable } from '../db/database.js';

export type NewSms = {
  idempotencyKey: string;
  to: string;
  template: string;
  body: string;
  accountId: string | null;
  createdAt: Date;
};

/** Inserts a message; returns its id, or null when the same idempotency key exists. */
export async function insertSms(db: Queryable, m: NewSms): Promise<string | null> {
  const row = await db
    .insertInto('sms_messages')
    .values({
      idempotency_key: m.idempotencyKey,
      to_mobile: m.to,
      template: m.template,
      body: m.body,
      account_id: m.accountId,
      created_at: m.createdAt,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export function findSms(db: Queryable, id: string) {
  return db.selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markSmsSent(db: Queryable, id: string, provider: string, providerMessageId: string | null, at: Date) {
  await db
    .updateTable('sms_messages')
    .set((eb) => ({ status: 'sent', provider, provider_message_id: providerMessageId, sent_at: at, last_error: null, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function markSmsFailed(db: Queryable, id: string, provider: string, error: string, dead: boolean) {
  await db
    .updateTable('sms_messages')
    .set((eb) => ({ status: dead ? 'dead' : 'failed', provider, last_error: error.slice(0, 500), attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export function listSmsTo(db: Queryable, to: string | null, limit: number) {
  let q = db
    .selectFrom('sms_messages')
    .select(['to_mobile', 'body', 'created_at', 'status'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (to) q = q.where('to_mobile', '=', to);
  return q.execute();
}
