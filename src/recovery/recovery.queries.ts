// SQL of password recovery: the account of a username and the SMS recoveries
// (temporary passwords) with their order.
import type { Queryable } from '../db/database.js';
import type { Username } from '../signin/username.js';

export function findAccountByUsername(db: Queryable, username: Username) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(username.kind === 'national_code' ? 'national_code' : 'foreign_national_id', '=', username.value)
    .executeTakeFirst();
}

export type AccountRowLike = NonNullable<Awaited<ReturnType<typeof findAccountByUsername>>>;

export function findAccountForUpdate(db: Queryable, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertSmsRecovery(db: Queryable, r: { accountId: string; trackingCode: string; passwordHash: string; now: Date; expiresAt: Date }) {
  await db
    .insertInto('sms_recoveries')
    .values({ account_id: r.accountId, tracking_code: r.trackingCode, password_hash: r.passwordHash, created_at: r.now, expires_at: r.expiresAt })
    .execute();
}

/** The newest recovery of an account: the only one whose password may work. */
export function latestSmsRecovery(db: Queryable, accountId: string) {
  return db
    .selectFrom('sms_recoveries')
    .select(['id', 'password_hash', 'expires_at', 'used_at'])
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function markRecoveryUsed(db: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await db.updateTable('sms_recoveries').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).returning('id').execute();
  return rows.length > 0;
}
