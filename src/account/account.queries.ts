// SQL of the person's own pages: their account row, password, email, security question,
// mobile number, and the codes that prove a new mobile number.
import type { Queryable } from '../db/database.js';

export function findAccount(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findAccountForUpdate(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/** A new password also clears a forced change, failed attempts and a lockout. */
export async function setPassword(db: Queryable, id: string, hash: string, now: Date) {
  await db
    .updateTable('accounts')
    .set({ password_hash: hash, must_change_password: false, failed_signins: 0, locked_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function setEmail(db: Queryable, id: string, email: string | null, now: Date) {
  await db.updateTable('accounts').set({ email, updated_at: now }).where('id', '=', id).execute();
}

export async function setSecurityQuestion(db: Queryable, id: string, question: string, answerHash: string, now: Date) {
  await db.updateTable('accounts').set({ security_question: question, security_answer_hash: answerHash, updated_at: now }).where('id', '=', id).execute();
}

export async function setMobile(db: Queryable, id: string, mobile: string, operator: string | null, now: Date) {
  await db
    .updateTable('accounts')
    .set({ mobile, mobile_operator: operator, mobile_verified_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function insertMobileCode(db: Queryable, c: { id: string; accountId: string; mobile: string; codeHash: string; now: Date; expiresAt: Date }) {
  await db
    .insertInto('account_codes')
    .values({ id: c.id, purpose: 'mobile_change', account_id: c.accountId, mobile: c.mobile, code_hash: c.codeHash, created_at: c.now, expires_at: c.expiresAt })
    .execute();
}

export function findMobileCode(db: Queryable, id: string, accountId: string) {
  return db
    .selectFrom('account_codes')
    .selectAll()
    .where('id', '=', id)
    .where('purpose', '=', 'mobile_change')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

// One-time codes share the account_codes table with sign-in codes: the same counting and use.
export { countCodeAttempt, consumeCode } from '../signin/signin.queries.js';

/** Temporary passwords of SMS recoveries stop working once the person chose a new password. */
export async function retireTemporaryPasswords(db: Queryable, accountId: string, now: Date) {
  await db.updateTable('sms_recoveries').set({ used_at: now }).where('account_id', '=', accountId).where('used_at', 'is', null).execute();
}
