// SQL of central registration: flows, the new account and its verification request.
import type { Queryable } from '../db/database.js';

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

export async function insertVerificationRequest(db: Queryable, accountId: string, createdAt: Date, dueAt: Date): Promise<string> {
  const row = await db
    .insertInto('verification_requests')
    .values({ account_id: accountId, created_at: createdAt, due_at: dueAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
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
