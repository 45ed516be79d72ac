// Identity proofing of submitted registrations: a job per request, run after the
// configured delay, turning the registries' answers into one of three outcomes —
// active, awaiting_branch_visit, or rejected (the registration is deleted) — each
// announced by SMS enqueued in the transaction that makes the change.
//
// Jobs are handled a pg-boss batch at a time, with a handful of statements per batch rather
// than per request. Idempotent by construction: the registries are asked without holding
// anything; then one transaction locks the batch's request rows (FOR UPDATE), leaves out
// those another run already decided, and writes accounts, requests, SMS (idempotency key per
// request) and audit events together. A run killed before commit leaves no trace; a run
// after commit finds the requests done.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DB } from '../db/schema.js';
import { maskMobile } from '../identity/mobile.js';
import { maskNationalCode } from '../identity/nationalCode.js';
import type { JobQueue, QueueDefinition } from '../jobs/queue.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { Registries } from '../registries/index.js';
import { createSecrets, resolveSecretKey, type Secrets } from '../security/secrets.js';
import { t, type Lang } from '../messages/index.js';
import { decide, type Decision, type RejectionReason } from './matching.js';
import * as q from './verification.queries.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { TransitionName } from '../accounts/transitions.js';

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

/** A request with the declared identity it checks. */
type RequestToCheck = Awaited<ReturnType<typeof q.findRequests>>[number] & Awaited<ReturnType<AccountsService['declaredIdentities']>>[number];

export type VerificationDeps = {
  accounts: AccountsService;
  db: Kysely<DB>;
  queue: JobQueue;
  config: Config;
  registries: Registries;
  sms: SmsService;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  /** For the keyed hash of a national code on a kept rejection; derived from config when absent. */
  secrets?: Secrets;
};

/** How long why a registration was rejected stays for staff (then housekeeping forgets it). */
export const REJECTION_RETENTION_DAYS = 180;

/** Keeps a hashed trace of rejected registrations (registration's rememberRejections). */
type RejectionMemory = (trx: Kysely<DB>, people: readonly { nationalCode: string; mobile: string }[]) => Promise<void>;

/** The result of one request in a batch; `retry`: its job fails and is retried with backoff. */
export type BatchResult = VerifyResult | { kind: 'retry'; error: Error };

/** Registry look-ups in flight per batch (an http registry should not get a whole batch at once). */
const LOOKUP_CONCURRENCY = 16;

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The account's transition of each outcome (its SMS and audit event are in the transition table). */
const TRANSITION_OF = {
  active: 'activate',
  awaiting_branch_visit: 'sendToBranch',
  rejected: 'reject',
} as const satisfies Record<Decision['outcome'], TransitionName>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The form of address by gender, e.g. «آقای رضایی» / «خانم احمدی». */
export function smsGreeting(lang: Lang, person: { gender: 'male' | 'female' | null; firstName: string | null; lastName: string | null }): string {
  const params = { firstName: person.firstName ?? '', lastName: person.lastName ?? '' };
  if (person.gender === 'male') return t(lang, 'sms.greeting_male', params);
  if (person.gender === 'female') return t(lang, 'sms.greeting_female', params);
  return t(lang, 'sms.greeting_neutral', params);
}

export function createVerificationService(deps: VerificationDeps) {
  const { db, queue, config, registries, metrics, logger, clock } = deps;
  const settings = config.verification;
  let rememberRejections: RejectionMemory | undefined;
  const definition: QueueDefinition = {
    ...VERIFICATION_QUEUE,
    retryDelaySeconds: settings.retryDelaySeconds,
    retryDelayMaxSeconds: Math.max(settings.retryDelayMaxSeconds, settings.retryDelaySeconds),
  };
  const overdueBefore = () => new Date(clock().getTime() - settings.promiseHours * 3600_000);
  const secrets = deps.secrets ?? createSecrets(resolveSecretKey(config.secretKey, config.dataDir));
  /** The look-up key of a national code on kept rejections (the back office searches by it). */
  const rejectionKey = (nationalCode: string) => secrets.hmac('verification-rejection', nationalCode);

  /** A request ready to be written: read, asked about, decided (no lock held yet). */
  type Decided = { request: RequestToCheck; nationalCode: string; mobile: string; decision: Decision; greeting: string };

  /**
   * Writes the decisions in one transaction: locks the requests (FOR UPDATE, in id order),
   * drops those another run decided meanwhile (already_done) and those whose account changed
   * since it was read (retried: decided again on fresh data), then writes accounts, requests,
   * rejections, SMS with their delivery jobs, and audit events, a statement per kind.
   */
  async function apply(items: readonly Decided[], now: Date): Promise<Map<string, 'applied' | 'already_done' | Error>> {
    return db.transaction().execute(async (trx) => {
      const result = new Map<string, 'applied' | 'already_done' | Error>();
      const locked = new Map((await q.lockRequests(trx, items.map((i) => i.request.requestId))).map((l) => [l.requestId, l]));
      const accountsNow = new Map((await deps.accounts.lockMany(trx, [...new Set([...locked.values()].map((l) => l.accountId))])).map((a) => [a.id, a]));
      const go: (Decided & { accountId: string })[] = [];
      for (const item of items) {
        const { requestId } = item.request;
        const l = locked.get(requestId);
        const account = l ? accountsNow.get(l.accountId) : undefined;
        if (!l || l.requestStatus !== 'pending' || !account) result.set(requestId, 'already_done');
        else if (account.updated_at.getTime() !== item.request.accountUpdatedAt.getTime()) {
          // Changed between our read and the lock: decide again on fresh data (the queue retries).
          result.set(requestId, new Error(`verification ${requestId}: the account changed while it was being checked`));
        } else {
          go.push({ ...item, accountId: l.accountId });
          result.set(requestId, 'applied');
        }
      }
      if (go.length === 0) return result;
      const rejected = go.filter((i) => i.decision.outcome === 'rejected');
      if (rejected.length > 0) {
        if (!rememberRejections) throw new Error('verification: rejection memory is not wired');
        await rememberRejections(trx, rejected.map((i) => ({ nationalCode: i.nationalCode, mobile: i.mobile })));
        // For staff: why, by field name only (the account and its request go next).
        await q.insertRejections(
          trx,
          rejected.flatMap(({ request, nationalCode, decision }) =>
            decision.outcome !== 'rejected'
              ? []
              : [
                  {
                    requestId: request.requestId,
                    nationalCodeHash: rejectionKey(nationalCode),
                    nationalCodeMasked: maskNationalCode(nationalCode),
                    reason: decision.reason,
                    fields: decision.fields,
                    submittedAt: request.submittedAt,
                    rejectedAt: now,
                  },
                ],
          ),
        );
      }
      await q.completeRequests(
        trx,
        go.flatMap((i) => (i.decision.outcome === 'rejected' ? [] : [{ requestId: i.request.requestId, outcome: i.decision.outcome }])),
        now,
      );
      // The account's transitions (activate, sendToBranch, reject) with their SMS and audit
      // events, in this transaction; the audit chain locks are held only from here to COMMIT.
      await deps.accounts.settleProofing(
        trx,
        go.map(({ request, mobile, decision, greeting, accountId }) => {
          const requestId = request.requestId;
          return {
            accountId,
            transition: TRANSITION_OF[decision.outcome],
            mobile,
            smsParams: { greeting, firstName: request.firstName!, lastName: request.lastName! },
            smsKey: `verification-outcome:${requestId}`,
            // No personal data: which rule refused and which fields differed, never their values.
            auditData:
              decision.outcome === 'rejected'
                ? { requestId, reason: decision.reason, fields: decision.fields }
                : { requestId, ...(decision.outcome === 'awaiting_branch_visit' ? { causes: decision.causes } : {}) },
          };
        }),
      );
      return result;
    });
  }

  /**
   * Checks a batch of requests: one read for all of them, the registries asked in parallel
   * without holding anything, then one transaction for every decision (see apply). Each id
   * gets its result; `retry` means the job should fail and be retried with backoff (a registry
   * down, the account changed meanwhile, or a write that failed).
   */
  async function verifyBatch(requestIds: readonly unknown[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    const ids = [...new Set(requestIds.filter((id): id is string => typeof id === 'string' && UUID.test(id)).map((id) => id.toLowerCase()))];
    for (const id of requestIds) if (typeof id === 'string' && !UUID.test(id)) results.set(id, { kind: 'already_done' });
    if (ids.length === 0) return results;
    const requests = await q.findRequests(db, ids);
    const identities = new Map((await deps.accounts.declaredIdentities(requests.map((r) => r.accountId))).map((a) => [a.accountId, a]));
    const found = new Map<string, RequestToCheck>();
    for (const r of requests) {
      const a = identities.get(r.accountId);
      if (a) found.set(r.requestId, { ...r, ...a });
    }
    const toAsk: RequestToCheck[] = [];
    for (const id of ids) {
      const request = found.get(id);
      if (!request || request.requestStatus !== 'pending' || request.accountStatus !== 'pending_verification') {
        metrics.verificationRuns.inc({ result: 'already_done' });
        results.set(id, { kind: 'already_done' });
        continue;
      }
      const { nationalCode, mobile, firstName, lastName, gender, birthDate } = request;
      const { birthCertificateNumber, birthCertificateSerial, birthCertificateSeries } = request;
      if (!nationalCode || !mobile || !firstName || !lastName || !gender || !birthDate || !birthCertificateNumber || !birthCertificateSerial || !birthCertificateSeries) {
        // Central registration always stores these; a row without them is a defect to look at, not a person to reject.
        results.set(id, { kind: 'retry', error: new Error(`verification ${id}: the account lacks the declared identity`) });
        continue;
      }
      toAsk.push(request);
    }

    // Ask the registries before taking any lock: they may take seconds.
    type Answer =
      | { civil: Awaited<ReturnType<Registries['civilRegistry']['lookup']>>; ownership: Awaited<ReturnType<Registries['mobileOwnership']['check']>> }
      | { error: Error };
    const answers = await mapLimit(toAsk, LOOKUP_CONCURRENCY, async (request): Promise<Answer> => {
      try {
        const [civil, ownership] = await Promise.all([
          registries.civilRegistry.lookup(request.nationalCode!),
          registries.mobileOwnership.check(request.nationalCode!, request.mobile!),
        ]);
        return { civil, ownership };
      } catch (error) {
        return { error: error instanceof Error ? error : new Error(String(error)) };
      }
    });
    const unavailable = new Map<string, string[]>();
    const decided: Decided[] = [];
    const now = clock();
    toAsk.forEach((request, index) => {
      const answer = answers[index]!;
      const requestId = request.requestId;
      if ('error' in answer) {
        results.set(requestId, { kind: 'retry', error: answer.error });
        return;
      }
      const { civil, ownership } = answer;
      if (civil.kind === 'unavailable' || ownership.kind === 'unavailable') {
        const reason = civil.kind === 'unavailable' ? `civil_registry:${civil.reason}` : `mobile_ownership:${(ownership as { reason: string }).reason}`;
        unavailable.set(reason, [...(unavailable.get(reason) ?? []), requestId]);
        results.set(requestId, { kind: 'retry', error: new RegistryUnavailableError(reason) });
        return;
      }
      const { firstName, lastName, gender, birthDate, birthCertificateNumber, birthCertificateSerial, birthCertificateSeries } = request;
      const decision = decide({
        claimed: {
          firstName: firstName!, lastName: lastName!, gender: gender!, birthDate: birthDate!,
          birthCertificateNumber: birthCertificateNumber!, birthCertificateSerial: birthCertificateSerial!, birthCertificateSeries: birthCertificateSeries!,
        },
        civil,
        ownership,
        mobileProven: request.mobileVerifiedAt !== null,
        rules: settings.branchVisitRules,
      });
      decided.push({
        request,
        nationalCode: request.nationalCode!,
        mobile: request.mobile!,
        decision,
        greeting: smsGreeting(request.preferredLang === 'en' ? 'en' : 'fa', { gender: gender!, firstName: firstName!, lastName: lastName! }),
      });
    });
    for (const [reason, requestIds] of unavailable) {
      await q.recordUnfinishedRuns(db, requestIds, reason);
      for (const requestId of requestIds) {
        metrics.verificationRuns.inc({ result: 'registry_unavailable' });
        logger.warn({ requestId, reason }, 'verification postponed: a registry did not answer');
      }
    }
    if (decided.length === 0) return results;

    let applied: Map<string, 'applied' | 'already_done' | Error>;
    try {
      applied = await apply(decided, now);
    } catch (error) {
      if (decided.length === 1) {
        applied = new Map([[decided[0]!.request.requestId, error as Error]]);
      } else {
        // One bad request must not hold back the others: each alone, in its own transaction.
        logger.warn({ err: error, requests: decided.length }, 'verification batch failed; applying its requests one by one');
        applied = new Map();
        for (const item of decided) {
          try {
            for (const [id, r] of await apply([item], now)) applied.set(id, r);
          } catch (e) {
            applied.set(item.request.requestId, e as Error);
          }
        }
      }
    }
    for (const { request, nationalCode, mobile, decision } of decided) {
      const requestId = request.requestId;
      const r = applied.get(requestId);
      if (r === 'already_done' || r === undefined) {
        metrics.verificationRuns.inc({ result: 'already_done' });
        results.set(requestId, { kind: 'already_done' });
        continue;
      }
      if (r instanceof Error) {
        results.set(requestId, { kind: 'retry', error: r });
        continue;
      }
      const reason = decision.outcome === 'rejected' ? decision.reason : undefined;
      metrics.verificationRuns.inc({ result: 'outcome' });
      metrics.verificationOutcomes.inc({ outcome: decision.outcome, reason: reason ?? '' });
      if (decision.outcome === 'rejected') for (const field of decision.fields) metrics.verificationMismatchedFields.inc({ field });
      metrics.verificationSeconds.observe(Math.max(0, (now.getTime() - request.submittedAt.getTime()) / 1000));
      logger.info(
        { requestId, outcome: decision.outcome, reason, nc: maskNationalCode(nationalCode), m: maskMobile(mobile) },
        'verification decided',
      );
      results.set(requestId, { kind: 'outcome', outcome: decision.outcome, ...(reason ? { reason } : {}) });
    }
    return results;
  }

  async function verify(requestId: string): Promise<VerifyResult> {
    if (typeof requestId !== 'string' || !UUID.test(requestId)) return { kind: 'already_done' };
    const result = (await verifyBatch([requestId])).get(requestId.toLowerCase()) ?? { kind: 'already_done' };
    if (result.kind === 'retry') throw result.error;
    return result;
  }

  queue.defineBatch<{ requestId: string }>(definition, async (jobs) => {
    const results = await verifyBatch(jobs.map((job) => job.data?.requestId));
    const failed: { id: string; error: unknown }[] = [];
    for (const job of jobs) {
      const id = job.data?.requestId;
      const r = typeof id === 'string' ? results.get(UUID.test(id) ? id.toLowerCase() : id) : undefined;
      if (r?.kind === 'retry') failed.push({ id: job.id, error: r.error });
    }
    return { failed };
  });
  metrics.sources.queueDepth.set(VERIFICATION_QUEUE.name, () => queue.depth(VERIFICATION_QUEUE.name));
  metrics.sources.overdueVerifications = () => q.countOverdue(db, overdueBefore());

  return {
    /** Enqueues the check of a request inside the registration's transaction. */
    async schedule(trx: Kysely<DB>, requestId: string, dueInSeconds: number): Promise<void> {
      await queue.send(VERIFICATION_QUEUE.name, { requestId }, { trx, startAfterSeconds: dueInSeconds, singletonKey: requestId });
    },
    setRejectionMemory(fn: RejectionMemory) {
      rememberRejections = fn;
    },
    /** Checks one request now (tools, tests). Throws RegistryUnavailableError (or another error) to be retried. */
    verify,
    /** Checks a batch of requests (the job handler): a result per request id. */
    verifyBatch,
    /**
     * Requests without an outcome past the promised time (VERIFICATION_PROMISE_HOURS),
     * oldest first — for the back office. `total` counts them all.
     */
    async listOverdue(options: { limit?: number; offset?: number } = {}): Promise<{ total: number; requests: OverdueVerification[] }> {
      const before = overdueBefore();
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
      const [rows, total] = await Promise.all([
        q.listOverdue(db, before, limit, Math.max(options.offset ?? 0, 0)),
        q.countOverdue(db, before),
      ]);
      const codes = new Map((await deps.accounts.summariesByIds(rows.map((r) => r.accountId))).map((a) => [a.id, a.national_code]));
      return { total, requests: rows.map((r) => ({ ...r, nationalCode: codes.get(r.accountId) ?? null })) };
    },
    /** The keyed hash under which a national code's rejections are kept (back office search). */
    rejectionKey,
    /** Forgets why registrations were rejected after REJECTION_RETENTION_DAYS (housekeeping). */
    purgeOldRejections: () => q.deleteRejectionsBefore(db, new Date(clock().getTime() - REJECTION_RETENTION_DAYS * 86_400_000)),
    /** How many requests are overdue (the metric reads this on each scrape). */
    countOverdue: () => q.countOverdue(db, overdueBefore()),
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
