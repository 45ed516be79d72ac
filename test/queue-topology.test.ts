// Issue 12: the job queue across processes. Queue settings have one writer; SMS delivery
// with a hanging gateway never ends in a state that is neither sent, retrying nor dead; a
// late failure never overwrites `sent`; expiry is derived from batch size and send timeout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createJobQueue, HEARTBEAT_SECONDS } from '../src/jobs/queue.js';
import type { SmsProvider, SmsSendResult } from '../src/notifications/providers.js';
import { createSmsService, SMS_DEAD_QUEUE, SMS_QUEUE } from '../src/notifications/sms.service.js';
import { markSmsFailed, markSmsSent } from '../src/notifications/sms.queries.js';
import { createTestEnv, type TestEnv } from './support.js';

/** Collects log lines (a pino destination) to read warnings back. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** A gateway whose sends wait until the test answers them, one by one. */
function manualProvider() {
  const pending: ((r: SmsSendResult) => void)[] = [];
  const waiting: (() => void)[] = [];
  const provider: SmsProvider = {
    name: 'manual',
    send: () =>
      new Promise<SmsSendResult>((resolve) => {
        pending.push(resolve);
        waiting.shift()?.();
      }),
  };
  return {
    provider,
    /** Resolves once `n` sends are waiting. */
    async sendsWaiting(n: number) {
      while (pending.length < n) await new Promise<void>((r) => waiting.push(r));
    },
    answer: (i: number, r: SmsSendResult) => pending[i]!(r),
  };
}

const enqueue = (env: TestEnv, key: string) =>
  env.platform.db.transaction().execute((trx) =>
    env.platform.sms.enqueue(trx, { to: '09121234567', template: 'sms.registration_code', params: { code: '482913' }, lang: 'fa', idempotencyKey: key }),
  );
const rowOf = (env: TestEnv, key: string) =>
  env.platform.db.selectFrom('sms_messages').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

describe('queue settings: one writer', () => {
  test('a web process started with another SMS_RETRY_LIMIT does not change the stored queue settings; it reports the difference', async () => {
    const env = await createTestEnv({ noApp: true, env: { SMS_RETRY_LIMIT: '8' } });
    try {
      const before = await env.platform.queue.boss.getQueue(SMS_QUEUE.name);
      assert.equal(before?.retryLimit, 8);
      // A second process on the same database, as `web` with SMS_RETRY_LIMIT=2.
      const { logger, lines } = capturingLogger();
      const webQueue = createJobQueue({
        database: env.platform.database,
        schema: env.schema ? `${env.schema}_jobs` : 'pgboss',
        logger,
        metrics: env.platform.metrics,
      });
      createSmsService({
        db: env.platform.db,
        queue: webQueue,
        provider: { name: 'outbox', local: true, send: async () => ({ kind: 'sent', providerMessageId: null }) },
        metrics: env.platform.metrics,
        logger,
        clock: () => new Date(),
        retry: { retryLimit: 2, retryDelaySeconds: 5, retryDelayMaxSeconds: 1800 },
        sendTimeoutMs: env.config.sms.timeoutMs,
        batchSize: env.config.worker.batchSize,
      });
      await webQueue.start({ writeSettings: false });
      try {
        const after = await env.platform.queue.boss.getQueue(SMS_QUEUE.name);
        assert.equal(after?.retryLimit, 8, 'stored settings unchanged');
        assert.deepEqual(webQueue.differences().map((d) => `${d.queue}.${d.setting}`), ['sms-deliver.retryLimit']);
        const warning = lines.find((l) => l.level === 40 && l.setting === 'retryLimit');
        assert.ok(warning, 'a warning naming the setting');
        assert.equal(warning.queue, SMS_QUEUE.name);
        assert.equal(warning.stored, 8);
        assert.equal(warning.configured, 2);
      } finally {
        await webQueue.stop();
      }
      // The metric counts it.
      const metrics = await env.platform.metrics.registry.getMetricsAsJSON();
      const differs = metrics.find((m) => m.name === 'dargah_queue_setting_differs');
      assert.ok(differs?.values.some((v) => v.labels.queue === SMS_QUEUE.name && v.labels.setting === 'retryLimit' && v.value === 1));
    } finally {
      await env.close();
    }
  });

  test('a worker start (the writer) brings the stored settings to its own', async () => {
    const env = await createTestEnv({ noApp: true, env: { SMS_RETRY_LIMIT: '8' } });
    try {
      const schema = env.schema ? `${env.schema}_jobs` : 'pgboss';
      const workerQueue = createJobQueue({ database: env.platform.database, schema, logger: pino({ level: 'silent' }) });
      createSmsService({
        db: env.platform.db,
        queue: workerQueue,
        provider: { name: 'outbox', local: true, send: async () => ({ kind: 'sent', providerMessageId: null }) },
        metrics: env.platform.metrics,
        logger: pino({ level: 'silent' }),
        clock: () => new Date(),
        retry: { retryLimit: 3, retryDelaySeconds: 5, retryDelayMaxSeconds: 1800 },
        sendTimeoutMs: env.config.sms.timeoutMs,
        batchSize: env.config.worker.batchSize,
      });
      await workerQueue.start({ writeSettings: true });
      await workerQueue.stop();
      assert.equal((await env.platform.queue.boss.getQueue(SMS_QUEUE.name))?.retryLimit, 3);
    } finally {
      await env.close();
    }
  });
});

describe('SMS delivery with a hanging gateway', () => {
  test('expiry exceeds a whole batch of sends at the send timeout; the queue has a heartbeat and a dead-letter queue', async () => {
    const env = await createTestEnv({ noApp: true, env: { WORKER_BATCH_SIZE: '50', SMS_TIMEOUT_MS: '10000' } });
    try {
      const q = await env.platform.queue.boss.getQueue(SMS_QUEUE.name);
      assert.ok(q!.expireInSeconds! > 50 * 10, `expiry ${q!.expireInSeconds} must exceed 50 sends × 10 s`);
      assert.equal(q!.heartbeatSeconds, HEARTBEAT_SECONDS);
      assert.equal(q!.deadLetter, SMS_DEAD_QUEUE.name);
    } finally {
      await env.close();
    }
  });

  test('a gateway that never answers: the send is cut at SMS_TIMEOUT_MS and the message waits for a retry', async () => {
    const env = await createTestEnv({
      noApp: true,
      env: { SMS_TIMEOUT_MS: '200' },
      platform: { smsProvider: { name: 'hang', send: () => new Promise<SmsSendResult>(() => {}) } },
    });
    try {
      await enqueue(env, 'hang:1');
      assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name), 1);
      const row = await rowOf(env, 'hang:1');
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error, 'hang:timeout');
      const jobs = await env.platform.queue.boss.findJobs(SMS_QUEUE.name, { data: { smsId: row.id } } as any);
      assert.deepEqual(jobs.map((j: any) => j.state), ['retry']);
    } finally {
      await env.close();
    }
  });

  test('a late failure (a send claimed twice) never overwrites sent', async () => {
    const gateway = manualProvider();
    const env = await createTestEnv({ noApp: true, platform: { smsProvider: gateway.provider } });
    try {
      await enqueue(env, 'late:1');
      const row = await rowOf(env, 'late:1');
      // First attempt hangs; meanwhile the same message is delivered by a second attempt.
      const first = env.platform.sms.deliver(row.id, 0);
      await gateway.sendsWaiting(1);
      const second = env.platform.sms.deliver(row.id, 1);
      await gateway.sendsWaiting(2);
      gateway.answer(1, { kind: 'sent', providerMessageId: 'g-1' });
      await second;
      assert.equal((await rowOf(env, 'late:1')).status, 'sent');
      // The first attempt now times out: the message stays sent, and its job is not retried.
      gateway.answer(0, { kind: 'retry', reason: 'manual:timeout' });
      await first;
      const after = await rowOf(env, 'late:1');
      assert.equal(after.status, 'sent');
      assert.equal(after.provider_message_id, 'g-1');
      assert.equal(after.last_error, null);
    } finally {
      await env.close();
    }
  });

  test('only allowed transitions: sent stays sent; dead does not go back to failed', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      await enqueue(env, 'guard:1');
      await enqueue(env, 'guard:2');
      const a = await rowOf(env, 'guard:1');
      const b = await rowOf(env, 'guard:2');
      await markSmsSent(env.platform.db, a.id, 'x', 'm1', new Date(), false);
      assert.equal(await markSmsFailed(env.platform.db, a.id, 'x', 'late', true, new Date()), false);
      assert.equal((await rowOf(env, 'guard:1')).status, 'sent');
      assert.equal(await markSmsFailed(env.platform.db, b.id, 'x', 'gone', true, new Date()), true);
      assert.equal(await markSmsFailed(env.platform.db, b.id, 'x', 'late', false, new Date()), false);
      assert.equal((await rowOf(env, 'guard:2')).status, 'dead');
    } finally {
      await env.close();
    }
  });

  test("the job's own retry limit decides the last attempt (stored settings differ from this process's): the message ends dead, not failed", async () => {
    const env = await createTestEnv({ noApp: true, env: { SMS_RETRY_LIMIT: '8', SMS_RETRY_DELAY_SECONDS: '1' }, platform: { smsProvider: { name: 'down', send: async () => ({ kind: 'retry', reason: 'down:503' }) } } });
    try {
      // Another process wrote retryLimit 1 into the queue (as the web process did).
      await env.platform.queue.boss.updateQueue(SMS_QUEUE.name, { retryLimit: 1 });
      await enqueue(env, 'limit:1');
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true }), 0, 'no attempt left');
      const row = await rowOf(env, 'limit:1');
      assert.equal(row.status, 'dead', 'in the dead-letter list, resendable by staff');
      assert.equal((await env.platform.sms.listDead()).total, 1);
    } finally {
      await env.close();
    }
  });

  test('a job that pg-boss fails for good without the handler deciding (expired on its last attempt) reaches the dead-letter queue: the message ends dead', async () => {
    const env = await createTestEnv({ noApp: true, env: { SMS_RETRY_LIMIT: '0' } });
    try {
      await enqueue(env, 'expired:1');
      const row = await rowOf(env, 'expired:1');
      // A worker claimed it and died; the supervisor fails the job (no retry left).
      const [job] = await env.platform.queue.boss.fetch<object>(SMS_QUEUE.name);
      await env.platform.queue.boss.fail(SMS_QUEUE.name, job!.id, { message: 'job heartbeat timeout' });
      assert.equal((await rowOf(env, 'expired:1')).status, 'queued');
      assert.equal(await env.platform.queue.runDue(SMS_DEAD_QUEUE.name, { includeFuture: true }), 1);
      const after = await rowOf(env, 'expired:1');
      assert.equal(after.status, 'dead');
      assert.equal(after.id, row.id);
    } finally {
      await env.close();
    }
  });
});

describe('idle polling', () => {
  // An idle worker process asked PostgreSQL (or the embedded database) for jobs 32 times a
  // second: two pollers every second for each of 16 queues, ten of them fed only by
  // housekeeping schedules every 5 minutes or once a day (an idle `npm start` used 98 ms
  // of CPU per second). A queue now says how often it is worth asking.
  test('housekeeping queues have one poller every 30 s; delivery queues keep the worker interval and WORKER_CONCURRENCY', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      const { queue, housekeeping } = env.platform;
      await queue.work({ pollingIntervalSeconds: 1, batchSize: 10, localConcurrency: 2 });
      const workers = queue.boss.getWipData();
      const of = (name: string) => workers.filter((w) => w.name === name).map((w) => (w.options as { pollingIntervalSeconds?: number }).pollingIntervalSeconds);
      assert.ok(housekeeping.tasks.length >= 10);
      for (const task of housekeeping.tasks) assert.deepEqual(of(task.queue), [30], task.queue);
      for (const { name } of [SMS_QUEUE, SMS_DEAD_QUEUE]) assert.deepEqual(of(name), [1, 1], name);
      const perSecond = workers.reduce((sum, w) => sum + 1 / (w.options as { pollingIntervalSeconds: number }).pollingIntervalSeconds, 0);
      assert.ok(perSecond <= 13, `an idle worker asks ${perSecond.toFixed(1)} times a second`);
    } finally {
      await env.close();
    }
  });
});

describe('wake on send', () => {
  // A job waited for the next poll of its queue (up to a second for a sign-in code by SMS;
  // a separate worker process could not know sooner). Now the job's insert notifies its
  // queue (pg-boss's LISTEN/NOTIFY, in the same transaction), and every process working the
  // queue fetches at once; polling stays as the backstop for retries and delayed jobs.
  test('an SMS enqueued is sent at once, though its workers poll only every 60 s', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      await env.platform.queue.work({ pollingIntervalSeconds: 60, batchSize: 10, localConcurrency: 1 });
      // The workers' first fetches (at start) are done: the next poll is a minute away.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await enqueue(env, 'wake-on-send');
      // Well before the next poll (a minute after the workers started), however loaded the
      // machine: only a wake-up can have sent it by then (it takes milliseconds).
      const deadline = Date.now() + 45_000;
      let status = (await rowOf(env, 'wake-on-send')).status;
      while (status !== 'sent' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await rowOf(env, 'wake-on-send')).status;
      }
      assert.equal(status, 'sent', 'the SMS waited for the next poll');
    } finally {
      await env.close();
    }
  });

  test('a process that only enqueues (web) opens no listener; one that works queues opens one', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      const opened: string[] = [];
      const database = {
        ...env.platform.database,
        listen: (channel: string, onNotice: (payload: string) => void, onLive: (live: boolean) => void) => {
          opened.push(channel);
          return env.platform.database.listen(channel, onNotice, onLive);
        },
      };
      const schema = env.schema ? `${env.schema}_jobs` : 'pgboss';
      const queue = createJobQueue({ database, schema, logger: pino({ level: 'silent' }) });
      try {
        await queue.start({ writeSettings: false });
        assert.deepEqual(opened, [], 'a web-only process listened');
        await queue.work({ pollingIntervalSeconds: 60 });
        assert.equal(opened.length, 1);
        assert.match(opened[0]!, /^pgboss_[0-9a-f]{24}$/);
      } finally {
        await queue.stop();
      }
    } finally {
      await env.close();
    }
  });
});
