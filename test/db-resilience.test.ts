// Issue 12: a process survives the loss of its PostgreSQL connections (terminated backends:
// a restart, a failover, an idle timeout) and recovers by itself. PostgreSQL only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { createTestEnv, type TestEnv } from './support.js';

const url = process.env.TEST_DATABASE_URL;
const skip = url ? false : 'needs TEST_DATABASE_URL (terminates PostgreSQL backends): skipped';
if (skip) console.log(`# SKIP ${skip}`);

let env: TestEnv;
before(async () => {
  if (!skip) env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

/**
 * Terminates every backend of this test's environment — its database and schema (by
 * application_name) — from another session; other work on the server is left alone.
 */
async function terminateBackends(): Promise<number> {
  const database = (await env.platform.database.executeSql('SELECT current_database() AS name')).rows[0].name as string;
  const admin = new pg.Client({ connectionString: url, application_name: 'dargah-test-admin' });
  await admin.connect();
  try {
    const r = await admin.query(
      'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = $2',
      [`dargah:${env.schema}`, database],
    );
    return r.rows[0].n;
  } finally {
    await admin.end();
  }
}

test('backends terminated (idle and in the middle of a query): the process keeps running and requests succeed again', { skip }, async () => {
  assert.equal((await env.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  // One connection busy in a query, others idle in the pool.
  const busy = env.platform.database.executeSql('SELECT pg_sleep(30)');
  const busyOutcome = busy.then(() => 'finished', (e: Error) => `failed: ${e.message}`);
  await new Promise((r) => setTimeout(r, 200));
  const terminated = await terminateBackends();
  assert.ok(terminated >= 2, `terminated ${terminated} backends`);
  assert.match(await busyOutcome, /^failed: /, 'the query in flight fails (it is not silently lost)');

  // Still alive: the pool drops the broken connections and opens new ones (idle ones that
  // broke are noticed as they are next used: readiness comes back within a few requests).
  let ready = await env.app.inject({ method: 'GET', url: '/readyz' });
  for (let i = 0; i < 10 && ready.statusCode !== 200; i++) ready = await env.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200, ready.body);
  assert.equal((await env.app.inject({ method: 'GET', url: '/signin' })).statusCode, 200);
  // The job queue works again too (enqueue in a transaction, deliver).
  await env.platform.db.transaction().execute((trx) =>
    env.platform.sms.enqueue(trx, { to: '09121234567', template: 'sms.registration_code', params: { code: '123456' }, lang: 'fa', idempotencyKey: 'after-loss:1' }),
  );
  assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name), 1);
  const row = await env.platform.db.selectFrom('sms_messages').select('status').where('idempotency_key', '=', 'after-loss:1').executeTakeFirstOrThrow();
  assert.equal(row.status, 'sent');
});

test('/readyz answers 503 while Redis (REDIS_URL set) is unreachable; /healthz stays 200', async () => {
  // Nothing listens on port 1: the same as a Redis that is down.
  const down = await createTestEnv({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  try {
    const r = await down.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(r.statusCode, 503);
    assert.deepEqual(JSON.parse(r.body), { status: 'unavailable', database: true, redis: false });
    assert.equal((await down.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await down.close();
  }
});
