// SQL of the back office: finding people, reading their file, the changes staff make, the
// overdue and undelivered lists. Kysely only; no user-facing errors here.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

export function findVerificationRequest(db: Queryable, accountId: string) {
  return db.selectFrom('verification_requests').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

export function listSmsOfAccount(db: Queryable, accountId: string, mobile: string | null, limit = 50) {
  return db
    .selectFrom('sms_messages')
    // A secret message is shown by its redacted text, even while the clear one is still kept.
    .select(['id', 'to_mobile', 'template', sql<string>`coalesce(redacted_body, body)`.as('body'), 'status', 'created_at', 'sent_at', 'attempts', 'last_error'])
    .where((eb) => (mobile ? eb.or([eb('account_id', '=', accountId), eb('to_mobile', '=', mobile)]) : eb('account_id', '=', accountId)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function listAuditOfAccount(db: Queryable, accountId: string, limit = 200) {
  return db
    .selectFrom('audit_events')
    .select(['id', 'occurred_at', 'actor_type', 'actor_id', 'event', 'data'])
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function staffNames(db: Queryable, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('staff_users').select(['id', 'username']).where('id', 'in', ids).execute();
}

export function findForeignPreregistration(db: Queryable, foreignNationalId: string) {
  return db.selectFrom('foreign_national_preregistrations').selectAll().where('foreign_national_id', '=', foreignNationalId).executeTakeFirst();
}

/** Records a foreign identifier; false when it is already recorded. */
export async function insertForeignPreregistration(
  db: Queryable,
  r: { foreignNationalId: string; branchCode: string | null; recordedBy: string; documents: string[]; at: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('foreign_national_preregistrations')
    .values({ foreign_national_id: r.foreignNationalId, branch_code: r.branchCode, recorded_by: r.recordedBy, documents: r.documents, recorded_at: r.at })
    .onConflict((oc) => oc.column('foreign_national_id').doNothing())
    .returning('foreign_national_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Actions branch operators took as walk-ins on people of other branches (audit events), newest first. */
export function listWalkInActions(db: Queryable, branchCode: string | null, limit = 200) {
  let q = db
    .selectFrom('audit_events')
    .select(['id', 'occurred_at', 'actor_id', 'account_id', 'event', 'data'])
    .where(sql<boolean>`actor_type = 'staff' AND data->>'walkIn' = 'true'`)
    .orderBy('id', 'desc')
    .limit(limit);
  // A supervisor of a branch sees the walk-ins on their branch's people and by their branch's staff.
  if (branchCode) q = q.where(sql<boolean>`(data->>'branch' = ${branchCode} OR data->>'personBranch' = ${branchCode})`);
  return q.execute();
}

/** Registrations still without an outcome although submitted before `before`. */
export function listOverdueRegistrations(db: Queryable, before: Date, limit = 200) {
  return db
    .selectFrom('verification_requests')
    .select([
      'verification_requests.account_id',
      'verification_requests.created_at',
      'verification_requests.due_at',
      'verification_requests.attempts',
      'verification_requests.last_error',
    ])
    .where('verification_requests.status', '=', 'pending')
    .where('verification_requests.created_at', '<', before)
    .orderBy('verification_requests.created_at')
    .limit(limit)
    .execute();
}

export function listDeadSms(db: Queryable, limit = 200) {
  return db
    .selectFrom('sms_messages')
    .select(['id', 'to_mobile', 'template', 'attempts', 'last_error', 'created_at', 'account_id', sql<boolean>`redacted_body IS NOT NULL`.as('secret')])
    .where('status', '=', 'dead')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Whether a message is dead and held a secret (so it is not sent again). */
export async function isDeadSecretSms(db: Queryable, id: string): Promise<boolean> {
  const row = await db.selectFrom('sms_messages').select('id').where('id', '=', id).where('status', '=', 'dead').where('redacted_body', 'is not', null).executeTakeFirst();
  return !!row;
}

/**
 * Puts a dead message back in the queue state; null when it is not dead (any more) or held a
 * secret (redacted when it died: the person asks for a new code or password instead).
 */
export async function requeueDeadSms(db: Queryable, id: string): Promise<{ accountId: string | null; toMobile: string } | null> {
  const row = await db
    .updateTable('sms_messages')
    .set({ status: 'queued', attempts: 0, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .where('redacted_body', 'is', null)
    .returning(['account_id', 'to_mobile'])
    .executeTakeFirst();
  return row ? { accountId: row.account_id, toMobile: row.to_mobile } : null;
}

// Verification's record of rejected registrations (migration 0110): read only here.
const REJECTION_COLUMNS = ['request_id', 'national_code_masked', 'reason', 'fields', 'submitted_at', 'rejected_at'] as const;
export type VerificationRejectionRow = Awaited<ReturnType<typeof listVerificationRejections>>[number];

/** The rejections of one national code, by verification's keyed hash of it, newest first. */
export function findVerificationRejections(db: Queryable, nationalCodeHash: string, limit = 20) {
  return db
    .selectFrom('verification_rejections')
    .select(REJECTION_COLUMNS)
    .where('national_code_hash', '=', nationalCodeHash)
    .orderBy('rejected_at', 'desc')
    .limit(limit)
    .execute();
}

/** The most recent rejections, newest first. */
export function listVerificationRejections(db: Queryable, limit = 200) {
  return db.selectFrom('verification_rejections').select(REJECTION_COLUMNS).orderBy('rejected_at', 'desc').orderBy('request_id').limit(limit).execute();
}
