// SQL of central registration: flows, the new account and its verification request.
import type { Queryable } from '../db/database.js';
import type { AccountStatus } from '../db/schema.js';

export type FlowRow = NonNullable<Awaited<ReturnType<typeof findFlow>>>;

export function findFlow(db: Queryable, id: string) {
  return db.selectFrom('registration_flows').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the flow row for the rest of the transaction (one submission at a time). */
export function findFlowForUpdate(db: Queryable, id: string) {
  return db.selectFrom('registration_flows').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertFlow(
  db: Queryable,
  flow: {
    id: string;
    state: 'mobile_code' | 'details';
    nationalCode: string;
    mobile: string;
    mobileOperator: string;
    requiresBranchVisit: boolean;
    createdAt: Date;
    expiresAt: Date;
  },
) {
  await db
    .insertInto('registration_flows')
    .values({
      id: flow.id,
      state: flow.state,
      national_code: flow.nationalCode,
      mobile: flow.mobile,
      mobile_operator: flow.mobileOperator,
      requires_branch_visit: flow.requiresBranchVisit,
      created_at: flow.createdAt,
      expires_at: flow.expiresAt,
    })
    .execute();
}

export async function setFlowCode(db: Queryable, id: string, codeHash: string, sentAt: Date, expiresAt: Date) {
  await db
    .updateTable('registration_flows')
    .set((eb) => ({
      code_hash: codeHash,
      code_sent_at: sentAt,
      code_expires_at: expiresAt,
      code_attempts: 0,
      code_sends: eb('code_sends', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

export async function countFlowCodeAttempt(db: Queryable, id: string) {
  const row = await db
    .updateTable('registration_flows')
    .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('code_attempts')
    .executeTakeFirst();
  return row?.code_attempts ?? 0;
}

export async function setFlowState(db: Queryable, id: string, state: 'details' | 'completed', accountId?: string) {
  await db
    .updateTable('registration_flows')
    .set({ state, code_hash: null, ...(accountId ? { account_id: accountId } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function deleteExpiredFlows(db: Queryable, now: Date): Promise<number> {
  const r = await db.deleteFrom('registration_flows').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function accountExists(db: Queryable, nationalCode: string): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('id').where('national_code', '=', nationalCode).executeTakeFirst();
  return row !== undefined;
}

export type NewCentralAccount = {
  nationalCode: string;
  mobile: string;
  mobileOperator: string;
  mobileVerifiedAt: Date | null;
  firstName: string;
  lastName: string;
  gender: 'male' | 'female';
  birthDate: string;
  birthCertificateNumber: string;
  birthCertificateSerial: string;
  birthCertificateSeries: string;
  country: string;
  city: string;
  email: string | null;
  passwordHash: string;
  securityQuestion: string;
  securityAnswerHash: string;
  createdAt: Date;
};

/** Inserts the account; null when the national code already has one (a race lost). */
export async function insertPendingAccount(db: Queryable, a: NewCentralAccount): Promise<string | null> {
  const row = await db
    .insertInto('accounts')
    .values({
      national_code: a.nationalCode,
      status: 'pending_verification',
      origin: 'central',
      first_name: a.firstName,
      last_name: a.lastName,
      gender: a.gender,
      birth_date: a.birthDate,
      birth_certificate_number: a.birthCertificateNumber,
      birth_certificate_serial: a.birthCertificateSerial,
      birth_certificate_series: a.birthCertificateSeries,
      country: a.country,
      city: a.city,
      mobile: a.mobile,
      mobile_operator: a.mobileOperator,
      mobile_verified_at: a.mobileVerifiedAt,
      email: a.email,
      password_hash: a.passwordHash,
      security_question: a.securityQuestion,
      security_answer_hash: a.securityAnswerHash,
      created_at: a.createdAt,
      updated_at: a.createdAt,
    })
    .onConflict((oc) => oc.column('national_code').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function insertVerificationRequest(db: Queryable, accountId: string, createdAt: Date, dueAt: Date): Promise<string> {
  const row = await db
    .insertInto('verification_requests')
    .values({ account_id: accountId, created_at: createdAt, due_at: dueAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findAccountStatus(db: Queryable, nationalCode: string, mobile: string): Promise<AccountStatus | null> {
  const row = await db
    .selectFrom('accounts')
    .select('status')
    .where('national_code', '=', nationalCode)
    .where('mobile', '=', mobile)
    .executeTakeFirst();
  return row?.status ?? null;
}

export async function isRejected(db: Queryable, lookupHash: string): Promise<boolean> {
  const row = await db.selectFrom('registration_rejections').select('lookup_hash').where('lookup_hash', '=', lookupHash).executeTakeFirst();
  return row !== undefined;
}

export async function upsertRejection(db: Queryable, lookupHash: string, at: Date) {
  await db
    .insertInto('registration_rejections')
    .values({ lookup_hash: lookupHash, rejected_at: at })
    .onConflict((oc) => oc.column('lookup_hash').doUpdateSet({ rejected_at: at }))
    .execute();
}

/** `upsertRejection` for several hashes in one statement. */
export async function upsertRejections(db: Queryable, lookupHashes: readonly string[], at: Date) {
  const unique = [...new Set(lookupHashes)];
  if (unique.length === 0) return;
  await db
    .insertInto('registration_rejections')
    .values(unique.map((h) => ({ lookup_hash: h, rejected_at: at })))
    .onConflict((oc) => oc.column('lookup_hash').doUpdateSet({ rejected_at: at }))
    .execute();
}

export async function deleteRejection(db: Queryable, lookupHash: string) {
  await db.deleteFrom('registration_rejections').where('lookup_hash', '=', lookupHash).execute();
}
