// SQL of doctors' registration: the doctors row of an account and its status history.
// Kysely only; no rules, no user-facing errors.
import type { Selectable } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { DoctorRejectionReason, DoctorStatus, DoctorsTable, DoctorStatusChangesTable } from '../db/schema.js';

export type DoctorRow = Selectable<DoctorsTable>;
export type DoctorStatusChangeRow = Selectable<DoctorStatusChangesTable>;

export async function findByAccount(db: Queryable, accountId: string): Promise<DoctorRow | undefined> {
  return db.selectFrom('doctors').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** The row of an account, locked until the end of the transaction. */
export async function lockByAccount(trx: Queryable, accountId: string): Promise<DoctorRow | undefined> {
  return trx.selectFrom('doctors').selectAll().where('account_id', '=', accountId).forUpdate().executeTakeFirst();
}

/** Another account holding (or waiting for) this number; rejected claims do not count. */
export async function findClaimOfNumber(db: Queryable, medicalCouncilNumber: string, exceptAccountId: string): Promise<{ account_id: string } | undefined> {
  return db
    .selectFrom('doctors')
    .select('account_id')
    .where('medical_council_number', '=', medicalCouncilNumber)
    .where('status', '<>', 'rejected')
    .where('account_id', '<>', exceptAccountId)
    .executeTakeFirst();
}

/** A new request: the account's row (a rejected one is replaced) back to pending. */
export async function upsertPending(
  trx: Queryable,
  r: { accountId: string; medicalCouncilNumber: string; lang: 'fa' | 'en'; at: Date },
): Promise<void> {
  await trx
    .insertInto('doctors')
    .values({
      account_id: r.accountId,
      medical_council_number: r.medicalCouncilNumber,
      status: 'pending_verification',
      rejection_reason: null,
      specialty: null,
      licence_valid_until: null,
      lang: r.lang,
      submitted_at: r.at,
      decided_at: null,
      attempts: 0,
      last_error: null,
      updated_at: r.at,
    })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({
        medical_council_number: r.medicalCouncilNumber,
        status: 'pending_verification',
        rejection_reason: null,
        specialty: null,
        licence_valid_until: null,
        lang: r.lang,
        submitted_at: r.at,
        decided_at: null,
        attempts: 0,
        last_error: null,
        updated_at: r.at,
      }),
    )
    .execute();
}

export async function setVerified(trx: Queryable, accountId: string, v: { specialty: string; licenceValidUntil: string; at: Date }): Promise<void> {
  await trx
    .updateTable('doctors')
    .set({ status: 'verified', rejection_reason: null, specialty: v.specialty, licence_valid_until: v.licenceValidUntil, decided_at: v.at, last_error: null, updated_at: v.at })
    .where('account_id', '=', accountId)
    .execute();
}

export async function setRejected(trx: Queryable, accountId: string, reason: DoctorRejectionReason, at: Date): Promise<void> {
  await trx
    .updateTable('doctors')
    .set({ status: 'rejected', rejection_reason: reason, decided_at: at, last_error: null, updated_at: at })
    .where('account_id', '=', accountId)
    .execute();
}

export async function setLicence(trx: Queryable, accountId: string, v: { specialty: string; licenceValidUntil: string; at: Date }): Promise<void> {
  await trx
    .updateTable('doctors')
    .set({ specialty: v.specialty, licence_valid_until: v.licenceValidUntil, last_error: null, updated_at: v.at })
    .where('account_id', '=', accountId)
    .execute();
}

/** A run that could not reach the registry (the job is retried). */
export async function recordUnfinishedRun(db: Queryable, accountId: string, error: string, at: Date): Promise<void> {
  await db
    .updateTable('doctors')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, updated_at: at }))
    .where('account_id', '=', accountId)
    .execute();
}

export async function insertStatusChange(
  trx: Queryable,
  c: { accountId: string; medicalCouncilNumber: string; status: DoctorStatus; reason: string | null; actorType: 'person' | 'system' | 'staff'; at: Date },
): Promise<void> {
  await trx
    .insertInto('doctor_status_changes')
    .values({ account_id: c.accountId, medical_council_number: c.medicalCouncilNumber, status: c.status, reason: c.reason, actor_type: c.actorType, occurred_at: c.at })
    .execute();
}

export async function listStatusChanges(db: Queryable, accountId: string, limit = 100): Promise<DoctorStatusChangeRow[]> {
  return db.selectFrom('doctor_status_changes').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(limit).execute();
}

/** Verified doctors whose licence ended before `today` (Jalali `YYYY-MM-DD`): to be checked again. */
export async function listLicencesEndedBefore(db: Queryable, today: string, limit: number): Promise<{ account_id: string; licence_valid_until: string | null }[]> {
  return db
    .selectFrom('doctors')
    .select(['account_id', 'licence_valid_until'])
    .where('status', '=', 'verified')
    .where('licence_valid_until', '<', today)
    .orderBy('licence_valid_until')
    .limit(limit)
    .execute();
}
