// The job queue: pg-boss on the same database as the data, so a job is enqueued in the
// transaction of the change that causes it. Jobs carry ids, never personal data.
import { PgBoss, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import { type Database, type Queryable, executeSqlIn, transactionContext } from '../db/database.js';

export type QueueDefinition = {
  name: string;
  /** Attempts after the first one. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** Doubles the delay after each failure. */
  retryBackoff: boolean;
  retryDelayMaxSeconds?: number;
  /** Seconds a job may run before it is considered lost and retried. */
  expireInSeconds?: number;
};

export type Handler<T> = (job: { id: string; data: T; retryCount: number }) => Promise<void>;

export type JobQueue = {
  /** Creates the queues; call before send/work. */
  start(): Promise<void>;
  define<T extends object>(definition: QueueDefinition, handler: Handler<T>): void;
  /** Enqueue inside `trx` (or alone when omitted). `singletonKey` makes a send idempotent. */
  send(name: string, data: object, options?: { trx?: Queryable; startAfterSeconds?: number; singletonKey?: string }): Promise<string | null>;
  /** Starts polling workers for every defined queue (worker processes). */
  work(options?: { pollingIntervalSeconds?: number; batchSize?: number; localConcurrency?: number }): Promise<void>;
  /**
   * Runs the jobs of `name` that are due now, here, and returns how many (tests, dev helpers).
   * `includeFuture` first makes every waiting job (scheduled or waiting for a retry) due now.
   * Each job runs at most once per call: a job that fails waits for its retry delay again.
   */
  runDue(name: string, options?: { includeFuture?: boolean }): Promise<number>;
  depth(name: string): Promise<number>;
  stop(): Promise<void>;
  boss: PgBoss;
};

export function createJobQueue(options: { database: Database; schema: string; logger: Logger }): JobQueue {
  const { database, logger } = options;
  const boss = new PgBoss({
    db: { executeSql: database.executeSql },
    schema: options.schema,
    // Maintenance runs in every process; only one instance does it at a time (pg-boss locks).
    supervise: true,
    schedule: true,
    migrate: true,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  const definitions = new Map<string, { definition: QueueDefinition; handler: Handler<any> }>();
  let started = false;

  /** Runs one job; a failure is recorded on that job alone (pg-boss retries it later). */
  async function runOne(name: string, job: Job<object>): Promise<boolean> {
    const entry = definitions.get(name)!;
    const meta = job as unknown as { retryCount?: number };
    try {
      await entry.handler({ id: job.id, data: job.data, retryCount: meta.retryCount ?? 0 });
      return true;
    } catch (error) {
      logger.warn({ err: error, queue: name, jobId: job.id }, 'job failed');
      await boss.fail(name, job.id, { message: (error as Error).message ?? String(error) });
      return false;
    }
  }

  return {
    boss,
    async start() {
      if (started) return;
      await boss.start();
      for (const { definition } of definitions.values()) {
        const queueOptions = {
          retryLimit: definition.retryLimit,
          retryDelay: definition.retryDelaySeconds,
          retryBackoff: definition.retryBackoff,
          ...(definition.retryDelayMaxSeconds ? { retryDelayMax: definition.retryDelayMaxSeconds } : {}),
          ...(definition.expireInSeconds ? { expireInSeconds: definition.expireInSeconds } : {}),
        };
        const existing = await boss.getQueue(definition.name);
        if (existing) await boss.updateQueue(definition.name, queueOptions);
        else await boss.createQueue(definition.name, queueOptions);
      }
      started = true;
    },
    define(definition, handler) {
      definitions.set(definition.name, { definition, handler });
    },
    async send(name, data, opts = {}) {
      const options = {
        ...(opts.trx ? { db: { executeSql: executeSqlIn(opts.trx) } } : {}),
        ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}),
        ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      };
      return opts.trx ? transactionContext.run(opts.trx, () => boss.send(name, data, options)) : boss.send(name, data, options);
    },
    async work(workOptions = {}) {
      for (const name of definitions.keys()) {
        await boss.work(
          name,
          {
            pollingIntervalSeconds: workOptions.pollingIntervalSeconds ?? 1,
            batchSize: workOptions.batchSize ?? 10,
            // Parallel pollers in this process (each runs its batch in order).
            ...(workOptions.localConcurrency ? { localConcurrency: workOptions.localConcurrency } : {}),
          },
          // pg-boss completes the jobs still active after this returns; failed ones are already settled.
          async (jobs: Job<object>[]) => {
            for (const job of jobs) await runOne(name, job);
          },
        );
      }
    },
    async runDue(name, runOptions = {}) {
      const entry = definitions.get(name);
      if (!entry) throw new Error(`unknown queue ${name}`);
      let processed = 0;
      if (runOptions.includeFuture) {
        // Not `ignoreStartAfter` on fetch: that would fetch a job that just failed again at
        // once and burn all its retries in one call. Moving the waiting jobs' start time to
        // now lets a failure set a fresh retry delay that this call then respects.
        await database.executeSql(
          `UPDATE ${options.schema}.job SET start_after = now() WHERE name = $1 AND state IN ('created', 'retry') AND start_after > now()`,
          [name],
        );
      }
      for (;;) {
        const jobs = await boss.fetch<object>(name, { batchSize: 50, includeMetadata: true } as any);
        if (jobs.length === 0) return processed;
        for (const job of jobs) {
          if (await runOne(name, job as Job<object>)) await boss.complete(name, job.id);
          processed++;
        }
      }
    },
    async depth(name) {
      const q = await boss.getQueue(name);
      return q ? (q as unknown as { queuedCount?: number }).queuedCount ?? 0 : 0;
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, timeout: 5000 } as any);
      started = false;
    },
  };
}
