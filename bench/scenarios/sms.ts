// SMS deliveries per second on one worker: N messages enqueued at once, one worker (the
// production defaults: WORKER_CONCURRENCY pollers × WORKER_BATCH_SIZE, sends one after the
// other within a batch) sending to a local fake signed-JSON gateway that answers after
// BENCH_GATEWAY_MS (default 50 ms, a typical provider). Database: DATABASE_URL or PGlite.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Scenario } from '../run.js';
import { loadConfig } from '../../src/config.js';
import { createPlatform } from '../../src/platform.js';

export const scenario: Scenario = {
  name: 'sms',
  description: 'SMS deliveries per second on one worker through a fake HTTP gateway (DATABASE_URL or PGlite)',
  async run() {
    const pg = process.env.DATABASE_URL;
    const n = Number(process.env.BENCH_N ?? (pg ? 1000 : 300));
    const latencyMs = Number(process.env.BENCH_GATEWAY_MS ?? 50);
    let delivered = 0;
    const gateway = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          delivered += 1;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
        }, latencyMs),
      );
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const schema = pg ? `bench_${randomBytes(4).toString('hex')}` : undefined;
    const config = loadConfig({
      ...process.env,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-bench-')),
      SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
      LOG_LEVEL: 'silent',
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`,
      SMS_HTTP_SECRET: 'bench-gateway-secret',
    });
    const platform = await createPlatform({ config, logger: pino({ level: 'silent' }), database: schema ? { schema } : { memory: true } });
    try {
      await platform.queue.start();
      for (let i = 0; i < n; i += 500) {
        await platform.db.transaction().execute((trx) =>
          platform.sms.enqueueMany(
            trx,
            Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
              to: `0912${String(i + j).padStart(7, '0')}`,
              template: 'sms.registration_code' as const,
              params: { code: '482913' },
              lang: 'fa' as const,
              idempotencyKey: `bench:${i + j}`,
            })),
          ),
        );
      }
      const t0 = performance.now();
      await platform.queue.work({ pollingIntervalSeconds: 0.5, batchSize: config.worker.batchSize, localConcurrency: config.worker.concurrency });
      const sent = async () =>
        Number((await platform.db.selectFrom('sms_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow()).n);
      while ((await sent()) < n) await new Promise((r) => setTimeout(r, 100));
      const seconds = (performance.now() - t0) / 1000;
      return {
        database: pg ? 'PostgreSQL' : 'PGlite (in memory)',
        messages: n,
        'gateway latency (ms)': latencyMs,
        'worker: pollers × batch': `${config.worker.concurrency} × ${config.worker.batchSize}`,
        'worker: SMS/s': n / seconds,
        'gateway requests': delivered,
      };
    } finally {
      await platform.queue.stop();
      if (schema) {
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }
      await platform.close();
      gateway.close();
    }
  },
};
