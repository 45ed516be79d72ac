// A worker process killed (SIGKILL) in the middle of a verification, then another worker:
// one outcome and one SMS. PostgreSQL only: two processes cannot share an embedded PGlite.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { VERIFICATION_QUEUE } from '../src/verification/verification.service.js';
import { createTestEnv, lastCodeTo, type TestEnv } from './support.js';

const pg = process.env.TEST_DATABASE_URL;
const skip = pg ? false : 'needs TEST_DATABASE_URL (two processes cannot share PGlite): skipped';
if (skip) console.log(`# SKIP ${skip}`);

const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
const ALI_DETAILS = {
  firstName: 'علی', lastName: 'رضایی', gender: 'male', birthDate: '1362-04-18', birthCertificateNumber: '37042',
  birthCertificateSerial: '983341', birthCertificateSeries: 'ج/50', country: 'IR', city: 'تهران', email: '',
  password: 'Tavana#Sahel92', passwordConfirmation: 'Tavana#Sahel92', securityQuestion: 'first_school', securityAnswer: 'دبستان فردوسی',
};
const SECRET_KEY = 'test-secret-key-test-secret-key-0123456789';

let env: TestEnv;
before(async () => {
  if (!skip) env = await createTestEnv({ env: { VERIFICATION_DELAY_SECONDS: '0' }, noApp: true });
});
after(async () => {
  await env?.close();
});

test('a worker killed mid-verification: after restart, one outcome and one SMS', { skip }, async () => {
  const reg = env.platform.registration;
  const meta = { ip: '10.1.1.1', lang: 'fa' as const };
  const started = await reg.start({ nationalCode: ALI.nationalCode, mobileOperator: 'mci', mobile: ALI.mobile }, meta);
  assert.ok(started.ok);
  assert.ok((await reg.verifyCode(started.value.flowId, { code: await lastCodeTo(env.platform, ALI.mobile) })).ok);
  assert.ok((await reg.complete(started.value.flowId, ALI_DETAILS, meta)).ok);
  const request = await env.platform.db.selectFrom('verification_requests').select('id').executeTakeFirstOrThrow();

  // A real worker process picks the job up and is killed inside the outcome transaction.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'crashing-worker.ts')], {
    env: { ...process.env, DATABASE_URL: env.config.databaseUrl!, TEST_SCHEMA: env.schema!, SECRET_KEY, LOG_LEVEL: 'silent', DATA_DIR: env.config.dataDir, REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  assert.equal(signal, 'SIGKILL', output);
  assert.match(output, /dying mid-transaction/);

  // Nothing of the outcome survived the kill; the job is still "active" for the dead worker.
  const account = await env.platform.db.selectFrom('accounts').select('status').where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
  assert.equal(account.status, 'pending_verification');
  const outcomeSms = () =>
    env.platform.db.selectFrom('sms_messages').select(['id', 'body']).where('idempotency_key', '=', `verification-outcome:${request.id}`).execute();
  assert.equal((await outcomeSms()).length, 0);
  const jobs = `${env.schema}_jobs`;
  const active = await sql<{ state: string }>`SELECT state FROM ${sql.id(jobs, 'job')} WHERE name = ${VERIFICATION_QUEUE.name}`.execute(env.platform.db);
  assert.deepEqual(active.rows.map((r) => r.state), ['active']);

  // pg-boss's supervisor gives a lost job back once its expiry has passed: let that time pass.
  await sql`UPDATE ${sql.id(jobs, 'job')} SET started_on = now() - interval '1 hour' WHERE name = ${VERIFICATION_QUEUE.name}`.execute(env.platform.db);
  // (Supervision runs at most every few seconds per queue; this pass is forced.)
  await sql`UPDATE ${sql.id(jobs, 'queue')} SET monitor_on = NULL, monitor_claim_on = NULL`.execute(env.platform.db);
  await env.platform.queue.boss.supervise(VERIFICATION_QUEUE.name);
  assert.equal(await env.platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true }), 1);

  const after = await env.platform.db.selectFrom('accounts').select('status').where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
  assert.equal(after.status, 'active');
  const sent = await outcomeSms();
  assert.equal(sent.length, 1, 'one SMS');
  const events = await env.platform.db.selectFrom('audit_events').select('event').where('event', 'like', 'verification.%').execute();
  assert.deepEqual(events.map((e) => e.event), ['verification.activated'], 'one outcome');
  // A further run finds nothing to do.
  assert.equal(await env.platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true }), 0);
});
