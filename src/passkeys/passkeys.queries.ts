// SQL of passkeys: the credentials of an account, the one-time ceremony challenges, and
// the account fields a passkey sign-in must judge (read only: accounts belong to others).
import type { Queryable } from '../db/database.js';
import type { PasskeyChallengesTable, PasskeysTable } from '../db/schema.js';

export type PasskeyRow = {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string[];
  device_type: PasskeysTable['device_type'];
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
};

const COLUMNS = [
  'id',
  'account_id',
  'credential_id',
  'public_key',
  'counter',
  'transports',
  'device_type',
  'backed_up',
  'name',
  'created_at',
  'last_used_at',
] as const;

// bigint arrives as a string from pg and as a number from PGlite.
const toRow = <T extends { counter: string | number | bigint }>(r: T) => ({ ...r, counter: Number(r.counter) }) as unknown as PasskeyRow;

export async function listPasskeys(db: Queryable, accountId: string): Promise<PasskeyRow[]> {
  const rows = await db.selectFrom('passkeys').select(COLUMNS).where('account_id', '=', accountId).orderBy('created_at', 'asc').orderBy('id').execute();
  return rows.map(toRow);
}

export async function findByCredentialId(db: Queryable, credentialId: string): Promise<PasskeyRow | undefined> {
  const row = await db.selectFrom('passkeys').select(COLUMNS).where('credential_id', '=', credentialId).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function insertPasskey(
  db: Queryable,
  p: {
    accountId: string;
    credentialId: string;
    publicKey: Uint8Array;
    counter: number;
    transports: string[];
    deviceType: PasskeysTable['device_type'];
    backedUp: boolean;
    name: string;
    now: Date;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('passkeys')
    .values({
      account_id: p.accountId,
      ...credentialColumns(p),
    })
    .onConflict((oc) => oc.column('credential_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Records a use: the new signature counter only moves forward (a parallel use cannot set it back). */
export async function recordUse(db: Queryable, id: string, counter: number, backedUp: boolean, now: Date): Promise<boolean> {
  const rows = await db
    .updateTable('passkeys')
    .set({ counter, backed_up: backedUp, last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('counter', '<', counter), eb('counter', '=', 0)]))
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function renamePasskey(db: Queryable, accountId: string, id: string, name: string): Promise<{ oldName: string } | undefined> {
  const old = await db.selectFrom('passkeys').select('name').where('id', '=', id).where('account_id', '=', accountId).forUpdate().executeTakeFirst();
  if (!old) return undefined;
  await db.updateTable('passkeys').set({ name }).where('id', '=', id).execute();
  return { oldName: old.name };
}

export async function deletePasskey(db: Queryable, accountId: string, id: string): Promise<PasskeyRow | undefined> {
  const row = await db.deleteFrom('passkeys').where('id', '=', id).where('account_id', '=', accountId).returning(COLUMNS).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function deleteAllOf(db: Queryable, accountId: string): Promise<number> {
  const rows = await db.deleteFrom('passkeys').where('account_id', '=', accountId).returning('id').execute();
  return rows.length;
}

export async function countPasskeys(db: Queryable, accountId: string): Promise<number> {
  const row = await db.selectFrom('passkeys').select((eb) => eb.fn.countAll<string | number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export type ChallengePurpose = PasskeyChallengesTable['purpose'];

export async function insertChallenge(
  db: Queryable,
  c: { id: string; purpose: ChallengePurpose; accountId: string | null; staffId?: string | null; challenge: string; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('passkey_challenges')
    .values({ id: c.id, purpose: c.purpose, account_id: c.accountId, staff_id: c.staffId ?? null, challenge: c.challenge, created_at: c.now, expires_at: c.expiresAt })
    .execute();
}

/**
 * Uses up a challenge: only one caller ever gets it back, and only before it expires.
 * An expired or replayed one answers why.
 */
export async function consumeChallenge(
  db: Queryable,
  id: string,
  purpose: ChallengePurpose,
  now: Date,
): Promise<{ ok: true; challenge: string; accountId: string | null; staffId: string | null } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
  const row = await db
    .updateTable('passkey_challenges')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['challenge', 'account_id', 'staff_id'])
    .executeTakeFirst();
  if (row) return { ok: true, challenge: row.challenge, accountId: row.account_id, staffId: row.staff_id };
  const seen = await db.selectFrom('passkey_challenges').select(['consumed_at', 'expires_at']).where('id', '=', id).where('purpose', '=', purpose).executeTakeFirst();
  if (!seen) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: seen.consumed_at ? 'used' : 'expired' };
}

export async function deleteExpiredChallenges(db: Queryable, now: Date): Promise<number> {
  const rows = await db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).returning('id').execute();
  return rows.length;
}


// Staff passkeys (second factor of the back office).

export type StaffPasskeyRow = Omit<PasskeyRow, 'account_id'> & { staff_id: string };

const STAFF_COLUMNS = ['id', 'staff_id', 'credential_id', 'public_key', 'counter', 'transports', 'device_type', 'backed_up', 'name', 'created_at', 'last_used_at'] as const;
const toStaffRow = <T extends { counter: string | number | bigint }>(r: T) => ({ ...r, counter: Number(r.counter) }) as unknown as StaffPasskeyRow;

export async function listStaffPasskeys(db: Queryable, staffId: string): Promise<StaffPasskeyRow[]> {
  const rows = await db.selectFrom('staff_passkeys').select(STAFF_COLUMNS).where('staff_id', '=', staffId).orderBy('created_at', 'asc').orderBy('id').execute();
  return rows.map(toStaffRow);
}

export async function findStaffPasskey(db: Queryable, credentialId: string): Promise<StaffPasskeyRow | undefined> {
  const row = await db.selectFrom('staff_passkeys').select(STAFF_COLUMNS).where('credential_id', '=', credentialId).executeTakeFirst();
  return row ? toStaffRow(row) : undefined;
}

export async function insertStaffPasskey(
  db: Queryable,
  p: { staffId: string; credentialId: string; publicKey: Uint8Array; counter: number; transports: string[]; deviceType: PasskeysTable['device_type']; backedUp: boolean; name: string; now: Date },
): Promise<string | undefined> {
  const row = await db
    .insertInto('staff_passkeys')
    .values({
      staff_id: p.staffId,
      ...credentialColumns(p),
    })
    .onConflict((oc) => oc.column('credential_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function recordStaffUse(db: Queryable, id: string, counter: number, backedUp: boolean, now: Date): Promise<boolean> {
  const rows = await db
    .updateTable('staff_passkeys')
    .set({ counter, backed_up: backedUp, last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('counter', '<', counter), eb('counter', '=', 0)]))
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function deleteStaffPasskey(db: Queryable, staffId: string, id: string): Promise<boolean> {
  const rows = await db.deleteFrom('staff_passkeys').where('id', '=', id).where('staff_id', '=', staffId).returning('id').execute();
  return rows.length > 0;
}

/** The columns people's and staff's passkeys share, from a verified registration. */
function credentialColumns(p: { credentialId: string; publicKey: Uint8Array; counter: number; transports: string[]; deviceType: PasskeysTable['device_type']; backedUp: boolean; name: string; now: Date }) {
  return {
    credential_id: p.credentialId,
    public_key: p.publicKey,
    counter: p.counter,
    transports: p.transports,
    device_type: p.deviceType,
    backed_up: p.backedUp,
    name: p.name,
    created_at: p.now,
  };
}
