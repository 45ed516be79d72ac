// Fault suite (issue 12), `npm run test:faults`: two web processes and a worker as real
// processes on PostgreSQL and a private Redis, a fake SMS gateway, nginx in front. Each
// fault asserts nothing lost, nothing duplicated, nothing stuck, and prints its recovery
// time (measured here and printed; the assertions are on outcomes only).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { SMS_QUEUE } from '../../src/notifications/sms.service.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import {
  clusterEnv,
  databaseProxy,
  fakeGateway,
  fakeRegistries,
  freePort,
  newSchema,
  privateRedis,
  type Proc,
  sleep,
  startProcess,
  statusOf,
  stopProcess,
  until,
} from './cluster.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
// `npm test` globs this folder too: the suite runs only from `npm run test:faults`.
const skip = !process.env.FAULT_SUITE
  ? 'fault suite: run with npm run test:faults'
  : databaseUrl
    ? false
    : 'fault suite needs TEST_DATABASE_URL (PostgreSQL shared by real processes): skipped';
if (skip) console.log(`# SKIP ${skip}`);

const report = (what: string, ms: number) =>
  console.log(`# recovery: ${what}: ${(ms / 1000).toFixed(1)} s (gateway requests so far ${gateway.requests}, repeats of a delivered key ${gateway.repeats})`);

let schema: string;
let gateway: Awaited<ReturnType<typeof fakeGateway>>;
let registries: Awaited<ReturnType<typeof fakeRegistries>>;
let proxy: Awaited<ReturnType<typeof databaseProxy>>;

const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
const ALI_DETAILS = {
  firstName: 'علی', lastName: 'رضایی', gender: 'male', birthDate: '1362-04-18', birthCertificateNumber: '37042',
  birthCertificateSerial: '983341', birthCertificateSeries: 'ج/50', country: 'IR', city: 'تهران', email: '',
  password: 'Tavana#Sahel92', passwordConfirmation: 'Tavana#Sahel92', securityQuestion: 'first_school', securityAnswer: 'دبستان فردوسی',
};
let redis: Awaited<ReturnType<typeof privateRedis>>;
let env: Record<string, string>;
let webs: Proc[] = [];
let worker: Proc | undefined;
/** The test's own handle on the database (enqueues messages, reads outcomes; no worker). */
let probe: Platform;

async function startWorker(): Promise<Proc> {
  const p = startProcess('worker', env, await freePort());
  await until('worker started', () => /workers started/.test(p.output()) || !p.alive(), 90_000);
  assert.ok(p.alive(), `worker died at start:\n${p.output().slice(-3000)}`);
  return p;
}

async function enqueue(tag: string, n: number): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `${tag}:${i}`);
  await probe.db.transaction().execute((trx) =>
    probe.sms.enqueueMany(
      trx,
      keys.map((key, i) => ({ to: `0912${String(1000000 + i).padStart(7, '0')}`, template: 'sms.registration_code' as const, params: { code: '482913' }, lang: 'fa' as const, idempotencyKey: key })),
    ),
  );
  return keys;
}

/** Every message sent, each delivered once by the gateway, and no delivery job left behind. */
async function allDelivered(keys: string[]): Promise<boolean> {
  const rows = await probe.db.selectFrom('sms_messages').select(['status']).where('idempotency_key', 'in', keys).execute();
  return rows.length === keys.length && rows.every((r) => r.status === 'sent') && keys.every((k) => gateway.delivered.get(k) === 1);
}

async function assertNothingStuck(keys: string[]) {
  const rows = await probe.db.selectFrom('sms_messages').select(['idempotency_key', 'status']).where('idempotency_key', 'in', keys).execute();
  assert.equal(rows.length, keys.length, 'nothing lost');
  assert.deepEqual([...new Set(rows.map((r) => r.status))], ['sent'], 'every message sent');
  for (const k of keys) assert.equal(gateway.delivered.get(k), 1, `${k} delivered once`);
  // A batch settles its jobs once its last send is done: wait for that, then nothing may be left.
  const open = async () =>
    (await probe.database.executeSql(`SELECT count(*)::int AS n FROM ${schema}_jobs.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`, [SMS_QUEUE.name])).rows[0].n as number;
  await until('no delivery job left waiting or active', async () => (await open()) === 0, 60_000);
}

async function terminateBackends(): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl, application_name: 'dargah-faults-admin' });
  await admin.connect();
  try {
    // The suite's own schema name is unique: only its processes' sessions carry it.
    const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [`dargah:${schema}`]);
    return r.rows[0].n;
  } finally {
    await admin.end();
  }
}

const allReady = async () => (await Promise.all(webs.map((w) => statusOf(w.port, '/readyz')))).every((s) => s === 200);

describe('fault suite: two web processes and a worker', { skip }, () => {
  before(async () => {
    schema = newSchema();
    gateway = await fakeGateway();
    redis = await privateRedis();
    registries = await fakeRegistries({
      [ALI.nationalCode]: {
        nationalCode: ALI.nationalCode, firstName: 'علی', lastName: 'رضایی', birthDate: '1362-04-18', gender: 'male',
        birthCertificateNumber: '37042', birthCertificateSerial: '983341', birthCertificateSeries: 'ج/50', alive: true,
      },
    });
    // The processes reach PostgreSQL through a proxy the suite can cut (the test's own handle does not).
    proxy = await databaseProxy(databaseUrl!);
    env = { ...clusterEnv({ databaseUrl: proxy.url, schema, redisUrl: redis.url, gatewayUrl: gateway.url }), ...registries.env };
    // Simultaneous cold start on an empty schema: two webs and a worker at once.
    const started = Date.now();
    const ports = [await freePort(), await freePort()];
    webs = ports.map((port) => startProcess('web', env, port));
    worker = startProcess('worker', env, await freePort());
    await until('every process up', async () => webs.every((w) => !w.alive()) || ((await allReady()) && /workers started/.test(worker!.output())), 120_000);
    for (const p of [...webs, worker]) assert.ok(p.alive(), `${p.role} died at cold start:\n${p.output().slice(-3000)}`);
    report('cold start of 2 webs + 1 worker on an empty database', Date.now() - started);
    probe = await createPlatform({ config: loadConfig({ ...env, DATABASE_URL: databaseUrl!, LOG_LEVEL: 'silent' }), logger: pino({ level: 'silent' }) });
    await probe.queue.start({ writeSettings: false });
  });

  after(async () => {
    for (const p of [...webs, worker]) await stopProcess(p);
    if (probe) {
      await probe.database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await probe.database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`).catch(() => {});
      await probe.close().catch(() => {});
    }
    await gateway?.close();
    await registries?.close();
    await redis?.stop();
    await proxy?.down().catch(() => {});
  });

  test('cold start: one set of migrations, one signing key, queues created once, no process failed', async () => {
    const keys = await probe.database.executeSql(`SELECT count(*)::int AS n FROM ${schema}.sso_signing_keys`);
    assert.equal(keys.rows[0].n, 1);
    const dup = await probe.database.executeSql(`SELECT count(*)::int AS n FROM (SELECT name FROM ${schema}.kysely_migration GROUP BY name HAVING count(*) > 1) d`);
    assert.equal(dup.rows[0].n, 0);
    for (const p of [...webs, worker!]) assert.doesNotMatch(p.output(), /duplicate key|"level":50/, `${p.role} logged an error at start`);
    const stored = await probe.queue.boss.getQueue(SMS_QUEUE.name);
    assert.equal(stored?.retryLimit, 30, 'the worker wrote the queue settings');
  });

  test('nginx round robin in front of the two webs (docs/deployment/nginx.conf)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dargah-nginx-'));
    const port = await freePort();
    const conf = readFileSync(path.join('docs', 'deployment', 'nginx.conf'), 'utf8')
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replace(/server 127\.0\.0\.1:3001[^;]*;/, `server 127.0.0.1:${webs[0]!.port} max_fails=1 fail_timeout=5s;`)
      .replace(/server 127\.0\.0\.1:3002[^;]*;/, `server 127.0.0.1:${webs[1]!.port} max_fails=1 fail_timeout=5s;`)
      .replaceAll('/var/log/nginx/', `${dir}/`);
    // The shipped file is an http{} block's content: wrap it for a stand-alone test instance.
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `error_log ${dir}/error.log;\nevents { worker_connections 256; }\nhttp {\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${conf}\n}\n`,
    );
    const nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    nginx.stderr!.on('data', (d) => (out += d));
    try {
      await until('nginx answers', async () => (await statusOf(port, '/healthz')) === 200 || nginx.exitCode !== null, 20_000);
      assert.equal(nginx.exitCode, null, `nginx exited: ${out}`);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push(await statusOf(port, '/signin'));
      assert.deepEqual([...new Set(statuses)], [200]);
      // The access log names the upstream of each request: both webs served.
      const log = readFileSync(path.join(dir, 'access.log'), 'utf8');
      for (const w of webs) assert.match(log, new RegExp(`127\\.0\\.0\\.1:${w.port}`), `web on ${w.port} got requests`);
    } finally {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => (nginx.exitCode !== null ? resolve(null) : nginx.once('exit', resolve)));
    }
  });

  test('database connections terminated (pg_terminate_backend) while SMS flow: every process keeps running and recovers', async () => {
    gateway.state.mode = 'slow';
    const keys = await enqueue('pgloss', 20);
    await until('a send in flight', () => gateway.pending > 0, 60_000);
    const t0 = Date.now();
    const n = await terminateBackends();
    assert.ok(n > 0, 'some backends terminated');
    gateway.state.mode = 'ok';
    await sleep(500);
    for (const p of [...webs, worker!]) assert.ok(p.alive(), `${p.role} died after losing its connections:\n${p.output().slice(-3000)}`);
    await until('webs ready again', allReady, 60_000);
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    report('PostgreSQL connections terminated → all ready and every SMS delivered', Date.now() - t0);
    for (const p of [...webs, worker!]) assert.ok(p.alive(), `${p.role} still running`);
    assert.equal(await statusOf(webs[0]!.port, '/signin'), 200);
    await assertNothingStuck(keys);
  });

  test('database down (connections cut, new ones refused), then back: /readyz 503 meanwhile, /healthz 200, every process recovers by itself', async () => {
    gateway.state.mode = 'ok';
    await proxy.down();
    await until('webs report the database down', async () => (await Promise.all(webs.map((w) => statusOf(w.port, '/readyz')))).every((s) => s === 503), 30_000);
    for (const w of webs) assert.equal(await statusOf(w.port, '/healthz'), 200, 'liveness unaffected');
    // Messages enqueued meanwhile (the test's own connection is direct) wait for the worker.
    const keys = await enqueue('dbdown', 10);
    await sleep(3000);
    for (const p of [...webs, worker!]) assert.ok(p.alive(), `${p.role} died while the database was down:\n${p.output().slice(-3000)}`);
    const t0 = Date.now();
    await proxy.up();
    await until('webs ready again', allReady, 60_000);
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    report('database back → all ready and every SMS delivered', Date.now() - t0);
    assert.equal(await statusOf(webs[1]!.port, '/signin'), 200);
    await assertNothingStuck(keys);
  });

  test('SMS gateway outage (503), then back: every message delivered once, none dead', async () => {
    gateway.state.mode = 'down';
    const keys = await enqueue('outage', 20);
    await until('the gateway refused some sends', () => gateway.requests > 0, 60_000);
    await sleep(3000);
    const t0 = Date.now();
    gateway.state.mode = 'ok';
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    report('SMS gateway back → every queued SMS delivered', Date.now() - t0);
    await assertNothingStuck(keys);
  });

  test('SMS gateway hangs (no answer), then answers: sends cut at SMS_TIMEOUT_MS, retried, delivered once', async () => {
    gateway.state.mode = 'hang';
    const keys = await enqueue('hang', 10);
    await until('sends hanging', () => gateway.pending > 0, 60_000);
    await sleep(3000);
    const t0 = Date.now();
    gateway.state.mode = 'ok';
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    report('SMS gateway answering again after a hang → every SMS delivered', Date.now() - t0);
    await assertNothingStuck(keys);
  });

  test('worker killed (SIGKILL) holding jobs: another worker delivers them, each once, within a minute', async () => {
    gateway.state.mode = 'hang';
    const keys = await enqueue('kill', 10);
    await until('the worker holds jobs', () => gateway.pending > 0, 60_000);
    const t0 = Date.now();
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    gateway.state.mode = 'ok';
    worker = await startWorker();
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    const ms = Date.now() - t0;
    report('worker SIGKILLed → its jobs delivered by a new worker', ms);
    await assertNothingStuck(keys);
  });

  test('SIGTERM: the worker finishes the sends in hand and exits 0', async () => {
    gateway.state.mode = 'slow';
    const keys = await enqueue('term', 5);
    await until('sends in flight', () => gateway.pending > 0, 60_000);
    worker!.child.kill('SIGTERM');
    const { code } = await worker!.exited;
    assert.equal(code, 0, worker!.output().slice(-3000));
    assert.match(worker!.output(), /"msg":"stopped"/);
    gateway.state.mode = 'ok';
    worker = await startWorker();
    await until('every message delivered once', () => allDelivered(keys), 120_000);
    await assertNothingStuck(keys);
  });

  test('SIGTERM: a web process finishes the requests in flight and exits 0; the other keeps serving', async () => {
    const web = webs[1]!;
    // Sign-in attempts (an argon2 hash each) in flight when the signal comes.
    const inFlight = Array.from({ length: 4 }, () =>
      fetch(`http://127.0.0.1:${web.port}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: '0014789663', password: 'not-the-password-1' }),
      }).then((r) => r.status, () => 0),
    );
    await sleep(100);
    web.child.kill('SIGTERM');
    const { code } = await web.exited;
    assert.equal(code, 0, web.output().slice(-3000));
    assert.match(web.output(), /"msg":"stopped"/);
    const statuses = await Promise.all(inFlight);
    // Answered (whatever the answer), or refused before it was accepted: never a 5xx.
    assert.deepEqual(statuses.filter((s) => s >= 500), [], `statuses ${statuses.join(', ')}`);
    assert.equal(await statusOf(webs[0]!.port, '/readyz'), 200);
    webs[1] = startProcess('web', env, await freePort());
    await until('the replacement web ready', async () => (await statusOf(webs[1]!.port, '/readyz')) === 200 || !webs[1]!.alive(), 90_000);
    assert.ok(webs[1]!.alive(), webs[1]!.output().slice(-3000));
  });

  test('civil registry outage, then back: the registration waits (never a "no"), then one outcome and one SMS', async () => {
    gateway.state.mode = 'ok';
    registries.state.civilDown = true;
    const post = async (port: number, url: string, body: object) => {
      const r = await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const started = await post(webs[0]!.port, '/api/v1/registration', { nationalCode: ALI.nationalCode, mobileOperator: 'mci', mobile: ALI.mobile });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    // The second step through the other web process (no state in a web process).
    const completed = await post(webs[1]!.port, `/api/v1/registration/${started.body.flowId}/details`, ALI_DETAILS);
    assert.equal(completed.status, 202, JSON.stringify(completed.body));
    await until('the worker asked the civil registry (down) more than once', () => registries.state.civilCalls >= 2, 60_000);
    const account = () => probe.db.selectFrom('accounts').select(['id', 'status']).where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
    assert.equal((await account()).status, 'pending_verification', 'no outcome while the registry is down');
    const t0 = Date.now();
    registries.state.civilDown = false;
    await until('an outcome', async () => (await account()).status !== 'pending_verification', 60_000);
    const outcomeKeys = (await probe.db.selectFrom('sms_messages').select('idempotency_key').where('idempotency_key', 'like', 'verification-outcome:%').execute()).map((r) => r.idempotency_key);
    assert.equal(outcomeKeys.length, 1, 'one outcome SMS');
    await until('the outcome SMS delivered once', () => allDelivered(outcomeKeys), 60_000);
    report('civil registry back → outcome and its SMS delivered', Date.now() - t0);
    assert.equal((await account()).status, 'active');
    const events = await probe.db.selectFrom('audit_events').select('event').where('event', 'like', 'verification.%').execute();
    assert.deepEqual(events.map((e) => e.event), ['verification.activated'], 'one outcome');
    const open = await probe.database.executeSql(`SELECT count(*)::int AS n FROM ${schema}_jobs.job WHERE state IN ('created', 'retry', 'active') AND name IN ('verification-run', $1)`, [SMS_QUEUE.name]);
    assert.equal(open.rows[0].n, 0, 'no job left behind');
  });

  test('Redis outage and return: /readyz 503 meanwhile, no 500, ready again after', async () => {
    redis.stop();
    await until('webs report Redis down', async () => (await Promise.all(webs.map((w) => statusOf(w.port, '/readyz')))).every((s) => s === 503), 30_000);
    assert.equal(await statusOf(webs[0]!.port, '/healthz'), 200, 'liveness unaffected');
    const statuses: number[] = [];
    for (const w of webs) {
      const r = await fetch(`http://127.0.0.1:${w.port}/api/v1/registration/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nationalCode: '0014789663', mobile: '09128890822' }),
        signal: AbortSignal.timeout(15_000),
      }).catch(() => undefined);
      statuses.push(r?.status ?? 0);
    }
    // The limits fall back to a stricter in-process guard (src/security/rateLimits.ts): never a 500.
    assert.deepEqual(statuses.filter((s) => s >= 500 || s === 0), [], `answers while Redis is down: ${statuses.join(', ')}`);
    assert.ok(statuses.every((s) => s === 200), `the status look-up still answers: ${statuses.join(', ')}`);
    const t0 = Date.now();
    await redis.start();
    await until('webs ready again', allReady, 60_000);
    report('Redis back → both webs ready', Date.now() - t0);
    for (const p of [...webs, worker!]) assert.ok(p.alive(), `${p.role} survived the Redis outage`);
  });
});
