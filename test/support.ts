// Test support: a whole platform and app on a fresh database — PGlite in memory, loaded from
// the migrated template or one of this process reset to it (test/reuse.ts), or a fresh
// database in the real PostgreSQL when TEST_DATABASE_URL is set, copied from a migrated
// template (test/templates.ts) and dropped at close —
// Redis counters under a unique prefix when TEST_REDIS_URL is set — with a movable clock.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createPlatform, type Platform, type PlatformOptions } from '../src/platform.js';
import { givePglite, takePglite } from './reuse.js';
import { createPostgresDatabase, databaseUrl, dropPostgresDatabase, PG_SCHEMA } from './templates.js';

export type TestClock = {
  now: () => Date;
  advance: (ms: number) => void;
  /** Stops the clock at a time. */
  set: (d: Date) => void;
  /**
   * Lets the clock run with the real time, `offsetMs` from it, until the next `set`: for tests
   * where a library beside the portal (oidc-provider) reads the real clock.
   */
  follow: (offsetMs?: number) => void;
};

export function testClock(start = new Date('2026-11-22T08:00:00Z')): TestClock {
  let t = start.getTime();
  let offset: number | null = null;
  return {
    now: () => new Date(offset === null ? t : Date.now() + offset),
    advance: (ms) => (offset === null ? (t += ms) : (offset += ms)),
    set: (d) => {
      offset = null;
      t = d.getTime();
    },
    follow: (offsetMs = 0) => (offset = offsetMs),
  };
}

export type TestEnv = {
  /** The PostgreSQL schema of this run, in a database of its own (undefined on PGlite). */
  schema: string | undefined;
  /** On PGlite: the embedded database, given back at close for the next environment (test/reuse.ts). */
  pglite: PGlite | undefined;
  platform: Platform;
  app: FastifyInstance;
  clock: TestClock;
  config: Config;
  close(): Promise<void>;
};

export async function createTestEnv(options: {
  env?: Record<string, string>;
  platform?: Partial<Omit<PlatformOptions, 'config' | 'logger' | 'clock' | 'database'>>;
  /** Skip the Fastify app (service-level tests). */
  noApp?: boolean;
  /** Start the job queue (needed by anything that enqueues). Default true. */
  startQueue?: boolean;
} = {}): Promise<TestEnv> {
  const suffix = randomBytes(5).toString('hex');
  const baseUrl = process.env.TEST_DATABASE_URL;
  const dbName = baseUrl ? await createPostgresDatabase(baseUrl) : undefined;
  const pgUrl = baseUrl && dbName ? databaseUrl(baseUrl, dbName) : undefined;
  const redisUrl = process.env.TEST_REDIS_URL;
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-test-')),
    SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    LOG_LEVEL: 'silent',
    // Fast hashing in tests: the parameters are configuration, the algorithm is the same.
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    // Outside services are fakes on this machine: an answer must never lose to a time limit
    // because a loaded machine stalled the process (tests of time limits set their own).
    SMS_TIMEOUT_MS: '60000',
    REGISTRY_TIMEOUT_MS: '60000',
    ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...options.env,
  });
  const clock = testClock();
  const schema = pgUrl ? PG_SCHEMA : undefined;
  // On PGlite, a database of this process that an earlier environment gave back (test/reuse.ts).
  const pglite = pgUrl ? undefined : await takePglite();
  let platform: Platform;
  try {
    platform = await createPlatform({
      config,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      clock: clock.now,
      database: pgUrl ? { schema: schema! } : { pglite: pglite! },
      redisPrefix: `dargah-test-${suffix}`,
      ...options.platform,
    });
  } catch (error) {
    if (pglite) await givePglite(pglite);
    throw error;
  }
  if (options.startQueue !== false) await platform.queue.start();
  const app = options.noApp ? (undefined as unknown as FastifyInstance) : await buildApp(platform);
  if (app) await app.ready();
  return {
    schema,
    pglite,
    platform,
    app,
    clock,
    config,
    async close() {
      if (app) await app.close();
      await platform.close();
      if (pglite) await givePglite(pglite);
      if (baseUrl && dbName) await dropPostgresDatabase(baseUrl, dbName);
    },
  };
}

/** A browser-like agent for app.inject: keeps cookies, reads CSRF tokens from forms. */
export function browser(app: FastifyInstance) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: { headers: Record<string, unknown> }) => {
    const set = res.headers['set-cookie'];
    for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  let lastCsrf = '';
  const agent = {
    jar,
    async get(url: string, headers: Record<string, string> = {}) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(), ...headers } });
      keep(res);
      const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
      if (m) lastCsrf = m[1]!;
      return res;
    },
    /** Posts a form with the CSRF token of the last page fetched. */
    async post(url: string, form: Record<string, string>, opts: { csrf?: string | null } = {}) {
      const body = new URLSearchParams({ ...(opts.csrf === null ? {} : { _csrf: opts.csrf ?? lastCsrf }), ...form }).toString();
      const res = await app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      });
      keep(res);
      const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
      if (m) lastCsrf = m[1]!;
      return res;
    },
  };
  return agent;
}

/** The latest SMS to a mobile (from the outbox table). */
export async function lastSmsTo(platform: Platform, mobile: string): Promise<string | undefined> {
  const row = await platform.db
    .selectFrom('sms_messages')
    .select('body')
    .where('to_mobile', '=', mobile)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.body;
}

/** The 6-digit code in the latest SMS to a mobile. */
export async function lastCodeTo(platform: Platform, mobile: string): Promise<string> {
  const body = await lastSmsTo(platform, mobile);
  const m = body ? /\b(\d{6})\b/.exec(body) : null;
  if (!m) throw new Error(`no code sent to ${mobile}`);
  return m[1]!;
}
