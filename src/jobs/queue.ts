// The job queue: pg-boss on the same database as the data, so a job is enqueued in the
// transaction of the change that causes it. Jobs carry ids, never personal data.
import { PgBoss, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { type Database, type Queryable, executeSqlIn, transactionContext } from '../db/database.js';

export type QueueDefinition = {
  name: string;
  /** Attempts after the first one. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** Doubles the delay after each failure. */
  retryBackoff: boolean;
  retryDelayMaxSeconds?: number;
  /**
   * Seconds a job may run before it is considered lost and retried. It must exceed the
   * longest a handler can run (see maxRunSeconds): a job that expires while its handler still
   * runs is claimed twice.
   */
  expireInSeconds?: number;
  /**
   * A worker holding a job writes a heartbeat every half of this; a job whose heartbeat is
   * older (its worker died or lost the database) goes back to the queue at the next
   * supervision, whatever its expiry. pg-boss's minimum is 10. Default HEARTBEAT_SECONDS.
   */
  heartbeatSeconds?: number;
  /** Queue that receives a job after its last attempt failed (its handler settles what is left). */
  deadLetter?: string;
  /**
   * How often an idle worker asks for this queue's jobs, and with how many pollers, where the
   * worker's own (work(): every second, WORKER_CONCURRENCY pollers) would be a waste: a queue
   * fed by a schedule every few minutes need not be asked twice a second. Not stored: each
   * worker process polls as its definitions say.
   */
  polling?: { intervalSeconds: number; pollers: number };
};

/** The settings of a queue that are stored in the database and compared at start. */
export const QUEUE_SETTINGS = ['retryLimit', 'retryDelay', 'retryBackoff', 'retryDelayMax', 'expireInSeconds', 'heartbeatSeconds', 'deadLetter', 'notify'] as const;
export type QueueSetting = (typeof QUEUE_SETTINGS)[number];
export type QueueSettingDifference = { queue: string; setting: QueueSetting; stored: unknown; configured: unknown };

/**
 * How often pg-boss looks for lost jobs (expired, or with a stale heartbeat), in every
 * process. With HEARTBEAT_SECONDS this bounds the time before a dead worker's job is
 * offered again: heartbeat + this interval + the queue's first retry delay.
 */
export const SUPERVISE_INTERVAL_SECONDS = 10;
/** The heartbeat of every queue (pg-boss's minimum). */
export const HEARTBEAT_SECONDS = 10;

/**
 * The expiry a queue needs when a worker runs `batchSize` jobs one after the other, each
 * taking at most `perJobSeconds`: the whole batch plus a margin for the database work.
 */
export function expiryFor(batchSize: number, perJobSeconds: number, marginSeconds = 60): number {
  return Math.ceil(batchSize * perJobSeconds + marginSeconds);
}

export type QueueJob<T> = {
  id: string;
  data: T;
  retryCount: number;
  /** Attempts after the first that this job has (stored with the job; the queue's when it was sent). */
  retryLimit?: number;
};
export type Handler<T> = (job: QueueJob<T>) => Promise<void>;
/**
 * Handles a whole batch of jobs at once and names the jobs that failed (each is failed on
 * its own and retried with backoff); the others complete. Throwing fails the whole batch.
 */
export type BatchHandler<T> = (jobs: QueueJob<T>[]) => Promise<{ failed: { id: string; error: unknown }[] }>;

export type JobQueue = {
  /**
   * Installs pg-boss and creates missing queues (under an advisory lock: processes starting
   * together take turns); call before send/work. `writeSettings` (worker processes and
   * `migrate`: one writer) also brings the stored settings of existing queues to this
   * process's; otherwise (web processes) a stored setting that differs is only reported:
   * a warning naming it and the `dargah_queue_setting_differs` metric.
   */
  start(options?: { writeSettings?: boolean }): Promise<void>;
  /** Stored settings that differ from this process's definitions (found by the last start). */
  differences(): QueueSettingDifference[];
  define<T extends object>(definition: QueueDefinition, handler: Handler<T>): void;
  /** A queue whose jobs are handled a batch at a time (work: pg-boss's batch; runDue: up to 50). */
  defineBatch<T extends object>(definition: QueueDefinition, handler: BatchHandler<T>): void;
  /** Enqueue inside `trx` (or alone when omitted). `singletonKey` makes a send idempotent. */
  send(name: string, data: object, options?: { trx?: Queryable; startAfterSeconds?: number; singletonKey?: string }): Promise<string | null>;
  /**
   * Enqueues several jobs in one statement inside `trx` (pg-boss `insert`). A job whose
   * `singletonKey` is already queued is skipped, as with `send`.
   */
  sendMany(name: string, jobs: { data: object; singletonKey?: string; startAfterSeconds?: number }[], options: { trx: Queryable }): Promise<void>;
  /** Starts polling workers for every defined queue (worker processes). */
  work(options?: { pollingIntervalSeconds?: number; batchSize?: number; localConcurrency?: number }): Promise<void>;
  /**
   * Runs the jobs of `name` that are due now, here, and returns how many (tests, dev helpers).
   * `includeFuture` first makes every waiting job (scheduled or waiting for a retry) due now.
   * Each job runs at most once per call: a job that fails waits for its retry delay again.
   */
  runDue(name: string, options?: { includeFuture?: boolean }): Promise<number>;
  depth(name: string): Promise<number>;
  /** Stops polling and waits up to `timeoutMs` (default 5 s) for the jobs in hand to finish. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  boss: PgBoss;
};

export function createJobQueue(options: {
  database: Database;
  schema: string;
  logger: Logger;
  /** Counts each stored setting that differs from this process's (dargah_queue_setting_differs). */
  metrics?: Pick<Metrics, 'queueSettingDiffers'>;
}): JobQueue {
  const { database, logger } = options;
  // The listener is the database's own (a connection of its own that comes back after a loss;
  // PGlite hears its own notices); after each (re)connection pg-boss fetches once for what it
  // may have missed. Polling stays: it finds retries and delayed jobs, and every job while no
  // listener is up.
  let wake: { channel: string; onNotification: (payload: string) => void; onReconnect: () => void } | undefined;
  let working = false;
  let listener: Promise<(() => Promise<void>) | undefined> | undefined;
  const openListener = () => {
    const w = wake;
    if (!w || listener) return listener;
    listener = database
      .listen(w.channel, w.onNotification, (live) => {
        if (live) w.onReconnect();
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'job queue: cannot listen for new jobs; workers poll only');
        return undefined;
      });
    return listener;
  };
  const boss = new PgBoss({
    db: {
      executeSql: database.executeSql,
      // Wake on send: every queue is created with `notify`, so a job's insert notifies its
      // queue in the same transaction, and each process working that queue fetches at once
      // instead of at its next poll (a sign-in code by SMS waited up to a second; now
      // milliseconds). pg-boss asks for the listener at start; it is opened only when this
      // process works queues (`work`), so a web-only process holds no connection for it.
      listen: async (channel: string, onNotification: (payload: string) => void, onReconnect: () => void) => {
        wake = { channel, onNotification, onReconnect };
        if (working) await openListener();
        return {
          close: async () => {
            wake = undefined;
            const stop = await listener;
            listener = undefined;
            await stop?.();
          },
        };
      },
    },
    useListenNotify: true,
    schema: options.schema,
    // Maintenance runs in every process; only one instance does it at a time (pg-boss locks).
    supervise: true,
    schedule: true,
    migrate: true,
    superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
    monitorIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
  });
  // Errors of pg-boss's own loops (a lost connection during maintenance or a poll): logged,
  // and the loop goes on. Without a listener an 'error' event would end the process.
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  // Its warnings (a listener that could not start, a slow query, a backlog) are logged, not
  // lost; never their data beyond the kind (a slow query's would hold its parameters: an SMS).
  boss.on('warning', ({ message, data }: { message: string; data?: { type?: unknown; elapsed?: unknown } }) =>
    logger.warn({ ...(typeof data?.type === 'string' ? { type: data.type } : {}), ...(typeof data?.elapsed === 'number' ? { elapsedSeconds: data.elapsed } : {}) }, `job queue: ${message}`),
  );
  const definitions = new Map<string, { definition: QueueDefinition; handler: BatchHandler<any> }>();
  let started = false;
  let differences: QueueSettingDifference[] = [];

  const settingsOf = (definition: QueueDefinition): Record<QueueSetting, unknown> => ({
    retryLimit: definition.retryLimit,
    retryDelay: definition.retryDelaySeconds,
    retryBackoff: definition.retryBackoff,
    retryDelayMax: definition.retryDelayMaxSeconds ?? null,
    expireInSeconds: definition.expireInSeconds ?? null,
    heartbeatSeconds: definition.heartbeatSeconds ?? HEARTBEAT_SECONDS,
    deadLetter: definition.deadLetter ?? null,
    notify: true,
  });
  const queueOptionsOf = (definition: QueueDefinition) => ({
    retryLimit: definition.retryLimit,
    retryDelay: definition.retryDelaySeconds,
    retryBackoff: definition.retryBackoff,
    ...(definition.retryDelayMaxSeconds ? { retryDelayMax: definition.retryDelayMaxSeconds } : {}),
    ...(definition.expireInSeconds ? { expireInSeconds: definition.expireInSeconds } : {}),
    // Every queue has a heartbeat: a dead worker's jobs come back within a minute.
    heartbeatSeconds: definition.heartbeatSeconds ?? HEARTBEAT_SECONDS,
    ...(definition.deadLetter ? { deadLetter: definition.deadLetter } : {}),
    // A new job wakes the queue's workers (see the listener above).
    notify: true,
  });
  /** The settings stored for a queue that differ from its definition here. */
  const compare = (definition: QueueDefinition, stored: Record<string, unknown>): QueueSettingDifference[] => {
    const mine = settingsOf(definition);
    return QUEUE_SETTINGS.filter((k) => mine[k] !== null && (stored[k] ?? null) !== mine[k]).map((setting) => ({
      queue: definition.name,
      setting,
      stored: stored[setting] ?? null,
      configured: mine[setting],
    }));
  };

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const toQueueJob = (job: Job<object>): QueueJob<object> => {
    const meta = job as unknown as { retryCount?: number; retryLimit?: number };
    return {
      id: job.id,
      data: job.data,
      retryCount: meta.retryCount ?? 0,
      ...(typeof meta.retryLimit === 'number' ? { retryLimit: meta.retryLimit } : {}),
    };
  };

  /**
   * Runs a batch through its handler and returns the ids of the jobs that failed, with why
   * (the caller settles them). A handler that throws fails every job of the batch.
   */
  async function runBatch(name: string, jobs: Job<object>[]): Promise<Map<string, string>> {
    const entry = definitions.get(name)!;
    const failed = new Map<string, string>();
    try {
      const result = await entry.handler(jobs.map(toQueueJob));
      const ids = new Set(jobs.map((j) => j.id));
      for (const f of result.failed) if (ids.has(f.id)) failed.set(f.id, messageOf(f.error));
    } catch (error) {
      for (const job of jobs) failed.set(job.id, messageOf(error));
    }
    for (const [jobId, message] of failed) logger.warn({ err: { message }, queue: name, jobId }, 'job failed');
    return failed;
  }

  return {
    boss,
    async start(startOptions = {}) {
      if (started) return;
      const write = startOptions.writeSettings ?? true;
      // Installing pg-boss's schema and creating queues race when several processes start on
      // an empty database: they take turns.
      differences = await database.withLock('job-queue', async () => {
        await boss.start();
        const found: QueueSettingDifference[] = [];
        // A dead-letter queue must exist before the queue that names it.
        const ordered = [...definitions.values()].map((e) => e.definition).sort((a, b) => Number(!!a.deadLetter) - Number(!!b.deadLetter));
        // Every stored queue in one statement, not one per queue (16 of them: 0.3 s of an
        // embedded start).
        const stored = new Map((await boss.getQueues(ordered.map((d) => d.name))).map((q) => [q.name, q]));
        for (const definition of ordered) {
          const existing = stored.get(definition.name);
          if (!existing) {
            await boss.createQueue(definition.name, queueOptionsOf(definition));
            continue;
          }
          const differs = compare(definition, existing as unknown as Record<string, unknown>);
          if (differs.length === 0) continue;
          if (write) {
            await boss.updateQueue(definition.name, queueOptionsOf(definition));
            logger.info({ queue: definition.name, settings: differs }, 'queue settings updated');
          } else {
            found.push(...differs);
          }
        }
        return found;
      });
      for (const d of differences) {
        logger.warn(
          { queue: d.queue, setting: d.setting, stored: d.stored, configured: d.configured },
          `queue ${d.queue}: stored ${d.setting} (${String(d.stored)}) differs from this process's (${String(d.configured)}); the stored one applies — start every process with the same settings`,
        );
        options.metrics?.queueSettingDiffers.set({ queue: d.queue, setting: d.setting }, 1);
      }
      started = true;
    },
    differences: () => differences,
    define<T extends object>(definition: QueueDefinition, handler: Handler<T>) {
      // A single-job handler is a batch handler that runs its jobs one after the other.
      const batch: BatchHandler<T> = async (jobs) => {
        const failed: { id: string; error: unknown }[] = [];
        for (const job of jobs) {
          try {
            await handler(job);
          } catch (error) {
            failed.push({ id: job.id, error });
          }
        }
        return { failed };
      };
      definitions.set(definition.name, { definition, handler: batch });
    },
    defineBatch(definition, handler) {
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
    async sendMany(name, jobs, opts) {
      if (jobs.length === 0) return;
      const rows = jobs.map((j) => ({
        data: j.data,
        ...(j.singletonKey ? { singletonKey: j.singletonKey } : {}),
        ...(j.startAfterSeconds ? { startAfter: j.startAfterSeconds } : {}),
      }));
      // pg-boss may look up its queue cache: that SQL must join our transaction (see send).
      await transactionContext.run(opts.trx, () => boss.insert(name, rows, { db: { executeSql: executeSqlIn(opts.trx) } }));
    },
    async work(workOptions = {}) {
      working = true;
      await openListener();
      for (const [name, { definition }] of definitions) {
        // Parallel pollers in this process (each runs its batch in order).
        const pollers = definition.polling?.pollers ?? workOptions.localConcurrency;
        const pollingIntervalSeconds = definition.polling?.intervalSeconds ?? workOptions.pollingIntervalSeconds ?? 1;
        await boss.work(
          name,
          {
            pollingIntervalSeconds,
            // The same while notices wake the workers (pg-boss would relax it to 30 s): a retry
            // or a delayed job is due at a time no notice marks, and the poll finds it.
            notifyPollingIntervalSeconds: pollingIntervalSeconds,
            batchSize: workOptions.batchSize ?? 10,
            ...(pollers ? { localConcurrency: pollers } : {}),
            // While fetches come back full there is a backlog: fetch again at once instead of
            // waiting for the next poll (else a poller does at most batchSize jobs per interval).
            burstWhenBatchFull: true,
            // Each job's own retry limit reaches the handler (it decides "last attempt" by it).
            includeMetadata: true,
            // pg-boss settles the batch in two statements: the completed jobs, the failed ones (each with its error).
            perJobResults: true as const,
          },
          async (jobs: Job<object>[]) => {
            const failed = await runBatch(name, jobs);
            return jobs.map((job) => {
              const message = failed.get(job.id);
              return message === undefined ? { id: job.id, status: 'completed' as const } : { id: job.id, status: 'failed' as const, output: { message } };
            });
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
        const failed = await runBatch(name, jobs as Job<object>[]);
        const done = jobs.filter((job) => !failed.has(job.id)).map((job) => job.id);
        // Each failed job alone, so that its error is its own; the rest complete together.
        for (const [jobId, message] of failed) await boss.fail(name, jobId, { message });
        if (done.length > 0) await boss.complete(name, done);
        processed += jobs.length;
      }
    },
    async depth(name) {
      const q = await boss.getQueue(name);
      return q ? (q as unknown as { queuedCount?: number }).queuedCount ?? 0 : 0;
    },
    async stop(stopOptions = {}) {
      if (started) await boss.stop({ graceful: true, timeout: stopOptions.timeoutMs ?? 5000 } as any);
      started = false;
      working = false;
    },
  };
}
