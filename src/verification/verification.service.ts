// Identity proofing of submitted registrations: a job per request, run after the
// configured delay, turning the registries' answers into one of three outcomes —
// active, awaiting_branch_visit, or rejected (the registration is deleted) — each
// announced by SMS enqueued in the transaction that makes the change.
//
// Idempotent by construction: the registries are asked without holding anything; then one
// transaction locks the request row (FOR UPDATE), returns if another run already decided,
// and writes account, request, SMS (idempotency key per request) and audit event together.
// A run killed before commit leaves no trace; a run after commit finds the request done.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import type { Config } from '../config.js';
import type { DB } from '../db/schema.js';
import { maskMobile } from '../identity/mobile.js';
import { maskNationalCode } from '../identity/nationalCode.js';
import type { JobQueue, QueueDefinition } from '../jobs/queue.js';
import type { SmsService, SmsTemplate } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { Registries } from '../registries/index.js';
import { t, type Lang } from '../web/i18n.js';
import { decide, type Decision, type RejectionReason } from './matching.js';
import * as q from './verification.queries.js';

/** The job queue of verifications; retry settings come from config (VERIFICATION_RETRY_*). */
export const VERIFICATION_QUEUE = {
  name: 'verification-run',
  // "Retry until it answers": with the delay capped at an hour, 1000 retries are weeks.
  retryLimit: 1000,
  retryDelaySeconds: 30,
  retryBackoff: true,
  retryDelayMaxSeconds: 3600,
  expireInSeconds: 300,
};

/** Thrown (so that the queue retries with backoff) when a registry cannot answer: never a "no". */
export class RegistryUnavailableError extends Error {
  override name = 'RegistryUnavailableError';
}

export type VerifyResult =
  | { kind: 'outcome'; outcome: Decision['outcome']; reason?: RejectionReason }
  /** Nothing to do: the request was decided by an earlier run, or no longer exists. */
  | { kind: 'already_done' };

export type OverdueVerification = {
  requestId: string;
  accountId: string;
  nationalCode: string | null;
  submittedAt: Date;
  dueAt: Date;
  /** Runs that could not reach a registry. */
  attempts: number;
  /** e.g. `civil_registry:timeout`. */
  lastError: string | null;
};

export type VerificationDeps = {
  db: Kysely<DB>;
  queue: JobQueue;
  config: Config;
  registries: Registries;
  sms: SmsService;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
};

type RejectionMemory = (trx: Kysely<DB>, nationalCode: string, mobile: string) => Promise<void>;

const TEMPLATE_OF: Record<Decision['outcome'], SmsTemplate> = {
  active: 'sms.verification_active',
  awaiting_branch_visit: 'sms.verification_branch_visit',
  rejected: 'sms.verification_mismatch',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The form of address by gender, e.g. «آقای رضایی» / «خانم احمدی». */
export function smsGreeting(lang: Lang, person: { gender: 'male' | 'female' | null; firstName: string | null; lastName: string | null }): string {
  const params = { firstName: person.firstName ?? '', lastName: person.lastName ?? '' };
  if (person.gender === 'male') return t(lang, 'sms.greeting_male', params);
  if (person.gender === 'female') return t(lang, 'sms.greeting_female', params);
  return t(lang, 'sms.greeting_neutral', params);
}

export function createVerificationService(deps: VerificationDeps) {
  const { db, queue, config, registries, sms, metrics, logger, clock } = deps;
  const settings = config.verification;
  let rememberRejection: RejectionMemory | undefined;
  const definition: QueueDefinition = {
    ...VERIFICATION_QUEUE,
    retryDelaySeconds: settings.retryDelaySeconds,
    retryDelayMaxSeconds: Math.max(settings.retryDelayMaxSeconds, settings.retryDelaySeconds),
  };
  // SMS go out in Persian: the portal does not know another language for the person yet.
  const smsLang: Lang = 'fa';
  const overdueBefore = () => new Date(clock().getTime() - settings.promiseHours * 3600_000);

  async function verify(requestId: string): Promise<VerifyResult> {
    if (typeof requestId !== 'string' || !UUID.test(requestId)) return { kind: 'already_done' };
    const request = await q.findRequestToCheck(db, requestId);
    if (!request || request.requestStatus !== 'pending' || request.accountStatus !== 'pending_verification') {
      metrics.verificationRuns.inc({ result: 'already_done' });
      return { kind: 'already_done' };
    }
    const { nationalCode, mobile, firstName, lastName, gender, birthDate } = request;
    const { birthCertificateNumber, birthCertificateSerial, birthCertificateSeries } = request;
    if (!nationalCode || !mobile || !firstName || !lastName || !gender || !birthDate || !birthCertificateNumber || !birthCertificateSerial || !birthCertificateSeries) {
      // Central registration always stores these; a row without them is a defect to look at, not a person to reject.
      throw new Error(`verification ${requestId}: the account lacks the declared identity`);
    }

    // Ask the registries before taking any lock: they may take seconds.
    const [civil, ownership] = await Promise.all([
      registries.civilRegistry.lookup(nationalCode),
      registries.mobileOwnership.check(nationalCode, mobile),
    ]);
    if (civil.kind === 'unavailable' || ownership.kind === 'unavailable') {
      const reason = civil.kind === 'unavailable' ? `civil_registry:${civil.reason}` : `mobile_ownership:${(ownership as { reason: string }).reason}`;
      await q.recordUnfinishedRun(db, requestId, reason);
      metrics.verificationRuns.inc({ result: 'registry_unavailable' });
      logger.warn({ requestId, reason }, 'verification postponed: a registry did not answer');
      throw new RegistryUnavailableError(reason);
    }

    const decision = decide({
      claimed: { firstName, lastName, gender, birthDate, birthCertificateNumber, birthCertificateSerial, birthCertificateSeries },
      civil,
      ownership,
      mobileProven: request.mobileVerifiedAt !== null,
      rules: settings.branchVisitRules,
    });
    const now = clock();
    const greeting = smsGreeting(smsLang, { gender, firstName, lastName });

    const applied = await db.transaction().execute(async (trx) => {
      const locked = await q.lockRequest(trx, requestId);
      if (!locked || locked.requestStatus !== 'pending') return false;
      if (locked.accountUpdatedAt.getTime() !== request.accountUpdatedAt.getTime()) {
        // Changed between our read and the lock: decide again on fresh data (the queue retries).
        throw new Error(`verification ${requestId}: the account changed while it was being checked`);
      }
      const accountId = locked.accountId;
      await sms.enqueue(trx, {
        to: mobile,
        template: TEMPLATE_OF[decision.outcome],
        params: { greeting, firstName, lastName },
        lang: smsLang,
        idempotencyKey: `verification-outcome:${requestId}`,
        accountId,
      });
      if (decision.outcome === 'rejected') {
        if (!rememberRejection) throw new Error('verification: rejection memory is not wired');
        await rememberRejection(trx, nationalCode, mobile);
        await q.deleteAccount(trx, accountId);
        // No personal data: which rule refused and which fields differed, never their values.
        await recordAudit(trx, {
          actorType: 'system',
          accountId,
          event: 'verification.rejected',
          data: { requestId, reason: decision.reason, fields: decision.fields },
          at: now,
        });
      } else {
        await q.setAccountStatus(trx, accountId, decision.outcome === 'active' ? 'active' : 'awaiting_branch_visit', now);
        await q.completeRequest(trx, requestId, decision.outcome, now);
        await recordAudit(trx, {
          actorType: 'system',
          accountId,
          event: decision.outcome === 'active' ? 'verification.activated' : 'verification.awaiting_branch_visit',
          data: { requestId, ...(decision.outcome === 'awaiting_branch_visit' ? { causes: decision.causes } : {}) },
          at: now,
        });
      }
      return true;
    });
    if (!applied) {
      metrics.verificationRuns.inc({ result: 'already_done' });
      return { kind: 'already_done' };
    }
    const reason = decision.outcome === 'rejected' ? decision.reason : undefined;
    metrics.verificationRuns.inc({ result: 'outcome' });
    metrics.verificationOutcomes.inc({ outcome: decision.outcome, reason: reason ?? '' });
    metrics.verificationSeconds.observe(Math.max(0, (now.getTime() - request.submittedAt.getTime()) / 1000));
    logger.info(
      { requestId, outcome: decision.outcome, reason, nc: maskNationalCode(nationalCode), m: maskMobile(mobile) },
      'verification decided',
    );
    return { kind: 'outcome', outcome: decision.outcome, ...(reason ? { reason } : {}) };
  }

  queue.define<{ requestId: string }>(definition, async (job) => {
    await verify(job.data.requestId);
  });
  metrics.sources.queueDepth.set(VERIFICATION_QUEUE.name, () => queue.depth(VERIFICATION_QUEUE.name));
  metrics.sources.overdueVerifications = () => q.countOverdue(db, overdueBefore());

  return {
    /** Enqueues the check of a request inside the registration's transaction. */
    async schedule(trx: Kysely<DB>, requestId: string, dueInSeconds: number): Promise<void> {
      await queue.send(VERIFICATION_QUEUE.name, { requestId }, { trx, startAfterSeconds: dueInSeconds, singletonKey: requestId });
    },
    setRejectionMemory(fn: RejectionMemory) {
      rememberRejection = fn;
    },
    /** Checks one request now (the job handler; also for tools). Throws RegistryUnavailableError to be retried. */
    verify,
    /**
     * Requests without an outcome past the promised time (VERIFICATION_PROMISE_HOURS),
     * oldest first — for the back office. `total` counts them all.
     */
    async listOverdue(options: { limit?: number; offset?: number } = {}): Promise<{ total: number; requests: OverdueVerification[] }> {
      const before = overdueBefore();
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
      const [requests, total] = await Promise.all([
        q.listOverdue(db, before, limit, Math.max(options.offset ?? 0, 0)),
        q.countOverdue(db, before),
      ]);
      return { total, requests };
    },
    /** How many requests are overdue (the metric reads this on each scrape). */
    countOverdue: () => q.countOverdue(db, overdueBefore()),
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
