// SQL of the back office: finding people, reading their file, the changes staff make, the
// overdue and undelivered lists. Kysely only; no user-facing errors here.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

const SUMMARY_COLUMNS = [
  'id',
  'national_code',
  'foreign_national_id',
  'first_name',
  'last_name',
  'mobile',
  'status',
  'created_at',
  'disabled_at',
  'locked_until',
] as const;

export type PersonSummaryRow = Awaited<ReturnType<typeof findAccountsBy>>[number];

export function findAccountsBy(db: Queryable, by: { nationalCode?: string; foreignNationalId?: string; mobile?: string }) {
  let q = db.selectFrom('accounts').select(SUMMARY_COLUMNS).orderBy('created_at', 'desc').limit(50);
  if (by.nationalCode) q = q.where('national_code', '=', by.nationalCode);
  else if (by.foreignNationalId) q = q.where('foreign_national_id', '=', by.foreignNationalId);
  else if (by.mobile) q = q.where('mobile', '=', by.mobile);
  else return Promise.resolve([]);
  return q.execute();
}

export function findAccount(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the account row for the rest of the transaction (one staff action at a time). */
export function findAccountForUpdate(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

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

export async function activateAccount(db: Queryable, id: string, at: Date) {
  await db.updateTable('accounts').set({ status: 'active', activated_at: at, updated_at: at }).where('id', '=', id).execute();
}

/** Deletes a registration; its verification request goes with it (ON DELETE CASCADE). */
export async function deleteAccount(db: Queryable, id: string) {
  await db.deleteFrom('accounts').where('id', '=', id).execute();
}

export async function setMobile(db: Queryable, id: string, mobile: string, operator: string | null, at: Date) {
  await db
    .updateTable('accounts')
    .set({ mobile, mobile_operator: operator, mobile_verified_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function setTemporaryPassword(db: Queryable, id: string, passwordHash: string, at: Date) {
  await db
    .updateTable('accounts')
    .set({ password_hash: passwordHash, must_change_password: true, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function clearLock(db: Queryable, id: string, at: Date) {
  await db.updateTable('accounts').set({ locked_until: null, updated_at: at }).where('id', '=', id).execute();
  // Sign-in keeps a count of consecutive failures beside the lock (migration 0201); a
  // fresh start after an unlock. Only when that column exists (sign-in may not be there).
  if (await columnExists(db, 'accounts', 'failed_signins')) {
    await sql`UPDATE accounts SET failed_signins = 0 WHERE id = ${id}`.execute(db);
  }
}

export async function setDisabled(db: Queryable, id: string, disabledAt: Date | null, at: Date) {
  await db.updateTable('accounts').set({ disabled_at: disabledAt, updated_at: at }).where('id', '=', id).execute();
}

async function tableExists(db: Queryable, table: string): Promise<boolean> {
  const r = await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(db);
  return r.rows[0]?.t != null;
}

async function columnExists(db: Queryable, table: string, column: string): Promise<boolean> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  return (r.rows[0]?.n ?? 0) > 0;
}

/**
 * Ends every open session of a person (sign-in's `sessions`, migration 0200) with the
 * reason `ended_by_staff`. Returns how many ended; 0 when sign-in is not installed.
 */
export async function endPersonSessions(db: Queryable, accountId: string, at: Date): Promise<number> {
  if (!(await tableExists(db, 'sessions'))) return 0;
  const r = await sql`
    UPDATE sessions SET ended_at = ${at}, end_reason = 'ended_by_staff'
    WHERE account_id = ${accountId} AND ended_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
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

export async function accountWithForeignIdExists(db: Queryable, foreignNationalId: string): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('id').where('foreign_national_id', '=', foreignNationalId).executeTakeFirst();
  return row !== undefined;
}

/** Registrations still without an outcome although submitted before `before`. */
export function listOverdueRegistrations(db: Queryable, before: Date, limit = 200) {
  return db
    .selectFrom('verification_requests')
    .innerJoin('accounts', 'accounts.id', 'verification_requests.account_id')
    .select([
      'accounts.id as account_id',
      'accounts.national_code',
      'accounts.foreign_national_id',
      'accounts.first_name',
      'accounts.last_name',
      'accounts.status',
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
