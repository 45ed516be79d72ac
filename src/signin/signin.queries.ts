// SQL of sign-in: the account of a username, failure counting and lockout, one-time codes.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { Username } from './username.js';

export function findAccountByUsername(db: Queryable, username: Username) {
  // selectAll: columns other capabilities add (e.g. initial_password_expires_at) come along.
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(username.kind === 'national_code' ? 'national_code' : 'foreign_national_id', '=', username.value)
    .executeTakeFirst();
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccountByUsername>>>;

export function findAccountById(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Counts one wrong password atomically; on reaching `max` locks the account until
 * `lockedUntil` and starts the count again. Returns whether this failure locked it.
 */
export async function recordFailedSignin(db: Queryable, accountId: string, max: number, lockedUntil: Date, now: Date): Promise<{ locked: boolean }> {
  const row = await db
    .updateTable('accounts')
    .set({
      failed_signins: sql<number>`CASE WHEN failed_signins + 1 >= ${max} THEN 0 ELSE failed_signins + 1 END`,
      locked_until: sql<Date>`CASE WHEN failed_signins + 1 >= ${max} THEN ${lockedUntil}::timestamptz ELSE locked_until END`,
      updated_at: now,
    })
    .where('id', '=', accountId)
    .returning(['failed_signins', 'locked_until'])
    .executeTakeFirst();
  return { locked: !!row && row.failed_signins === 0 && !!row.locked_until && row.locked_until.getTime() === lockedUntil.getTime() };
}

export async function resetFailedSignins(db: Queryable, accountId: string) {
  await db.updateTable('accounts').set({ failed_signins: 0 }).where('id', '=', accountId).where('failed_signins', '>', 0).execute();
}

export async function updatePasswordHash(db: Queryable, accountId: string, hash: string) {
  await db.updateTable('accounts').set({ password_hash: hash }).where('id', '=', accountId).execute();
}

export async function insertSigninCode(
  db: Queryable,
  c: { id: string; accountId: string | null; mobile: string | null; codeHash: string | null; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('account_codes')
    .values({ id: c.id, purpose: 'signin', account_id: c.accountId, mobile: c.mobile, code_hash: c.codeHash, created_at: c.now, expires_at: c.expiresAt })
    .execute();
}

export function findSigninCode(db: Queryable, id: string) {
  return db.selectFrom('account_codes').selectAll().where('id', '=', id).where('purpose', '=', 'signin').executeTakeFirst();
}

/** Counts one attempt before comparing, so parallel guesses cannot exceed the limit. */
export async function countCodeAttempt(db: Queryable, id: string): Promise<number> {
  const row = await db
    .updateTable('account_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts ?? Number.MAX_SAFE_INTEGER;
}

/** Marks a code used; false when another request used it first. */
export async function consumeCode(db: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await db.updateTable('account_codes').set({ consumed_at: now }).where('id', '=', id).where('consumed_at', 'is', null).returning('id').execute();
  return rows.length > 0;
}

export async function deleteExpiredCodes(db: Queryable, now: Date) {
  await db.deleteFrom('account_codes').where('expires_at', '<', new Date(now.getTime() - 24 * 3600_000)).execute();
}
