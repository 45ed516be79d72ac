// A web process for the HTTP bench, started by bench/scenarios/http.ts with fork():
//   app  — the real web process (as `src/main.ts web`: platform, queue, app, logs at the
//          configured level to stdout), on a fresh PostgreSQL schema (DATABASE_URL) or PGlite
//          in memory, with BENCH_ACCOUNTS accounts seeded through the real schema in SQL;
//   bare — the ceilings: Fastify alone answering the same JSON and page, and a route that
//          does only the argon2id verify of a sign-in, at the same parameters.
// Listens on 127.0.0.1 (random port) and talks to the parent over IPC.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createPlatform } from '../../src/platform.js';
import { createPasswordHasher } from '../../src/security/passwords.js';

export const BENCH_PASSWORD = 'Gorbeh!Sabz42';

/** The n-th bench national code (n from 1): 9 digits from n, then the check digit. */
export function benchNationalCode(n: number): string {
  const body = String(100_000_000 + n).slice(-9);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (10 - i);
  const r = sum % 11;
  return body + String(r < 2 ? r : 11 - r);
}

type Message =
  | { type: 'seed'; accounts: number }
  | { type: 'memory' }
  | { type: 'bare-bodies'; me: string; page: string }
  | { type: 'stop' };

const send = (m: object) => process.send!(m);

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, peak: process.resourceUsage().maxRSS * 1024, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
}

/**
 * The real web process (as `src/main.ts web`) on a fresh PostgreSQL schema (DATABASE_URL) or
 * PGlite in memory, listening on 127.0.0.1 (PORT from `env`, else a random port); `env`
 * adds to the environment the configuration is read from. Also used by bench/sso/server.ts.
 */
export async function startPortal(env: Record<string, string> = {}) {
  const pg = process.env.DATABASE_URL;
  const schema = pg ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const config = loadConfig({
    ...process.env,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-bench-')),
    SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
    ...env,
  });
  const logger = createLogger(config.logLevel);
  const platform = await createPlatform({ config, logger, ...(schema ? { database: { schema } } : { database: { memory: true } }) });
  await platform.queue.start();
  const app = await buildApp(platform);
  await app.listen({ port: env.PORT ? config.port : 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const hash = await platform.hasher.hash(BENCH_PASSWORD);
  let seeded = 0;

  /** Accounts 1…n through the real table, in batches of one statement each (generate_series). */
  async function seed(n: number) {
    const batch = 100_000;
    for (let from = seeded + 1; from <= n; from += batch) {
      const to = Math.min(n, from + batch - 1);
      // The check digit of a national code, in SQL (same rule as benchNationalCode).
      await sql`
        INSERT INTO accounts (national_code, status, origin, first_name, last_name, mobile, password_hash, activated_at)
        SELECT body || (CASE WHEN s % 11 < 2 THEN s % 11 ELSE 11 - s % 11 END)::text, 'active', 'central', 'علی', 'رضایی', '09120000000', ${hash}, now()
        FROM (
          SELECT body, (SELECT sum(substr(body, i, 1)::int * (11 - i)) FROM generate_series(1, 9) i) AS s
          FROM (SELECT lpad(((100000000 + g) % 1000000000)::text, 9, '0') AS body FROM generate_series(${from}::int, ${to}::int) g) b
        ) c`.execute(platform.db);
    }
    seeded = Math.max(seeded, n);
    // A table of that many accounts as it is in service, not just bulk-loaded: hint bits and
    // the visibility map set (VACUUM), statistics current, and the load's dirty pages written
    // (CHECKPOINT, where the role may) before anything is timed.
    await sql`VACUUM (ANALYZE) accounts`.execute(platform.db);
    await sql`CHECKPOINT`.execute(platform.db).catch(() => {});
  }

  return {
    platform,
    config,
    app,
    port,
    database: pg ? 'postgresql' : 'pglite (memory)',
    seed,
    seeded: () => seeded,
    /** Stops the web process and drops its schemas. */
    async close() {
      await app.close();
      if (schema) {
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }
      await platform.close();
    },
  };
}

async function startApp() {
  const { platform, config, port, database, seed, seeded, close } = await startPortal();

  // A browser session for the account page (cookie), made by the real sign-in.
  await seed(Number(process.env.BENCH_ACCOUNTS_FIRST ?? 10_000));
  const web = await platform.signin.signIn({ username: benchNationalCode(1), password: BENCH_PASSWORD }, { ip: '10.8.0.1', lang: 'fa', userAgent: 'bench', kind: 'web' });
  if (!web.ok) throw new Error(`web sign-in failed: ${JSON.stringify(web)}`);

  process.on('message', async (m: Message) => {
    try {
      if (m.type === 'seed') {
        await seed(m.accounts);
        send({ type: 'seeded', accounts: seeded() });
      } else if (m.type === 'memory') send({ type: 'memory', ...memory() });
      else if (m.type === 'stop') {
        await close();
        process.exit(0);
      }
    } catch (e) {
      send({ type: 'error', message: String((e as Error).stack ?? e) });
    }
  });
  send({ type: 'ready', port, cookie: `dargah_session=${web.value.session.token}`, database, argon2: config.argon2 });
}

async function startBare() {
  const config = loadConfig({ ...process.env, DATA_DIR: tmpdir() });
  const hasher = createPasswordHasher(config.argon2);
  const hash = await hasher.hash(BENCH_PASSWORD);
  const app = Fastify({ logger: false });
  let me = '{}';
  let page = '';
  app.get('/me', async (_req, reply) => reply.type('application/json; charset=utf-8').send(me));
  app.get('/account', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  // The ceiling of a sign-in: parse the same JSON, one argon2id verify, answer a token.
  app.post('/verify', async (req) => {
    const { password } = req.body as { password: string };
    const { valid } = await hasher.verify(hash, password);
    if (!valid) throw new Error('wrong password');
    return { sessionToken: randomBytes(32).toString('base64url') };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.on('message', async (m: Message) => {
    if (m.type === 'bare-bodies') {
      me = m.me;
      page = m.page;
      send({ type: 'ok' });
    } else if (m.type === 'memory') send({ type: 'memory', ...memory() });
    else if (m.type === 'stop') {
      await app.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', port: (app.server.address() as { port: number }).port });
}

// Only as the http bench's child (bench/sso/server.ts imports this file into its own bundle).
if (process.send && process.env.BENCH_CHILD === 'http') {
  const mode = process.argv[2];
  (mode === 'bare' ? startBare() : startApp()).catch((e) => {
    send({ type: 'error', message: String((e as Error).stack ?? e) });
    process.exit(1);
  });
}
