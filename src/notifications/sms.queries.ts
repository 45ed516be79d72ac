// SQL for the SMS outbox table.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

export type NewSms = {
  idempotencyKey: string;
  to: string;
  template: string;
  body: string;
  /** The text with its secret masked; null for a template without a secret. */
  redactedBody: string | null;
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
      redacted_body: m.redactedBody,
      account_id: m.accountId,
      created_at: m.createdAt,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Inserts several messages in one statement; returns the id of each one inserted by its
 * idempotency key (a key that already exists, or repeats in `list`, is skipped).
 */
export async function insertSmsMany(db: Queryable, list: readonly NewSms[]): Promise<Map<string, string>> {
  if (list.length === 0) return new Map();
  const rows = await db
    .insertInto('sms_messages')
    .values(
      list.map((m) => ({
        idempotency_key: m.idempotencyKey,
        to_mobile: m.to,
        template: m.template,
        body: m.body,
        redacted_body: m.redactedBody,
        account_id: m.accountId,
        created_at: m.createdAt,
      })),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning(['id', 'idempotency_key'])
    .execute();
  return new Map(rows.map((r) => [r.idempotency_key, r.id]));
}

export function findSms(db: Queryable, id: string) {
  return db.selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

// Redaction as set-clauses: a secret message (redacted_body set) takes its redacted text and
// the time; any other message keeps its body. Part of the statement that changes the status.
const redactedBodyClause = sql<string>`coalesce(redacted_body, body)`;
const redactedAtClause = (at: Date) => sql<Date | null>`CASE WHEN redacted_body IS NULL THEN NULL ELSE coalesce(redacted_at, ${at}::timestamptz) END`;

// Allowed status changes, guarded in the statements below (an attempt that comes back late
// must not undo what another settled):
//   queued | failed        → sent | failed | dead
//   dead                   → sent (a gateway accepted it after all: it is delivered)
//                          → queued (staff resend, requeueDeadSms)
//   sent                   → nothing
const SENDABLE = ['queued', 'failed', 'dead'] as const;
const FAILABLE = ['queued', 'failed'] as const;

/**
 * Marks a message sent; `redact` (a real gateway) replaces a secret's text in the same
 * statement. False when it was sent already.
 */
export async function markSmsSent(db: Queryable, id: string, provider: string, providerMessageId: string | null, at: Date, redact: boolean): Promise<boolean> {
  const r = await db
    .updateTable('sms_messages')
    .set((eb) => ({
      status: 'sent',
      provider,
      provider_message_id: providerMessageId,
      sent_at: at,
      last_error: null,
      attempts: eb('attempts', '+', 1),
      ...(redact ? { body: redactedBodyClause, redacted_at: redactedAtClause(at) } : {}),
    }))
    .where('id', '=', id)
    .where('status', 'in', SENDABLE)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Records a failed attempt; a dead message (nobody will send it) loses its secret at once.
 * False (nothing changed) when the message is sent or dead already: a late failure.
 */
export async function markSmsFailed(db: Queryable, id: string, provider: string, error: string, dead: boolean, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('sms_messages')
    .set((eb) => ({
      status: dead ? 'dead' : 'failed',
      provider,
      last_error: error.slice(0, 500),
      attempts: eb('attempts', '+', 1),
      ...(dead ? { body: redactedBodyClause, redacted_at: redactedAtClause(at) } : {}),
    }))
    .where('id', '=', id)
    .where('status', 'in', FAILABLE)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A message whose delivery job failed for good goes to the dead-letter list, unless it was sent. */
export async function markSmsDeadIfUndelivered(db: Queryable, id: string, error: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('sms_messages')
    .set({ status: 'dead', last_error: error, body: redactedBodyClause, redacted_at: redactedAtClause(at) })
    .where('id', '=', id)
    .where('status', 'in', FAILABLE)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Redacts the secret messages still in clear that were enqueued before `before`; returns how many. */
export async function redactSecretSmsBefore(db: Queryable, before: Date, at: Date): Promise<number> {
  const r = await db
    .updateTable('sms_messages')
    .set({ body: redactedBodyClause, redacted_at: at })
    .where('redacted_body', 'is not', null)
    .where('redacted_at', 'is', null)
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Redacts the delivered secret messages of one cause (idempotency key, or keys starting with
 * `prefix`). One still queued is left to its delivery (a gateway redacts it as it sends; the
 * retention purge covers the rest): redacting it now would stop it as if it had expired.
 */
export async function redactSecretSmsOfCause(db: Queryable, cause: { key: string } | { prefix: string }, at: Date): Promise<number> {
  const r = await db
    .updateTable('sms_messages')
    .set({ body: redactedBodyClause, redacted_at: at })
    .where('redacted_body', 'is not', null)
    .where('redacted_at', 'is', null)
    .where('status', '=', 'sent')
    .where((eb) =>
      'key' in cause
        ? eb('idempotency_key', '=', cause.key)
        : eb(sql`left(idempotency_key, ${cause.prefix.length}::int)`, '=', cause.prefix),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Redacts every delivered secret message of an account still in clear (its password changed: none is of use). */
export async function redactSecretSmsOfAccount(db: Queryable, accountId: string, at: Date): Promise<number> {
  const r = await db
    .updateTable('sms_messages')
    .set({ body: redactedBodyClause, redacted_at: at })
    .where('redacted_body', 'is not', null)
    .where('redacted_at', 'is', null)
    .where('status', '=', 'sent')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
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
    .select(['id', 'to_mobile', 'template', 'idempotency_key', 'provider', 'attempts', 'last_error', 'account_id', 'created_at', 'redacted_body'])
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

/**
 * Puts a dead message back in the queue; null when it is not dead (unknown, sent, already
 * re-queued) or carries a secret (its text is redacted: the person asks for a new code).
 */
export async function requeueDeadSms(db: Queryable, id: string) {
  const row = await db
    .updateTable('sms_messages')
    .set({ status: 'queued', last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .where('redacted_body', 'is', null)
    .returning(['id', 'to_mobile', 'template', 'account_id'])
    .executeTakeFirst();
  return row ?? null;
}

/** When the gateway accepted the message of an idempotency key (null: not yet, or never). */
export async function findSentAt(db: Queryable, idempotencyKey: string): Promise<Date | null> {
  const row = await db.selectFrom('sms_messages').select('sent_at').where('idempotency_key', '=', idempotencyKey).where('status', '=', 'sent').executeTakeFirst();
  return row?.sent_at ?? null;
}
