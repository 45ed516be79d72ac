// SQL of identity proofing: the request with the account data it checks, the outcome
// writes, and the overdue list.
import type { Queryable } from '../db/database.js';
import type { AccountStatus, VerificationOutcome } from '../db/schema.js';

/** A request and the declared identity it checks (read without a lock, before the registries are asked). */
export function findRequestToCheck(db: Queryable, requestId: string) {
  return db
    .selectFrom('verification_requests as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .select([
      'r.id as requestId',
      'r.status as requestStatus',
      'r.created_at as submittedAt',
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
      'a.updated_at as accountUpdatedAt',
    ])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
}
export type RequestToCheck = NonNullable<Awaited<ReturnType<typeof findRequestToCheck>>>;

/** Locks the request for the rest of the transaction: one outcome per request, whoever runs it. */
export function lockRequest(db: Queryable, requestId: string) {
  return db
    .selectFrom('verification_requests as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .select(['r.status as requestStatus', 'a.id as accountId', 'a.updated_at as accountUpdatedAt'])
    .where('r.id', '=', requestId)
    .forUpdate('r')
    .executeTakeFirst();
}

/** Counts a run that could not finish (a registry down) and says why, for the overdue list. */
export async function recordUnfinishedRun(db: Queryable, requestId: string, reason: string) {
  await db
    .updateTable('verification_requests')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: reason.slice(0, 200) }))
    .where('id', '=', requestId)
    .where('status', '=', 'pending')
    .execute();
}

export async function completeRequest(db: Queryable, requestId: string, outcome: VerificationOutcome, at: Date) {
  await db
    .updateTable('verification_requests')
    .set({ status: 'completed', outcome, completed_at: at, last_error: null })
    .where('id', '=', requestId)
    .execute();
}

export async function setAccountStatus(db: Queryable, accountId: string, status: AccountStatus, at: Date) {
  await db
    .updateTable('accounts')
    .set({ status, updated_at: at, ...(status === 'active' ? { activated_at: at } : {}) })
    .where('id', '=', accountId)
    .where('status', '=', 'pending_verification')
    .execute();
}

/** Deletes a rejected registration with its personal data; the request goes with it (cascade). */
export async function deleteAccount(db: Queryable, accountId: string) {
  await db.deleteFrom('accounts').where('id', '=', accountId).where('status', '=', 'pending_verification').execute();
}

/** Pending requests submitted before `submittedBefore`, oldest first. */
export function listOverdue(db: Queryable, submittedBefore: Date, limit: number, offset: number) {
  return db
    .selectFrom('verification_requests as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .select([
      'r.id as requestId',
      'a.id as accountId',
      'a.national_code as nationalCode',
      'r.created_at as submittedAt',
      'r.due_at as dueAt',
      'r.attempts as attempts',
      'r.last_error as lastError',
    ])
    .where('r.status', '=', 'pending')
    .where('r.created_at', '<', submittedBefore)
    .orderBy('r.created_at', 'asc')
    .orderBy('r.id', 'asc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countOverdue(db: Queryable, submittedBefore: Date): Promise<number> {
  const row = await db
    .selectFrom('verification_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .where('created_at', '<', submittedBefore)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
