// The only SQL on `accounts` and the credentials hanging off an account: temporary
// passwords of SMS recoveries (`sms_recoveries`), one-time codes (`account_codes`) and the
// sign-in failure state. Kysely only; no user-facing errors here. Every other capability
// reaches these rows through the accounts service.
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { AccountStatus, DB } from '../db/schema.js';

export type PersonKey = { nationalCode: string } | { foreignNationalId: string };
export type UsernameKey = { kind: 'national_code' | 'foreign_national_id'; value: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// --- reading ---------------------------------------------------------------------------

/**
 * The account state every session-checked request needs, joined onto a query of rows with an
 * `account_id` (the session lookup: one round trip per request). A read-only view: only this
 * capability spells out the accounts table.
 */
export function joinAccountState<O>(qb: SelectQueryBuilder<DB & { s: DB['sessions'] }, 's', O>) {
  return qb
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['a.status', 'a.must_change_password', 'a.disabled_at', 'a.national_code', 'a.foreign_national_id', 'a.first_name', 'a.last_name', 'a.gender']);
}

export function findAccount(db: Queryable, id: string) {
  // Not a uuid → no such account (and no SQL error from a cast).
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccount>>>;

/** Locks the row for the rest of the transaction: one transition of an account at a time. */
export function findAccountForUpdate(db: Queryable, id: string) {
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return db.selectFrom('accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findAccountByUsername(db: Queryable, username: UsernameKey) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(username.kind === 'national_code' ? 'national_code' : 'foreign_national_id', '=', username.value)
    .executeTakeFirst();
}

export async function accountExistsFor(db: Queryable, person: PersonKey): Promise<boolean> {
  const q = db.selectFrom('accounts').select('id');
  const row = await ('nationalCode' in person
    ? q.where('national_code', '=', person.nationalCode)
    : q.where('foreign_national_id', '=', person.foreignNationalId)
  ).executeTakeFirst();
  return row !== undefined;
}

export async function findStatusOf(db: Queryable, nationalCode: string, mobile: string): Promise<AccountStatus | null> {
  const row = await db.selectFrom('accounts').select('status').where('national_code', '=', nationalCode).where('mobile', '=', mobile).executeTakeFirst();
  return row?.status ?? null;
}

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
  'branch_code',
] as const;

export function findSummariesBy(db: Queryable, by: { nationalCode?: string; foreignNationalId?: string; mobile?: string }) {
  let q = db.selectFrom('accounts').select(SUMMARY_COLUMNS).orderBy('created_at', 'desc').limit(50);
  if (by.nationalCode) q = q.where('national_code', '=', by.nationalCode);
  else if (by.foreignNationalId) q = q.where('foreign_national_id', '=', by.foreignNationalId);
  else if (by.mobile) q = q.where('mobile', '=', by.mobile);
  else return Promise.resolve([]);
  return q.execute();
}

export type AccountSummaryRow = Awaited<ReturnType<typeof findSummariesBy>>[number];

export function findSummariesByIds(db: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([] as AccountSummaryRow[]);
  return db
    .selectFrom('accounts')
    .select(SUMMARY_COLUMNS)
    .where(sql<boolean>`id = any(${[...ids]}::uuid[])`)
    .execute();
}

/** The declared identity proofing checks, for a set of accounts. */
export function findDeclaredIdentities(db: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('accounts as a')
    .select([
      'a.id as accountId',
      'a.status as accountStatus',
      'a.national_code as nationalCode',
      'a.mobile as mobile',
      'a.mobile_verified_at as mobileVerifiedAt',
      'a.first_name as firstName',
      'a.last_name as lastName',
      'a.gender as gender',
      'a.birth_date as birthDate',
      'a.birth_certificate_number as birthCertificateNumber',
      'a.birth_certificate_serial as birthCertificateSerial',
      'a.birth_certificate_series as birthCertificateSeries',
      'a.preferred_lang as preferredLang',
      'a.updated_at as accountUpdatedAt',
    ])
    .where(sql<boolean>`a.id = any(${[...ids]}::uuid[])`)
    .execute();
}

/** Locks accounts in id order (two batches sharing accounts take their locks in the same order). */
export function lockAccounts(db: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('accounts')
    .select(['id', 'status', 'updated_at'])
    .where(sql<boolean>`id = any(${[...ids]}::uuid[])`)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** What single sign-on releases about an account (claims) and needs to judge it (state). */
export function findForClaims(db: Queryable, id: string) {
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('accounts')
    .select([
      'id',
      'status',
      'origin',
      'identity_source',
      'national_code',
      'foreign_national_id',
      'first_name',
      'last_name',
      'gender',
      'birth_date',
      'mobile',
      'mobile_verified_at',
      'must_change_password',
      'disabled_at',
      'permissions',
      'updated_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Insured accounts of a national code that still have no civil-registry identity (registered before it was attached). */
export function findInsuredWithoutIdentity(db: Queryable, limit: number) {
  return db
    .selectFrom('accounts')
    .select('id')
    .where('origin', '=', 'insured')
    .where('national_code', 'is not', null)
    .where('first_name', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

// --- creating ----------------------------------------------------------------------------

export type NewAccount = {
  nationalCode: string | null;
  foreignNationalId: string | null;
  status: AccountStatus;
  origin: 'central' | 'insured' | 'branch';
  firstName?: string | null;
  lastName?: string | null;
  gender?: 'male' | 'female' | null;
  birthDate?: string | null;
  birthCertificateNumber?: string | null;
  birthCertificateSerial?: string | null;
  birthCertificateSeries?: string | null;
  country?: string | null;
  city?: string | null;
  mobile: string | null;
  mobileOperator?: string | null;
  mobileVerifiedAt?: Date | null;
  email: string | null;
  passwordHash: string;
  mustChangePassword: boolean;
  securityQuestion?: string | null;
  securityAnswerHash?: string | null;
  initialPasswordExpiresAt?: Date | null;
  branchCode?: string | null;
  identitySource?: 'civil_registry' | 'branch' | null;
  preferredLang?: 'fa' | 'en';
  createdAt: Date;
};

/** Inserts an account; null when the identifier already has one (a race lost). */
export async function insertAccount(db: Queryable, a: NewAccount): Promise<string | null> {
  const row = await db
    .insertInto('accounts')
    .values({
      national_code: a.nationalCode,
      foreign_national_id: a.foreignNationalId,
      status: a.status,
      origin: a.origin,
      first_name: a.firstName ?? null,
      last_name: a.lastName ?? null,
      gender: a.gender ?? null,
      birth_date: a.birthDate ?? null,
      birth_certificate_number: a.birthCertificateNumber ?? null,
      birth_certificate_serial: a.birthCertificateSerial ?? null,
      birth_certificate_series: a.birthCertificateSeries ?? null,
      country: a.country ?? null,
      city: a.city ?? null,
      mobile: a.mobile,
      mobile_operator: a.mobileOperator ?? null,
      mobile_verified_at: a.mobileVerifiedAt ?? null,
      email: a.email,
      password_hash: a.passwordHash,
      must_change_password: a.mustChangePassword,
      security_question: a.securityQuestion ?? null,
      security_answer_hash: a.securityAnswerHash ?? null,
      initial_password_expires_at: a.initialPasswordExpiresAt ?? null,
      branch_code: a.branchCode ?? null,
      identity_source: a.identitySource ?? null,
      preferred_lang: a.preferredLang ?? 'fa',
      activated_at: a.status === 'active' ? a.createdAt : null,
      created_at: a.createdAt,
      updated_at: a.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

// --- changing ----------------------------------------------------------------------------

export type AccountChange = Partial<{
  status: AccountStatus;
  activated_at: Date | null;
  password_hash: string;
  must_change_password: boolean;
  mobile: string;
  mobile_operator: string | null;
  mobile_verified_at: Date | null;
  email: string | null;
  security_question: string;
  security_answer_hash: string;
  disabled_at: Date | null;
  locked_until: Date | null;
  failed_signins: number;
  failed_signins_since: Date | null;
  branch_code: string | null;
  permissions: string[];
  initial_password_expires_at: Date | null;
  first_name: string | null;
  last_name: string | null;
  gender: 'male' | 'female' | null;
  birth_date: string | null;
  identity_source: 'civil_registry' | 'branch' | null;
  preferred_lang: 'fa' | 'en';
}>;

export async function updateAccount(db: Queryable, id: string, change: AccountChange, at: Date) {
  await db
    .updateTable('accounts')
    .set({ ...change, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Many accounts leave `pending_verification` in one statement (verification batches). */
export async function settlePending(db: Queryable, outcomes: readonly { accountId: string; status: 'active' | 'awaiting_branch_visit' }[], at: Date) {
  if (outcomes.length === 0) return;
  await sql`
    WITH v AS (
      SELECT * FROM unnest(${outcomes.map((o) => o.accountId)}::uuid[], ${outcomes.map((o) => o.status)}::text[]) AS v(account_id, status)
    )
    UPDATE accounts a
    SET status = v.status,
        updated_at = ${at}::timestamptz,
        identity_source = CASE WHEN v.status = 'active' THEN 'civil_registry' ELSE a.identity_source END,
        activated_at = CASE WHEN v.status = 'active' THEN ${at}::timestamptz ELSE a.activated_at END
    FROM v
    WHERE a.id = v.account_id AND a.status = 'pending_verification'`.execute(db);
}

/** Deletes registrations that never became accounts (requests and credentials go by cascade). */
export async function deleteUnfinished(db: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return;
  await db
    .deleteFrom('accounts')
    .where(sql<boolean>`id = any(${[...ids]}::uuid[])`)
    .where('status', '<>', 'active')
    .execute();
}

/**
 * Counts one failed password check of an account (any address): the count and the start of
 * its window; a window older than `windowStart` starts again at 1.
 */
export async function recordFailure(db: Queryable, accountId: string, now: Date, windowStart: Date): Promise<number> {
  const row = await db
    .updateTable('accounts')
    .set({
      failed_signins: sql<number>`CASE WHEN failed_signins_since IS NULL OR failed_signins_since < ${windowStart}::timestamptz THEN 1 ELSE failed_signins + 1 END`,
      failed_signins_since: sql<Date>`CASE WHEN failed_signins_since IS NULL OR failed_signins_since < ${windowStart}::timestamptz THEN ${now}::timestamptz ELSE failed_signins_since END`,
    })
    .where('id', '=', accountId)
    .returning('failed_signins')
    .executeTakeFirst();
  return row?.failed_signins ?? 0;
}

export async function clearFailures(db: Queryable, accountId: string) {
  await db.updateTable('accounts').set({ failed_signins: 0, failed_signins_since: null }).where('id', '=', accountId).where('failed_signins', '>', 0).execute();
}

export async function updatePasswordHash(db: Queryable, accountId: string, hash: string) {
  await db.updateTable('accounts').set({ password_hash: hash }).where('id', '=', accountId).execute();
}

// --- temporary passwords (SMS recovery) ------------------------------------------------

export async function insertTemporaryPassword(db: Queryable, r: { accountId: string; trackingCode: string; passwordHash: string; now: Date; expiresAt: Date }) {
  await db
    .insertInto('sms_recoveries')
    .values({ account_id: r.accountId, tracking_code: r.trackingCode, password_hash: r.passwordHash, created_at: r.now, expires_at: r.expiresAt })
    .execute();
}

/** The newest temporary password of an account: the only one that may work. */
export function latestTemporaryPassword(db: Queryable, accountId: string) {
  return db
    .selectFrom('sms_recoveries')
    .select(['id', 'password_hash', 'expires_at', 'used_at', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Temporary passwords stop working (a new password was set, or the account changed hands). */
export async function retireTemporaryPasswords(db: Queryable, accountId: string, now: Date): Promise<number> {
  const r = await db.updateTable('sms_recoveries').set({ used_at: now }).where('account_id', '=', accountId).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}

// --- one-time codes ----------------------------------------------------------------------

export type CodePurpose = 'signin' | 'mobile_change' | 'staff_mobile_change';

export async function insertCode(
  db: Queryable,
  c: { id: string; purpose: CodePurpose; accountId: string | null; mobile: string | null; codeHash: string | null; now: Date; expiresAt: Date },
) {
  await db
    .insertInto('account_codes')
    .values({ id: c.id, purpose: c.purpose, account_id: c.accountId, mobile: c.mobile, code_hash: c.codeHash, created_at: c.now, expires_at: c.expiresAt })
    .execute();
}

export function findCode(db: Queryable, id: string, purpose: CodePurpose) {
  return db.selectFrom('account_codes').selectAll().where('id', '=', id).where('purpose', '=', purpose).executeTakeFirst();
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

/** Every open code of an account stops working. */
export async function retireCodes(db: Queryable, accountId: string, now: Date): Promise<number> {
  const r = await db.updateTable('account_codes').set({ consumed_at: now }).where('account_id', '=', accountId).where('consumed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}

export async function deleteExpiredCodes(db: Queryable, now: Date) {
  await db.deleteFrom('account_codes').where('expires_at', '<', new Date(now.getTime() - 24 * 3600_000)).execute();
}
