// The command line and a running portal. On the embedded database (PGlite) the portal runs
// in a child process on a temporary DATA_DIR and a free port; `npm run cli` commands go to it
// through its admin socket, take effect at once, and never open the database beside it (no
// PGlite "Aborted()"). On PostgreSQL another process writes the tables and the running
// portal picks the change up within SSO_REFRESH_SECONDS.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import * as oidc from 'openid-client';
import { createSsoService } from '../src/sso/sso.service.js';
import { agent, createSsoTestEnv, freePort, type SsoTestEnv } from './sso.support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECRET = 'cli-test-client-secret-0123456789-abcdefgh';

/** The environment of a child process: the test's own database variables removed. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', SECRET_KEY: 'cli-test-secret-key-0123456789abcdefghijkl', ...extra };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'TEST_DATABASE_URL', 'TEST_REDIS_URL']) delete env[k];
  return env;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/start.mjs', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => run(['cli', ...args], env);

describe('the command line beside a portal on the embedded database', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let portal: ChildProcess;
  let portalOutput = '';
  let issuer: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'dargah-cli-'));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    env = childEnv({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: issuer, SSO_REFRESH_SECONDS: '3600' });
    // As `npm start` runs it (scripts/start.mjs: the bundle of src/main.ts, made if src/ is newer).
    portal = spawn(process.execPath, ['scripts/start.mjs', 'all'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    portal.stderr!.on('data', (c) => (portalOutput += c));
    // Ready when it says so (or gone: the test fails with its output).
    await new Promise<void>((resolve, reject) => {
      portal.stdout!.on('data', (c) => {
        portalOutput += c;
        if (portalOutput.includes('Dargah is listening')) resolve();
      });
      portal.on('exit', (code) => reject(new Error(`the portal exited (${code}): ${portalOutput.slice(-2000)}`)));
    });
  });

  after(async () => {
    if (portal && portal.exitCode === null) {
      portal.kill('SIGTERM');
      await once(portal, 'exit');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the admin socket is the owner’s only', () => {
    assert.equal(statSync(path.join(dataDir, 'run')).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(dataDir, 'run', 'admin.sock')).mode & 0o777, 0o600);
  });

  test('clients add goes to the running portal: the new service signs people in at once (SSO_REFRESH_SECONDS is an hour here)', async () => {
    const added = await cli(env, 'clients', 'add', '--id', 'late-service', '--redirect-uri', 'http://127.0.0.1:9/cb', '--first-party', '--secret', SECRET);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /client_id:\s+late-service/);

    const config = await oidc.discovery(new URL(issuer), 'late-service', SECRET, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/cb',
      scope: 'openid',
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const a = agent(issuer);
    const page = await a.follow(await a.get(url.href));
    assert.equal(page.status, 200);
    assert.match(page.body, /name="password"/, 'the new service’s sign-in page, not an error');

    const listed = await cli(env, 'clients', 'list');
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /late-service/);
  });

  test('clients remove goes to the running portal: the service is refused at once', async () => {
    assert.equal((await cli(env, 'clients', 'add', '--id', 'short-lived', '--redirect-uri', 'http://127.0.0.1:9/cb', '--secret', SECRET)).code, 0);
    const removed = await cli(env, 'clients', 'remove', '--id', 'short-lived');
    assert.equal(removed.code, 0, removed.err);
    const res = await fetch(`${issuer}/oidc/auth?client_id=short-lived&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    assert.equal(res.status, 400, 'an unknown client gets the error page, no redirect');
  });

  test('keys rotate and staff add run in the portal; the new key is published at once', async () => {
    const before = (await (await fetch(`${issuer}/oidc/jwks`)).json()) as { keys: { kid: string }[] };
    const rotated = await cli(env, 'keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.err);
    const kid = /new signing key: (\S+)/.exec(rotated.out)![1]!;
    const afterKeys = (await (await fetch(`${issuer}/oidc/jwks`)).json()) as { keys: { kid: string }[] };
    assert.ok(afterKeys.keys.some((k) => k.kid === kid), 'the new key is in the JWKS');
    assert.ok(before.keys.every((k) => afterKeys.keys.some((n) => n.kid === k.kid)), 'the old keys stay published');

    const staff = await cli(env, 'staff', 'add', '--username', 'cli.admin', '--role', 'admin');
    assert.equal(staff.code, 0, staff.err);
    assert.match(staff.out, /one-time password/);
  });

  test('a command that would open the database is refused with a clear message; a second portal does not start', async () => {
    // Both at once: each is refused on its own.
    const [migrate, second] = await Promise.all([cli(env, 'migrate'), freePort().then((port) => run(['all'], { ...env, PORT: String(port) }))]);
    assert.equal(migrate.code, 1);
    assert.match(migrate.err, /cannot run while the portal is running on the embedded database.*stop the portal/);

    assert.equal(second.code, 1);
    assert.match(second.err, /cannot start: another process .* has the embedded database open/);
  });

  test('after the portal stops, the command line opens the database itself; nothing was damaged', async () => {
    portal.kill('SIGTERM');
    await once(portal, 'exit');
    const listed = await cli(env, 'clients', 'list');
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /late-service/);
    assert.doesNotMatch(portalOutput + listed.out + listed.err, /Aborted\(\)/);
  });
});

describe('another process changes services and keys (PostgreSQL: the CLI writes the tables)', () => {
  let env: SsoTestEnv;
  before(async () => {
    env = await createSsoTestEnv({ env: { SSO_REFRESH_SECONDS: '1' } });
  });
  after(async () => env?.close());

  test('a service and a key written by another process are used by the running portal within SSO_REFRESH_SECONDS', async () => {
    // What `npm run cli` does on PostgreSQL: its own service on the same tables.
    const other = createSsoService({ db: env.platform.db, config: env.config, secrets: env.platform.secrets, clock: () => new Date(), logger: pino({ level: 'silent' }) });
    assert.ok((await other.clients.add({ clientId: 'elsewhere', redirectUris: ['http://127.0.0.1:9/cb'], secret: SECRET, firstParty: true })).ok);
    const { kid } = await other.keys.rotate();

    // The client is read from the table per request: usable at once.
    const config = await oidc.discovery(new URL(env.issuer), 'elsewhere', SECRET, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/cb',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const a = agent(env.issuer);
    assert.match((await a.follow(await a.get(url.href))).body, /name="password"/);

    // The key: after the portal's periodic refresh (every second here), new ID tokens use it.
    const published = async () => ((await (await fetch(`${env.issuer}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.some((k) => k.kid === kid);
    while (!(await published())) await new Promise((r) => setTimeout(r, 200));
  });
});
