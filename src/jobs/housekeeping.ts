// Housekeeping: the purges of expired rows and of secret SMS texts, each a pg-boss queue
// fed by a cron schedule. The schedule lives in the database and pg-boss files one job per
// occurrence (a singleton per minute), so with several worker processes each task still
// runs once per tick, on whichever worker takes it — not once per process as a timer would.
import type { Logger } from 'pino';
import type { JobQueue, QueueDefinition } from './queue.js';

/** How often an idle worker asks for each housekeeping queue's jobs (one poller per queue). */
export const HOUSEKEEPING_POLL_SECONDS = 30;

export type HousekeepingTask = {
  /** Short name; the queue is `housekeeping-<name>`. */
  name: string;
  /** Five-field cron expression (UTC). */
  cron: string;
  /** Returns how many rows it removed or redacted (logged when not zero). */
  run: () => Promise<number | void>;
};

export type Housekeeping = ReturnType<typeof createHousekeeping>;

export function createHousekeeping(deps: { queue: JobQueue; logger: Logger; tasks: HousekeepingTask[] }) {
  const { queue, logger } = deps;
  const queueOf = (task: HousekeepingTask) => `housekeeping-${task.name}`;
  for (const task of deps.tasks) {
    // No retries: the next occurrence does the same work. Fed at most every 5 minutes: one
    // poller asking every 30 s (a purge may start up to that much after its minute).
    const definition: QueueDefinition = {
      name: queueOf(task),
      retryLimit: 0,
      retryDelaySeconds: 60,
      retryBackoff: false,
      expireInSeconds: 600,
      polling: { intervalSeconds: HOUSEKEEPING_POLL_SECONDS, pollers: 1 },
    };
    queue.define(definition, async () => {
      const n = await task.run();
      if (n) logger.info({ task: task.name, rows: n }, 'housekeeping');
    });
  }
  return {
    tasks: deps.tasks.map((t) => ({ name: t.name, queue: queueOf(t), cron: t.cron })),
    /** Stores (or updates) every task's schedule; call after queue.start() in worker processes. */
    async schedule(): Promise<void> {
      for (const task of deps.tasks) await queue.boss.schedule(queueOf(task), task.cron, null);
    },
    /** Runs every task here and now (tests, the CLI). */
    async runAll(): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const task of deps.tasks) out[task.name] = Number((await task.run()) ?? 0);
      return out;
    },
  };
}
