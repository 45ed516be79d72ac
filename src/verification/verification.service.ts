// Identity proofing of submitted registrations: a job per request, run after the
// configured delay, turning the registries' answers into one of three outcomes.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DB } from '../db/schema.js';
import type { JobQueue } from '../jobs/queue.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { Registries } from '../registries/index.js';

export const VERIFICATION_QUEUE = {
  name: 'verification-run',
  retryLimit: 1000,
  retryDelaySeconds: 30,
  retryBackoff: true,
  retryDelayMaxSeconds: 3600,
  expireInSeconds: 300,
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

export function createVerificationService(deps: VerificationDeps) {
  const { queue } = deps;
  let rememberRejection: ((trx: Kysely<DB>, nationalCode: string, mobile: string) => Promise<void>) | undefined;

  async function verify(requestId: string): Promise<void> {
    void requestId;
    void rememberRejection;
    throw new Error('verification: matching is built in the proofing issue');
  }

  queue.define<{ requestId: string }>(VERIFICATION_QUEUE, (job) => verify(job.data.requestId));

  return {
    /** Enqueues the check of a request inside the registration's transaction. */
    async schedule(trx: Kysely<DB>, requestId: string, dueInSeconds: number): Promise<void> {
      await queue.send(VERIFICATION_QUEUE.name, { requestId }, { trx, startAfterSeconds: dueInSeconds, singletonKey: requestId });
    },
    setRejectionMemory(fn: (trx: Kysely<DB>, nationalCode: string, mobile: string) => Promise<void>) {
      rememberRejection = fn;
    },
    verify,
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
