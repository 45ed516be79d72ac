// Doctors' registration: a signed-in person with an active account adds their medical
// council number; a job checks it against the medical council registry (number, national
// code and name must match, the licence must be valid today) and announces the outcome by
// SMS in the language the request was made in. A verified doctor holds the `doctor`
// permission on the account — granted (and taken back when a licence ends) through the
// injected grantPermission/revokePermission, never by writing accounts here.
//
// Like identity proofing: the registry is asked without holding anything; one transaction
// then locks the doctors row, leaves it alone if another run or a new request changed it,
// and writes the row, its history, the permission, the SMS and the audit event together.
// A registry that does not answer is "try again later" (the job is retried with backoff).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB, DoctorRejectionReason, DoctorStatus } from '../db/schema.js';
import { parseMedicalCouncilNumber } from '../identity/medicalCouncilNumber.js';
import { ok, type Result } from '../identity/result.js';
import type { JobQueue, QueueDefinition } from '../jobs/queue.js';
import type { SmsService, SmsTemplate } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { MedicalCouncil } from '../registries/types.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { RegistryUnavailableError, smsGreeting } from '../verification/verification.service.js';
import type { Lang } from '../messages/index.js';
import { createAccountCopies, type ChangeFeed } from '../db/changes.js';
import * as q from './doctors.queries.js';
import { decideDoctor, jalaliToday, type DoctorDecision } from './doctors.rules.js';

/** The permission a verified doctor holds (accounts.permissions). */
export const DOCTOR_PERMISSION = 'doctor';

/** The job queue of doctors' checks; retry settings follow VERIFICATION_RETRY_*. */
export const DOCTOR_VERIFICATION_QUEUE = {
  name: 'doctor-verification',
  // "Retry until it answers", as identity proofing does.
  retryLimit: 1000,
  retryDelaySeconds: 30,
  retryBackoff: true,
  retryDelayMaxSeconds: 3600,
  expireInSeconds: 300,
};

/** What the doctors capability needs to know about the person (from the account's owner). */
export type DoctorPerson = {
  status: 'pending_verification' | 'awaiting_branch_visit' | 'active';
  nationalCode: string | null;
  firstName: string | null;
  lastName: string | null;
  gender: 'male' | 'female' | null;
  mobile: string | null;
};

export type PermissionActor = { type: 'person' | 'system' | 'staff'; id?: string | null };
/** Grants or takes back a permission on the account, inside the caller's transaction (idempotent). */
export type PermissionChange = (trx: Kysely<DB>, accountId: string, permission: string, actor: PermissionActor) => Promise<void>;

export type DoctorsDeps = {
  db: Kysely<DB>;
  queue: JobQueue;
  config: Config;
  medicalCouncil: MedicalCouncil;
  sms: SmsService;
  limiter: RateLimiter<RateLimitName>;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  /** Announces this process's changes of a doctor record (copies of the summary go). */
  changes: ChangeFeed;
  /** The account's state and identity (null: no such account). */
  findPerson: (accountId: string) => Promise<DoctorPerson | null>;
  grantPermission: PermissionChange;
  revokePermission: PermissionChange;
};

/** getMe's `doctor` (API.md). */
export type DoctorSummary = { medicalCouncilNumber: string; specialty: string | null; status: DoctorStatus };

/** The person's own view (the account page). */
export type DoctorView = DoctorSummary & {
  rejectionReason: DoctorRejectionReason | null;
  licenceValidUntil: string | null;
  submittedAt: Date;
  decidedAt: Date | null;
};

/** The back office's view: the record, its history, how often the registry did not answer. */
export type DoctorRecordView = DoctorView & {
  attempts: number;
  lastError: string | null;
  history: { at: Date; status: DoctorStatus; reason: string | null; actorType: 'person' | 'system' | 'staff' }[];
};

export type DoctorCheckResult = { kind: 'outcome'; decision: DoctorDecision; licenceCheck: boolean } | { kind: 'already_done' };

const REJECTION_SMS: Record<DoctorRejectionReason, SmsTemplate> = {
  not_in_registry: 'sms.doctor_not_matched',
  national_code_mismatch: 'sms.doctor_not_matched',
  name_mismatch: 'sms.doctor_not_matched',
  licence_expired: 'sms.doctor_licence_expired',
};

function view(row: q.DoctorRow): DoctorView {
  return {
    medicalCouncilNumber: row.medical_council_number,
    specialty: row.specialty,
    status: row.status,
    rejectionReason: row.rejection_reason,
    licenceValidUntil: row.licence_valid_until,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
  };
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown })?.code === '23505';

export function createDoctorsService(deps: DoctorsDeps) {
  const { db, queue, config, medicalCouncil, sms, limiter, logger, clock, changes } = deps;
  // The doctor record as getMe, the account page and single sign-on's claims read it, by
  // account (db/changes.ts).
  const records = createAccountCopies<Awaited<ReturnType<typeof q.findByAccount>> | null>(changes, { max: 20_000, ttlMs: 60_000 });
  const recordOf = async (accountId: string) => (await records.read(accountId, async () => ({ accountId, value: (await q.findByAccount(db, accountId)) ?? null }))) ?? null;
  const definition: QueueDefinition = {
    ...DOCTOR_VERIFICATION_QUEUE,
    retryDelaySeconds: config.verification.retryDelaySeconds,
    retryDelayMaxSeconds: Math.max(config.verification.retryDelayMaxSeconds, config.verification.retryDelaySeconds),
  };
  const conflictOf = (status: DoctorStatus | undefined): Failure | null =>
    status === 'verified'
      ? { kind: 'conflict', code: 'doctors.already_doctor' }
      : status === 'pending_verification'
        ? { kind: 'conflict', code: 'doctors.request_pending' }
        : null;

  /**
   * Registers the request and enqueues its check, in one transaction. 400 bad number,
   * 403 account not active (or without a national code), 409 already a doctor / a request
   * pending / the number held by another account, 429 too many requests.
   */
  async function register(
    accountId: string,
    body: Record<string, unknown>,
    meta: { ip: string | null; lang: Lang },
  ): Promise<Result<{ status: 'pending_verification' }, Failure>> {
    const number = parseMedicalCouncilNumber(body.medicalCouncilNumber);
    if (!number.ok) return invalid({ medicalCouncilNumber: number.error });
    const person = await deps.findPerson(accountId);
    if (!person || person.status !== 'active') return fail('forbidden', 'doctors.account_not_active');
    // The medical council knows doctors by national code.
    if (!person.nationalCode) return fail('forbidden', 'doctors.national_code_required');
    const early = conflictOf((await q.findByAccount(db, accountId))?.status);
    if (early) return { ok: false, error: early };
    const limit = await limiter.consume('doctorRegistrationPerAccount', accountId);
    if (!limit.allowed) {
      return fail('limited', 'doctors.limited', { retryAfterSeconds: limit.retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)) } });
    }
    const now = clock();
    try {
      return await db.transaction().execute(async (trx): Promise<Result<{ status: 'pending_verification' }, Failure>> => {
        const current = await q.lockByAccount(trx, accountId);
        const conflict = conflictOf(current?.status);
        if (conflict) return { ok: false, error: conflict };
        if (await q.findClaimOfNumber(trx, number.value, accountId)) return fail('conflict', 'doctors.number_taken');
        await q.upsertPending(trx, { accountId, medicalCouncilNumber: number.value, lang: meta.lang, at: now });
        changes.changed(accountId);
        await q.insertStatusChange(trx, { accountId, medicalCouncilNumber: number.value, status: 'pending_verification', reason: null, actorType: 'person', at: now });
        await queue.send(DOCTOR_VERIFICATION_QUEUE.name, { accountId }, { trx, singletonKey: `doctor:${accountId}:${now.getTime()}` });
        // The medical council number is a public professional identifier, not personal data.
        await recordAudit(trx, { actorType: 'person', actorId: accountId, accountId, event: 'doctors.requested', data: { medicalCouncilNumber: number.value }, ip: meta.ip, at: now });
        return ok({ status: 'pending_verification' });
      });
    } catch (error) {
      // Two accounts claiming one number at the same moment: the partial unique index decides.
      if (isUniqueViolation(error)) return fail('conflict', 'doctors.number_taken');
      throw error;
    }
  }

  /**
   * Checks the account's request (or, for a verified doctor whose licence has ended, the
   * licence again). Throws RegistryUnavailableError when the registry does not answer: the
   * job is retried. Idempotent: a request decided meanwhile is left alone.
   */
  async function check(accountId: string): Promise<DoctorCheckResult> {
    const row = await q.findByAccount(db, accountId);
    if (!row || row.status === 'rejected') return { kind: 'already_done' };
    const licenceCheck = row.status === 'verified';
    if (licenceCheck && row.licence_valid_until !== null && row.licence_valid_until >= jalaliToday(clock())) return { kind: 'already_done' };
    const person = await deps.findPerson(accountId);
    if (!person?.nationalCode) return { kind: 'already_done' };

    const answer = await medicalCouncil.lookup(row.medical_council_number);
    if (answer.kind === 'unavailable') {
      const reason = `medical_council:${answer.reason}`;
      await q.recordUnfinishedRun(db, accountId, reason, clock());
      logger.warn({ accountId, reason }, 'doctor check postponed: the medical council registry did not answer');
      throw new RegistryUnavailableError(reason);
    }
    const now = clock();
    const decision = decideDoctor({
      claimed: { nationalCode: person.nationalCode, firstName: person.firstName, lastName: person.lastName },
      registry: answer,
      today: jalaliToday(now),
    });

    const applied = await db.transaction().execute(async (trx) => {
      const locked = await q.lockByAccount(trx, accountId);
      // A new request (or another run) changed the row since it was read: nothing to do here.
      if (
        !locked ||
        locked.status !== row.status ||
        locked.medical_council_number !== row.medical_council_number ||
        locked.submitted_at.getTime() !== row.submitted_at.getTime() ||
        locked.licence_valid_until !== row.licence_valid_until
      ) {
        return false;
      }
      const number = row.medical_council_number;
      const base = { accountId, medicalCouncilNumber: number, at: now };
      const smsOf = async (template: SmsTemplate) => {
        if (!person.mobile) return;
        await sms.enqueue(trx, {
          to: person.mobile,
          template,
          params: { greeting: smsGreeting(row.lang, person), number, firstName: person.firstName ?? '', lastName: person.lastName ?? '' },
          lang: row.lang,
          idempotencyKey: `doctor-outcome:${accountId}:${row.submitted_at.getTime()}:${licenceCheck ? `licence:${row.licence_valid_until}` : 'request'}`,
          accountId,
        });
      };
      if (decision.outcome === 'verified') {
        if (licenceCheck) {
          // Renewed: the registry now has a later date. The permission stays.
          await q.setLicence(trx, accountId, { specialty: decision.specialty, licenceValidUntil: decision.licenceValidUntil, at: now });
          changes.changed(accountId);
          await recordAudit(trx, { actorType: 'system', accountId, event: 'doctors.licence_renewed', data: { medicalCouncilNumber: number, licenceValidUntil: decision.licenceValidUntil }, at: now });
          return true;
        }
        await q.setVerified(trx, accountId, { specialty: decision.specialty, licenceValidUntil: decision.licenceValidUntil, at: now });
        changes.changed(accountId);
        await q.insertStatusChange(trx, { ...base, status: 'verified', reason: null, actorType: 'system' });
        await deps.grantPermission(trx as Kysely<DB>, accountId, DOCTOR_PERMISSION, { type: 'system' });
        await smsOf('sms.doctor_verified');
        await recordAudit(trx, { actorType: 'system', accountId, event: 'doctors.verified', data: { medicalCouncilNumber: number }, at: now });
        return true;
      }
      await q.setRejected(trx, accountId, decision.reason, now);
      changes.changed(accountId);
      await q.insertStatusChange(trx, { ...base, status: 'rejected', reason: decision.reason, actorType: 'system' });
      if (licenceCheck) {
        await deps.revokePermission(trx as Kysely<DB>, accountId, DOCTOR_PERMISSION, { type: 'system' });
        await smsOf(decision.reason === 'licence_expired' ? 'sms.doctor_licence_ended' : REJECTION_SMS[decision.reason]);
        await recordAudit(trx, { actorType: 'system', accountId, event: 'doctors.licence_ended', data: { medicalCouncilNumber: number, reason: decision.reason }, at: now });
      } else {
        await smsOf(REJECTION_SMS[decision.reason]);
        await recordAudit(trx, { actorType: 'system', accountId, event: 'doctors.rejected', data: { medicalCouncilNumber: number, reason: decision.reason }, at: now });
      }
      return true;
    });
    if (!applied) return { kind: 'already_done' };
    logger.info({ accountId, outcome: decision.outcome, reason: decision.outcome === 'rejected' ? decision.reason : undefined, licenceCheck }, 'doctor check decided');
    return { kind: 'outcome', decision, licenceCheck };
  }

  queue.define<{ accountId?: unknown }>(definition, async (job) => {
    const accountId = job.data?.accountId;
    if (typeof accountId !== 'string') return;
    await check(accountId);
  });
  // A medical council registry that stays down shows as a growing queue.
  deps.metrics.sources.queueDepth.set(DOCTOR_VERIFICATION_QUEUE.name, () => queue.depth(DOCTOR_VERIFICATION_QUEUE.name));

  return {
    register,
    check,
    /** getMe's `doctor`: null when the person never added a number. */
    async summaryOf(accountId: string): Promise<DoctorSummary | null> {
      const row = await recordOf(accountId);
      return row ? { medicalCouncilNumber: row.medical_council_number, specialty: row.specialty, status: row.status } : null;
    },
    async viewOf(accountId: string): Promise<DoctorView | null> {
      const row = await q.findByAccount(db, accountId);
      return row ? view(row) : null;
    },
    /** The back office's view of a person's doctor record and its history. */
    async recordOf(accountId: string): Promise<DoctorRecordView | null> {
      const row = await q.findByAccount(db, accountId);
      if (!row) return null;
      const history = await q.listStatusChanges(db, accountId);
      return {
        ...view(row),
        attempts: row.attempts,
        lastError: row.last_error,
        history: history.map((h) => ({ at: h.occurred_at, status: h.status, reason: h.reason, actorType: h.actor_type })),
      };
    },
    /**
     * The single sign-on claims of scope `doctor`: only for a verified doctor whose licence
     * is valid today (a licence that ended is not vouched for while its re-check is pending).
     */
    async claimsOf(accountId: string): Promise<{ medical_council_number: string; specialty: string } | null> {
      const row = await recordOf(accountId);
      if (!row || row.status !== 'verified' || row.specialty === null) return null;
      if (row.licence_valid_until === null || row.licence_valid_until < jalaliToday(clock())) return null;
      return { medical_council_number: row.medical_council_number, specialty: row.specialty };
    },
    /** Housekeeping: enqueues a check of every verified doctor whose licence has ended (renewed, or the permission goes). */
    async recheckEndedLicences(): Promise<number> {
      const due = await q.listLicencesEndedBefore(db, jalaliToday(clock()), 500);
      for (const d of due) {
        await queue.send(DOCTOR_VERIFICATION_QUEUE.name, { accountId: d.account_id }, { singletonKey: `doctor-licence:${d.account_id}:${d.licence_valid_until}` });
      }
      return due.length;
    },
  };
}

export type DoctorsService = ReturnType<typeof createDoctorsService>;
