// SQL of identity proofing: the request with the account data it checks, the outcome
// writes, and the overdue list.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { VerificationOutcome } from '../db/schema.js';

/** Requests to check (the declared identity they check is read from the accounts capability). */
export function findRequests(db: Queryable, requestIds: readonly string[]) {
  return db
    .selectFrom('verification_requests as r')
    .select(['r.id as requestId', 'r.status as requestStatus', 'r.created_at as submittedAt', 'r.account_id as accountId'])
    .where(sql<boolean>`r.id = any(${[...requestIds]}::uuid[])`)
    .execute();
}

/**
 * Locks the requests for the rest of the transaction: one outcome per request, whoever runs
 * it. In id order, so that two batches sharing requests take their locks in the same order.
 */
export function lockRequests(db: Queryable, requestIds: readonly string[]) {
  return db
    .selectFrom('verification_requests as r')
    .select(['r.id as requestId', 'r.status as requestStatus', 'r.account_id as accountId'])
    .where(sql<boolean>`r.id = any(${[...requestIds]}::uuid[])`)
    .orderBy('r.id')
    .forUpdate()
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

/** Requests completed with their outcome (a rejected one goes with its account). */
export async function completeRequests(
  db: Queryable,
  outcomes: readonly { requestId: string; outcome: VerificationOutcome }[],
  at: Date,
) {
  if (outcomes.length === 0) return;
  await sql`
    UPDATE verification_requests r
    SET status = 'completed', outcome = v.outcome, completed_at = ${at}::timestamptz, last_error = NULL
    FROM unnest(${outcomes.map((o) => o.requestId)}::uuid[], ${outcomes.map((o) => o.outcome)}::text[]) AS v(request_id, outcome)
    WHERE r.id = v.request_id`.execute(db);
}

/** Pending requests submitted before `submittedBefore`, oldest first. */
export function listOverdue(db: Queryable, submittedBefore: Date, limit: number, offset: number) {
  return db
    .selectFrom('verification_requests as r')
    .select([
      'r.id as requestId',
      'r.account_id as accountId',
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
