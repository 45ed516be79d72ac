// SMS: rendered from the catalogs, enqueued in the caller's transaction, delivered by a job
// with retries and backoff; an idempotency key per cause means a message is sent once.
import type { Logger } from 'pino';
import type { Queryable } from '../db/database.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Metrics } from '../observability/metrics.js';
import { type Lang, type MessageKey, type MessageParams, t } from '../web/i18n.js';
import type { SmsProvider } from './providers.js';
import { findSms, insertSms, markSmsFailed, markSmsSent } from './sms.queries.js';

export type SmsTemplate = Extract<MessageKey, `sms.${string}`>;

export const SMS_QUEUE = {
  name: 'sms-deliver',
  retryLimit: 8,
  retryDelaySeconds: 5,
  retryBackoff: true,
  retryDelayMaxSeconds: 1800,
  expireInSeconds: 60,
};

export type SmsService = ReturnType<typeof createSmsService>;

export function createSmsService(deps: { db: Queryable; queue: JobQueue; provider: SmsProvider; metrics: Metrics; logger: Logger; clock: () => Date }) {
  const { db, queue, provider, metrics, logger, clock } = deps;

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
        accountId: m.accountId ?? null,
        createdAt: clock(),
      });
      if (!id) return false;
      await queue.send(SMS_QUEUE.name, { smsId: id }, { trx, singletonKey: id });
      metrics.smsEnqueued.inc({ template: m.template });
      return true;
    },
    /** Delivers one stored message; throws to ask the queue for a retry. */
    async deliver(smsId: string, retryCount: number): Promise<void> {
      const sms = await findSms(db, smsId);
      if (!sms || sms.status === 'sent' || sms.status === 'dead') return;
      const result = await provider.send({ to: sms.to_mobile, text: sms.body, idempotencyKey: sms.idempotency_key });
      if (result.kind === 'sent') {
        await markSmsSent(db, smsId, provider.name, result.providerMessageId, clock());
        metrics.smsDelivered.inc({ provider: provider.name, result: 'sent' });
        return;
      }
      const last = result.kind === 'rejected' || retryCount >= SMS_QUEUE.retryLimit;
      await markSmsFailed(db, smsId, provider.name, result.reason, last);
      metrics.smsDelivered.inc({ provider: provider.name, result: last ? 'dead' : 'retry' });
      logger.warn({ smsId, provider: provider.name, reason: result.reason, dead: last }, 'sms not delivered');
      if (!last) throw new Error(`sms delivery failed: ${result.reason}`);
    },
  };
  queue.define<{ smsId: string }>(SMS_QUEUE, (job) => service.deliver(job.data.smsId, job.retryCount));
  return service;
}
