// SQL of back-office staff and their sessions.
import type { Queryable } from '../db/database.js';
import type { StaffRole } from './roles.js';

export type StaffRow = NonNullable<Awaited<ReturnType<typeof findStaffByUsername>>>;

export function findStaffByUsername(db: Queryable, username: string) {
  return db.selectFrom('staff_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findStaffById(db: Queryable, id: string) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a staff member; null when the username is taken. */
export async function insertStaff(
  db: Queryable,
  s: { username: string; role: StaffRole; branchCode: string | null; passwordHash: string; totpSecretEncrypted: string; at: Date },
): Promise<string | null> {
  const row = await db
    .insertInto('staff_users')
    .values({
      username: s.username,
      role: s.role,
      branch_code: s.branchCode,
      password_hash: s.passwordHash,
      must_change_password: true,
      totp_secret_encrypted: s.totpSecretEncrypted,
      created_at: s.at,
      updated_at: s.at,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Stores the time step of an accepted code, only if it is newer than the last one: of two
 * sign-ins racing with the same code, one wins.
 */
export async function acceptTotpStep(db: Queryable, staffId: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable('staff_users')
    .set({ totp_last_step: step })
    .where('id', '=', staffId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setStaffPassword(db: Queryable, staffId: string, passwordHash: string, at: Date) {
  await db
    .updateTable('staff_users')
    .set({ password_hash: passwordHash, must_change_password: false, updated_at: at })
    .where('id', '=', staffId)
    .execute();
}

export async function insertStaffSession(db: Queryable, s: { tokenHash: string; staffId: string; at: Date; expiresAt: Date; ip: string | null }) {
  await db
    .insertInto('staff_sessions')
    .values({ token_hash: s.tokenHash, staff_id: s.staffId, created_at: s.at, last_seen_at: s.at, expires_at: s.expiresAt, ip: s.ip })
    .execute();
}

export function findStaffSession(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('staff_sessions')
    .innerJoin('staff_users', 'staff_users.id', 'staff_sessions.staff_id')
    .select([
      'staff_sessions.token_hash',
      'staff_sessions.last_seen_at',
      'staff_sessions.expires_at',
      'staff_users.id as staff_id',
      'staff_users.username',
      'staff_users.role',
      'staff_users.branch_code',
      'staff_users.must_change_password',
      'staff_users.disabled_at',
    ])
    .where('staff_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchStaffSession(db: Queryable, tokenHash: string, at: Date) {
  await db.updateTable('staff_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteStaffSession(db: Queryable, tokenHash: string) {
  await db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every other session of a staff member (after a password change). */
export async function deleteOtherStaffSessions(db: Queryable, staffId: string, keepTokenHash: string) {
  await db.deleteFrom('staff_sessions').where('staff_id', '=', staffId).where('token_hash', '<>', keepTokenHash).execute();
}

export async function deleteExpiredStaffSessions(db: Queryable, now: Date, idleSince: Date): Promise<number> {
  const r = await db
    .deleteFrom('staff_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
