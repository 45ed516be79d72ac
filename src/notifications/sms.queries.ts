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
    .orderBy('seq', 'desc')
    .limit(limit);
  if (to) q = q.where('to_mobile', '=', to);
  return q.execute();
}

/** Messages that will not be retried any more (the dead-letter list), newest first. */
export function listDeadSms(db: Queryable, limit: number, offset: number) {
  return db
    .selectFrom('sms_messages')
    .select(['id', 'to_mobile', 'template', 'idempotency_key', 'provider', 'attempts', 'last_error', 'account_id', 'created_at'])
    .where('status', '=', 'dead')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countDeadSms(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('sms_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Puts a dead message back in the queue; null when it is not dead (unknown, sent, already re-queued). */
export async function requeueDeadSms(db: Queryable, id: string) {
  const row = await db
    .updateTable('sms_messages')
    .set({ status: 'queued', last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .returning(['id', 'to_mobile', 'template', 'account_id'])
    .executeTakeFirst();
  return row ?? null;
}
