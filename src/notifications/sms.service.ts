// SMS: rendered from the catalogs, enqueued in the caller's transaction, delivered by a job
// with retries and backoff; an idempotency key per cause means a message is sent once.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import type { Queryable } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { maskMobile } from '../identity/mobile.js';
import { ok, type Result } from '../identity/result.js';
import { expiryFor, HEARTBEAT_SECONDS, type JobQueue, type QueueDefinition } from '../jobs/queue.js';
import type { Metrics } from '../observability/metrics.js';
import { fail, type Failure } from '../shared/failure.js';
import { type Lang, type MessageKey, type MessageParams, t } from '../messages/index.js';
import type { SmsProvider } from './providers.js';
import { maskedParams } from './secrets.js';
import {
  countDeadSms,
  findSms,
  insertSms,
  insertSmsMany,
  listDeadSms,
  markSmsDeadIfUndelivered,
  markSmsFailed,
  markSmsSent,
  redactSecretSmsBefore,
  redactSecretSmsOfAccount,
  redactSecretSmsOfCause,
  requeueDeadSms,
  findSentAt,
} from './sms.queries.js';

export type SmsTemplate = Extract<MessageKey, `sms.${string}`>;

/**
 * Where a delivery job goes when pg-boss fails it for good without the handler having
 * decided (its last attempt expired, or its worker died on it): its handler marks the
 * message dead, so that nothing ends neither sent, retrying nor in the dead-letter list.
 */
export const SMS_DEAD_QUEUE = {
  name: 'sms-deliver-dead',
  retryLimit: 10,
  retryDelaySeconds: 30,
  retryBackoff: true,
  retryDelayMaxSeconds: 600,
  expireInSeconds: 120,
  heartbeatSeconds: HEARTBEAT_SECONDS,
};

/**
 * The delivery queue with its default retry settings (SMS_RETRY_* in config override them).
 * Its expiry is derived from the worker batch size and the send timeout (see createSmsService).
 */
export const SMS_QUEUE = {
  name: 'sms-deliver',
  retryLimit: 8,
  retryDelaySeconds: 5,
  retryBackoff: true,
  retryDelayMaxSeconds: 1800,
  heartbeatSeconds: HEARTBEAT_SECONDS,
  deadLetter: SMS_DEAD_QUEUE.name,
};

/** A send that has not answered this long after the provider's own timeout is given up (ms). */
const SEND_GRACE_MS = 1000;

export type SmsRetrySettings = { retryLimit: number; retryDelaySeconds: number; retryDelayMaxSeconds: number };

/** A dead-letter entry for the back office: no message text (it may hold a code or a name). */
export type DeadSms = {
  id: string;
  to: string;
  template: string;
  provider: string | null;
  attempts: number;
  lastError: string | null;
  accountId: string | null;
  createdAt: Date;
  /** It carried a code or a password: redacted, never sent again (the person asks anew). */
  secret: boolean;
};

export type SmsService = ReturnType<typeof createSmsService>;

/** The text with its secrets masked, for a template that carries one; null otherwise. */
export function redactedText(lang: Lang, template: SmsTemplate, params: MessageParams): string | null {
  const masked = maskedParams(template, params);
  return masked ? t(lang, template, masked) : null;
}

export function createSmsService(deps: {
  db: Kysely<DB>;
  queue: JobQueue;
  provider: SmsProvider;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  retry?: SmsRetrySettings;
  /** How long a secret may stay in clear whatever happens (SMS_SECRET_RETENTION_SECONDS). */
  secretRetentionSeconds?: number;
  /** The longest one send may take (SMS_TIMEOUT_MS): a send still waiting then is given up. */
  sendTimeoutMs?: number;
  /** Jobs a worker takes at once (WORKER_BATCH_SIZE): they are sent one after the other. */
  batchSize?: number;
}) {
  const { db, queue, provider, metrics, logger, clock } = deps;
  const retentionMs = (deps.secretRetentionSeconds ?? 3600) * 1000;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 10_000;
  // A job must outlive the whole batch it is part of, each send at its longest: it can then
  // never expire (and be claimed again) while its handler runs. A dead worker's jobs come
  // back through the heartbeat instead, long before this expiry.
  const definition: QueueDefinition = {
    ...SMS_QUEUE,
    ...deps.retry,
    expireInSeconds: expiryFor(deps.batchSize ?? 50, (sendTimeoutMs + SEND_GRACE_MS) / 1000),
  };

  /** The provider's answer, or a retry once the send timeout (and a grace) has passed. */
  async function sendBounded(message: { to: string; text: string; idempotencyKey: string }) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Awaited<ReturnType<SmsProvider['send']>>>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'retry', reason: `${provider.name}:timeout` }), sendTimeoutMs + SEND_GRACE_MS);
    });
    try {
      return await Promise.race([provider.send(message), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const service = {
    render(lang: Lang, template: SmsTemplate, params: MessageParams): string {
      return t(lang, template, params);
    },
    /**
     * Stores the message and its delivery job in `trx`. A second call with the same
     * idempotency key does nothing (returns false).
     */
    async enqueue(
      trx: Queryable,
      m: { to: string; template: SmsTemplate; params: MessageParams; lang: Lang; idempotencyKey: string; accountId?: string | null },
    ): Promise<boolean> {
      const id = await insertSms(trx, {
        idempotencyKey: m.idempotencyKey,
        to: m.to,
        template: m.template,
        body: t(m.lang, m.template, m.params),
        redactedBody: redactedText(m.lang, m.template, m.params),
        accountId: m.accountId ?? null,
        createdAt: clock(),
      });
      if (!id) return false;
      await queue.send(SMS_QUEUE.name, { smsId: id }, { trx, singletonKey: id });
      metrics.smsEnqueued.inc({ template: m.template });
      return true;
    },
    /**
     * `enqueue` for several messages in two statements (the rows, then their delivery jobs),
     * in `trx`. Returns, per message, whether it was stored (false: its key exists already).
     */
    async enqueueMany(
      trx: Queryable,
      list: readonly { to: string; template: SmsTemplate; params: MessageParams; lang: Lang; idempotencyKey: string; accountId?: string | null }[],
    ): Promise<boolean[]> {
      if (list.length === 0) return [];
      const now = clock();
      const ids = await insertSmsMany(
        trx,
        list.map((m) => ({
          idempotencyKey: m.idempotencyKey,
          to: m.to,
          template: m.template,
          body: t(m.lang, m.template, m.params),
          redactedBody: redactedText(m.lang, m.template, m.params),
          accountId: m.accountId ?? null,
          createdAt: now,
        })),
      );
      await queue.sendMany(SMS_QUEUE.name, [...ids.values()].map((id) => ({ data: { smsId: id }, singletonKey: id })), { trx });
      const seen = new Set<string>();
      return list.map((m) => {
        const stored = ids.has(m.idempotencyKey) && !seen.has(m.idempotencyKey);
        seen.add(m.idempotencyKey);
        if (stored) metrics.smsEnqueued.inc({ template: m.template });
        return stored;
      });
    },
    /**
     * Delivers one stored message; throws to ask the queue for a retry. `retryLimit` is the
     * job's own (stored with it), so "last attempt" agrees with the queue whatever this
     * process's settings say.
     */
    async deliver(smsId: string, retryCount: number, retryLimit: number = definition.retryLimit): Promise<void> {
      const sms = await findSms(db, smsId);
      if (!sms || sms.status === 'sent' || sms.status === 'dead') return;
      if (sms.redacted_at) {
        // Its secret was purged before a delivery went through: the masked text is of no use,
        // and the code has long expired. The person asks for a new one.
        if (!(await markSmsFailed(db, smsId, provider.name, 'secret_redacted_before_delivery', true, clock()))) return;
        metrics.smsDelivered.inc({ provider: provider.name, result: 'dead' });
        logger.warn({ smsId, to: maskMobile(sms.to_mobile), provider: provider.name }, 'secret sms redacted before delivery; not sent');
        return;
      }
      let result: Awaited<ReturnType<SmsProvider['send']>>;
      try {
        result = await sendBounded({ to: sms.to_mobile, text: sms.body, idempotencyKey: sms.idempotency_key });
      } catch (error) {
        // A provider is meant to answer with values; a defect still must not lose the message.
        logger.error({ err: error, smsId, provider: provider.name }, 'sms provider threw');
        result = { kind: 'retry', reason: `${provider.name}:provider_error` };
      }
      if (result.kind === 'sent') {
        // A gateway has it now: a secret's text is replaced by its redacted form in the same statement.
        await markSmsSent(db, smsId, provider.name, result.providerMessageId, clock(), !provider.local);
        metrics.smsDelivered.inc({ provider: provider.name, result: 'sent' });
        return;
      }
      const last = result.kind === 'rejected' || retryCount >= retryLimit;
      if (!(await markSmsFailed(db, smsId, provider.name, result.reason, last, clock()))) {
        // Another attempt settled it meanwhile (sent, or dead): a late failure changes nothing.
        logger.info({ smsId, provider: provider.name, reason: result.reason }, 'late sms failure ignored: already settled');
        return;
      }
      metrics.smsDelivered.inc({ provider: provider.name, result: last ? 'dead' : 'retry' });
      logger.warn({ smsId, to: maskMobile(sms.to_mobile), provider: provider.name, reason: result.reason, dead: last }, 'sms not delivered');
      if (!last) throw new Error(`sms delivery failed: ${result.reason}`);
    },

    /** The dead-letter list for the back office (newest first) and its size. */
    async listDead(options: { limit?: number; offset?: number } = {}): Promise<{ total: number; messages: DeadSms[] }> {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
      const [rows, total] = await Promise.all([listDeadSms(db, limit, Math.max(options.offset ?? 0, 0)), countDeadSms(db)]);
      return {
        total,
        messages: rows.map((r) => ({
          id: r.id,
          to: r.to_mobile,
          template: r.template,
          provider: r.provider,
          attempts: r.attempts,
          lastError: r.last_error,
          accountId: r.account_id,
          createdAt: r.created_at,
          secret: r.redacted_body !== null,
        })),
      };
    },

    /**
     * Sends a dead message again (staff action, audited): back to `queued` with a fresh
     * delivery job, in one transaction. The idempotency key stays, so a gateway that did
     * receive it before still does not send it twice.
     */
    async resend(smsId: string, actor: { type: 'staff' | 'system'; id: string | null; ip?: string | null }): Promise<Result<{}, Failure>> {
      if (!/^[0-9a-f-]{36}$/i.test(smsId)) return fail('not_found', 'notifications.sms_not_resendable');
      const found = await findSms(db, smsId);
      if (found && found.status === 'dead' && found.redacted_body !== null) return fail('conflict', 'notifications.sms_secret_not_resendable');
      const requeued = await db.transaction().execute(async (trx) => {
        const row = await requeueDeadSms(trx, smsId);
        if (!row) return false;
        await queue.send(SMS_QUEUE.name, { smsId }, { trx, singletonKey: smsId });
        await recordAudit(trx, {
          actorType: actor.type,
          actorId: actor.id,
          accountId: row.account_id,
          event: 'sms.resent',
          data: { smsId, template: row.template, to: maskMobile(row.to_mobile) },
          ip: actor.ip ?? null,
          at: clock(),
        });
        return true;
      });
      if (!requeued) return fail('not_found', 'notifications.sms_not_resendable');
      metrics.smsEnqueued.inc({ template: 'resend' });
      return ok({});
    },

    /**
     * Housekeeping: redacts every secret message still in clear that is older than the
     * retention, whatever its provider or status (a queued one is then not sent: see deliver).
     */
    async purgeSecrets(): Promise<number> {
      const now = clock();
      const n = await redactSecretSmsBefore(db, new Date(now.getTime() - retentionMs), now);
      if (n) logger.info({ redacted: n }, 'secret sms texts redacted after retention');
      return n;
    },

    /**
     * The flow a secret belongs to is over (code used, password changed): its delivered text
     * goes now, in `trx` (the development outbox would otherwise keep it for the retention).
     * `cause` is the idempotency key the message was enqueued with, its prefix, or the account.
     */
    endSecretsOf(trx: Queryable, cause: { key: string } | { prefix: string } | { accountId: string }): Promise<number> {
      return 'accountId' in cause ? redactSecretSmsOfAccount(trx, cause.accountId, clock()) : redactSecretSmsOfCause(trx, cause, clock());
    },

    /** When the gateway accepted the message enqueued with `idempotencyKey` (a code's validity runs from then). */
    deliveredAt: (idempotencyKey: string) => findSentAt(db, idempotencyKey),
  };
  queue.define<{ smsId: string }>(definition, (job) => service.deliver(job.data.smsId, job.retryCount, job.retryLimit));
  // The last attempt failed without the handler's say (expired, worker lost): dead-letter list.
  queue.define<{ smsId: string }>(SMS_DEAD_QUEUE, async (job) => {
    if (await markSmsDeadIfUndelivered(db, job.data.smsId, 'attempts_exhausted', clock())) {
      metrics.smsDelivered.inc({ provider: provider.name, result: 'dead' });
      logger.warn({ smsId: job.data.smsId }, 'sms delivery job failed for good; message moved to the dead-letter list');
    }
  });
  metrics.sources.queueDepth.set(SMS_QUEUE.name, () => queue.depth(SMS_QUEUE.name));
  return service;
}
