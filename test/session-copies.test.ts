// Web processes keep copies of sessions and profiles (src/db/changes.ts). These tests show
// that a revocation still takes effect on every process: one made by this process, one made
// behind its back (another process's SQL), and — on PostgreSQL — one made by a second web
// process on the same database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { createPlatform, type Platform } from '../src/platform.js';
import { apiSignIn, bearer, insertAccount } from './signin.support.js';
import { createTestEnv, type TestEnv } from './support.js';

async function signIn(app: FastifyInstance, platform: Platform) {
  const a = await insertAccount(platform);
  const res = await apiSignIn(app, a.nationalCode, a.password);
  assert.equal(res.statusCode, 200, res.body);
  return { account: a, token: res.json().sessionToken as string };
}

const me = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

/** Waits until a process has heard of a change (its feed moved on); milliseconds waited. */
async function heard(platform: Platform, since: number, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  while (platform.changes.generation === since) {
    if (performance.now() - started > timeoutMs) throw new Error('no notice arrived');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - started;
}

describe('copies of sessions and profiles in one process', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  it('listens, so copies are in use', () => {
    assert.equal(env.platform.changes.live, true);
  });

  it('signing out ends the session at once (the process drops its copy as it changes the row)', async () => {
    const { token } = await signIn(env.app, env.platform);
    assert.equal((await me(env.app, token)).statusCode, 200);
    assert.equal((await me(env.app, token)).statusCode, 200, 'now from a copy');
    const out = await env.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) });
    assert.equal(out.statusCode, 204);
    assert.equal((await me(env.app, token)).statusCode, 401);
  });

  it('a change made behind the process’s back (SQL of another process) reaches it through the database’s notice', async () => {
    const { account, token } = await signIn(env.app, env.platform);
    assert.equal((await me(env.app, token)).statusCode, 200);
    assert.equal((await me(env.app, token)).statusCode, 200);
    const since = env.platform.changes.generation;
    await sql`UPDATE sessions SET ended_at = now(), end_reason = 'ended_by_staff' WHERE account_id = ${account.id}`.execute(env.platform.db);
    await heard(env.platform, since);
    assert.equal((await me(env.app, token)).statusCode, 401);
  });

  it('a disabled account and a granted permission show at once', async () => {
    const { account, token } = await signIn(env.app, env.platform);
    assert.deepEqual((await me(env.app, token)).json().permissions, []);
    await env.platform.db.transaction().execute((trx) => env.platform.accounts.grantPermissions(trx, account.id, ['doctor']));
    assert.deepEqual((await me(env.app, token)).json().permissions, ['doctor']);
    const since = env.platform.changes.generation;
    await sql`UPDATE accounts SET disabled_at = now() WHERE id = ${account.id}`.execute(env.platform.db);
    await heard(env.platform, since);
    assert.equal((await me(env.app, token)).statusCode, 401);
  });

  it('recording a request (last_seen_at) announces nothing', async () => {
    const { token } = await signIn(env.app, env.platform);
    assert.equal((await me(env.app, token)).statusCode, 200);
    const since = env.platform.changes.generation;
    env.clock.advance(61_000); // due its touch: read again and touched
    assert.equal((await me(env.app, token)).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(env.platform.changes.generation, since);
  });

  // Ends the account's sessions in the database without the notice (triggers off for this
  // transaction): what a request then sees tells whether it read a copy or the row.
  const endQuietly = (accountId: string) =>
    env.platform.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE sessions SET ended_at = now(), end_reason = 'ended_by_staff' WHERE account_id = ${accountId}`.execute(trx);
    });

  it('a password sign-in keeps its new session as a copy at once: the first request reads no session row', async () => {
    const { account, token } = await signIn(env.app, env.platform);
    await endQuietly(account.id);
    assert.equal((await me(env.app, token)).statusCode, 200, 'answered from the copy the sign-in kept');
    // (The control: a session this process never saw is read from the database.)
    const since = env.platform.changes.generation;
    await sql`UPDATE accounts SET first_name = first_name WHERE id = ${account.id}`.execute(env.platform.db);
    await heard(env.platform, since);
    assert.equal((await me(env.app, token)).statusCode, 401, 'the copy dropped on the notice; the row says ended');
  });

  it('a password sign-in keeps the profile it read as a copy too: the first /me reads no account row', async () => {
    const { account, token } = await signIn(env.app, env.platform);
    // Changed behind the process's back, without a notice: only a read of the row would see it.
    await env.platform.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE accounts SET first_name = 'Quiet' WHERE id = ${account.id}`.execute(trx);
    });
    const first = await me(env.app, token);
    assert.equal(first.statusCode, 200);
    assert.notEqual(first.json().firstName, 'Quiet', 'answered from the profile the sign-in kept');
    // (The control: once a notice drops the copy, the row is read.)
    const since = env.platform.changes.generation;
    await sql`UPDATE accounts SET first_name = first_name WHERE id = ${account.id}`.execute(env.platform.db);
    await heard(env.platform, since);
    assert.equal((await me(env.app, token)).json().firstName, 'Quiet');
  });

  it('a change heard between reading the account and opening the session: no copy is kept', async () => {
    const a = await insertAccount(env.platform);
    const row = await env.platform.accounts.get(a.id);
    assert.ok(row);
    const mark = env.platform.sessions.mark();
    const since = env.platform.changes.generation;
    await sql`UPDATE accounts SET disabled_at = now() WHERE id = ${a.id}`.execute(env.platform.db);
    await heard(env.platform, since);
    const session = await env.platform.sessions.create(
      env.platform.db,
      { accountId: a.id, kind: 'api', authMethod: 'password', requiresPasswordChange: false, ip: null, userAgent: null },
      { account: row, mark },
    );
    assert.equal((await me(env.app, session.token)).statusCode, 401, 'read from the database: the account is disabled');
  });
});

describe('two web processes on one PostgreSQL database', { skip: process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL (TEST_DATABASE_URL): PGlite has one process' }, () => {
  let env: TestEnv;
  let other: { platform: Platform; app: FastifyInstance };
  before(async () => {
    env = await createTestEnv();
    const platform = await createPlatform({ config: env.config, logger: pino({ level: 'silent' }), clock: env.clock.now, database: { schema: env.schema! } });
    other = { platform, app: await buildApp(platform) };
  });
  after(async () => {
    await other.app.close();
    await other.platform.close();
    await env.close();
  });

  it('a sign-out on one process ends the session on the other as soon as its notice arrives', async (t) => {
    const { token } = await signIn(env.app, env.platform);
    assert.equal((await me(other.app, token)).statusCode, 200);
    assert.equal((await me(other.app, token)).statusCode, 200, 'the other process now has a copy');
    const since = other.platform.changes.generation;
    assert.equal((await env.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) })).statusCode, 204);
    const waited = await heard(other.platform, since);
    t.diagnostic(`notice reached the other process ${waited.toFixed(1)} ms after the sign-out answered`);
    assert.equal((await me(other.app, token)).statusCode, 401);
  });

  it('a service removed on one process is unknown to the other as soon as its notice arrives', async () => {
    assert.ok((await env.platform.sso.clients.add({ clientId: 'copies-rp', redirectUris: ['https://rp.example/cb'], secret: 'copies-secret-copies-secret-0123' })).ok);
    assert.equal((await other.platform.sso.clients.get('copies-rp'))?.clientId, 'copies-rp');
    assert.equal((await other.platform.sso.clients.get('copies-rp'))?.clientId, 'copies-rp', 'now from a copy');
    const since = other.platform.changes.generation;
    assert.equal(await env.platform.sso.clients.remove('copies-rp'), true);
    await heard(other.platform, since);
    assert.equal(await other.platform.sso.clients.get('copies-rp'), undefined);
  });

  it('while its listening connection is lost, a process serves no copy', async () => {
    const { account, token } = await signIn(env.app, env.platform);
    assert.equal((await me(other.app, token)).statusCode, 200);
    // End the other process's listening session from the server side.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid() AND datname = current_database() AND application_name = ${`dargah:${env.schema}`}`.execute(env.platform.db);
    const started = performance.now();
    while (other.platform.changes.live && performance.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(other.platform.changes.live, false);
    // Changed while nobody listened: the next request reads the database.
    await sql`UPDATE sessions SET ended_at = now(), end_reason = 'ended_by_staff' WHERE account_id = ${account.id}`.execute(env.platform.db);
    assert.equal((await me(other.app, token)).statusCode, 401);
    // It listens again by itself.
    while (!other.platform.changes.live && performance.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(other.platform.changes.live, true);
  });
});
