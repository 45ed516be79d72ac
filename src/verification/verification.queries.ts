// SQL of identity proofing: the request with the account data it checks, the outcome
// writes, and the overdue list.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { VerificationOutcome } from '../db/schema.js';

/** Requests and the declared identity they check (read without a lock, before the registries are asked). */
export function findRequestsToCheck(db: Queryable, requestIds: readonly string[]) {
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
    .where(sql<boolean>`r.id = any(${[...requestIds]}::uuid[])`)
    .execute();
}
export type RequestToCheck = Awaited<ReturnType<typeof findRequestsToCheck>>[number];

/**
 * Locks the requests for the rest of the transaction: one outcome per request, whoever runs
 * it. In id order, so that two batches sharing requests take their locks in the same order.
 */
export function lockRequests(db: Queryable, requestIds: readonly string[]) {
  return db
    .selectFrom('verification_requests as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .select(['r.id as requestId', 'r.status as requestStatus', 'a.id as accountId', 'a.updated_at as accountUpdatedAt'])
    .where(sql<boolean>`r.id = any(${[...requestIds]}::uuid[])`)
    .orderBy('r.id')
    .forUpdate('r')
    .execute();
}

/** Counts a run that could not finish (a registry down) and says why, for the overdue list. */
export async function recordUnfinishedRuns(db: Queryable, requestIds: readonly string[], reason: string) {
  await db
    .updateTable('verification_requests')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: reason.slice(0, 200) }))
    .where(sql<boolean>`id = any(${[...requestIds]}::uuid[])`)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * The outcomes that keep the account, in one statement: each account takes its status
 * (activated_at when active) if still pending, each request is completed with its outcome.
 */
export async function applyOutcomes(
  db: Queryable,
  outcomes: readonly { requestId: string; accountId: string; outcome: VerificationOutcome }[],
  at: Date,
) {
  if (outcomes.length === 0) return;
  await sql`
    WITH v AS (
      SELECT * FROM unnest(${outcomes.map((o) => o.requestId)}::uuid[], ${outcomes.map((o) => o.accountId)}::uuid[], ${outcomes.map((o) => o.outcome)}::text[])
        AS v(request_id, account_id, outcome)
    ), accounts_done AS (
      UPDATE accounts a
      SET status = v.outcome,
          updated_at = ${at}::timestamptz,
          activated_at = CASE WHEN v.outcome = 'active' THEN ${at}::timestamptz ELSE a.activated_at END
      FROM v
      WHERE a.id = v.account_id AND a.status = 'pending_verification'
      RETURNING a.id
    )
    UPDATE verification_requests r
    SET status = 'completed', outcome = v.outcome, completed_at = ${at}::timestamptz, last_error = NULL
    FROM v
    WHERE r.id = v.request_id`.execute(db);
}

/** Deletes rejected registrations with their personal data; the requests go with them (cascade). */
export async function deleteAccounts(db: Queryable, accountIds: readonly string[]) {
  if (accountIds.length === 0) return;
  await db
    .deleteFrom('accounts')
    .where(sql<boolean>`id = any(${[...accountIds]}::uuid[])`)
    .where('status', '=', 'pending_verification')
    .execute();
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

export type RejectionRecord = {
  requestId: string;
  nationalCodeHash: string;
  nationalCodeMasked: string;
  reason: 'not_in_civil_registry' | 'deceased' | 'details_mismatch' | 'mobile_not_owned';
  fields: readonly string[];
  submittedAt: Date;
  rejectedAt: Date;
};

/** Keeps why requests were rejected (field names only), in the transaction that deletes them. */
export async function insertRejections(db: Queryable, rows: readonly RejectionRecord[]) {
  if (rows.length === 0) return;
  await db
    .insertInto('verification_rejections')
    .values(
      rows.map((r) => ({
        request_id: r.requestId,
        national_code_hash: r.nationalCodeHash,
        national_code_masked: r.nationalCodeMasked,
        reason: r.reason,
        fields: [...r.fields],
        submitted_at: r.submittedAt,
        rejected_at: r.rejectedAt,
      })),
    )
    .onConflict((oc) => oc.column('request_id').doNothing())
    .execute();
}

/** Forgets rejections older than `before` (housekeeping). */
export async function deleteRejectionsBefore(db: Queryable, before: Date): Promise<number> {
  const r = await db.deleteFrom('verification_rejections').where('rejected_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
