// Sign-ins per second next to raw argon2id hashes per second, measured in the same run with
// the same (configured, OWASP by default) parameters and the same concurrency, so the
// ratio shows what sign-in adds on top of the hash (goal: at least 90 %). Then
// session-checked requests per second: the account page (cookie) and GET /api/v1/me
// (bearer). Database: DATABASE_URL (a fresh schema, dropped afterwards) or PGlite in
// memory. Requests go through app.inject (the whole Fastify pipeline, no sockets).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { nationalCodeWithCheckDigit } from '../../src/identity/nationalCode.js';
import { createPlatform } from '../../src/platform.js';
import type { Scenario } from '../run.js';

const PASSWORD = 'Gorbeh!Sabz42';

/** Runs `task` with `concurrency` workers until `total` tasks are done; returns tasks per second. */
async function rate(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await task(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

export const scenario: Scenario = {
  name: 'signin',
  description: 'sign-ins/s vs raw argon2id hashes/s (same run, same parameters), and session-checked requests/s',
  async run() {
    const pg = process.env.DATABASE_URL;
    const schema = pg ? `bench_${randomBytes(4).toString('hex')}` : undefined;
    const config = loadConfig({
      ...process.env,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-bench-')),
      SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
      LOG_LEVEL: 'silent',
    });
    const platform = await createPlatform({
      config,
      logger: pino({ level: 'silent' }),
      database: schema ? { schema } : { memory: true },
      redisPrefix: `dargah-bench-${randomBytes(4).toString('hex')}`,
    });
    const app = await buildApp(platform);
    await app.ready();
    // libuv runs argon2; more workers than threads only queue.
    const concurrency = Math.max(2, Number(process.env.UV_THREADPOOL_SIZE ?? 4), availableParallelism());
    try {
      const n = 40 * concurrency;
      const hash = await platform.hasher.hash(PASSWORD);
      const accounts: string[] = [];
      for (let i = 1; accounts.length < n; i++) {
        const nc = nationalCodeWithCheckDigit(`55${String(i).padStart(7, '0')}`);
        if (nc) accounts.push(nc);
      }
      for (let i = 0; i < accounts.length; i += 500) {
        await platform.db
          .insertInto('accounts')
          .values(
            accounts.slice(i, i + 500).map((nc) => ({
              national_code: nc,
              status: 'active' as const,
              origin: 'central' as const,
              first_name: 'علی',
              last_name: 'رضایی',
              mobile: '09120000000',
              password_hash: hash,
              permissions: [],
            })),
          )
          .execute();
      }
      // Warm-up: JIT, the dummy hash, connection pools.
      await rate(concurrency * 2, concurrency, (i) => platform.hasher.verify(hash, PASSWORD).then(() => undefined));

      const hashes = await rate(n, concurrency, () => platform.hasher.hash(PASSWORD).then(() => undefined));
      const verifies = await rate(n, concurrency, () => platform.hasher.verify(hash, PASSWORD).then(() => undefined));
      const tokens: string[] = [];
      const signins = await rate(n, concurrency, async (i) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: accounts[i], password: PASSWORD }, remoteAddress: `10.9.${i % 250}.${(i >> 8) % 250}` });
        if (res.statusCode !== 200) throw new Error(`sign-in ${res.statusCode}: ${res.body}`);
        tokens.push(res.json().sessionToken);
      });
      // A second argon2 run after the sign-ins: the machine is shared and noisy.
      const hashesAfter = await rate(n, concurrency, () => platform.hasher.hash(PASSWORD).then(() => undefined));
      const argon2 = (hashes + hashesAfter) / 2;

      const web = await platform.signin.signIn({ username: accounts[0], password: PASSWORD }, { ip: '10.8.0.1', lang: 'fa', userAgent: 'bench', kind: 'web' });
      if (!web.ok) throw new Error('web sign-in failed');
      const cookie = `dargah_session=${web.value.session.token}`;
      const pages = 4000;
      const pageRate = await rate(pages, 16, async () => {
        const res = await app.inject({ method: 'GET', url: '/account', headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`account page ${res.statusCode}`);
      });
      const meRate = await rate(pages, 16, async (i) => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
        if (res.statusCode !== 200) throw new Error(`me ${res.statusCode}`);
      });
      return {
        database: pg ? 'postgresql' : 'pglite (memory)',
        'argon2id parameters': `m=${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}, p=${config.argon2.parallelism}`,
        concurrency,
        'argon2id hashes/s (mean of before/after)': argon2,
        'argon2id verifies/s': verifies,
        'sign-ins/s (POST /api/v1/session)': signins,
        'sign-ins as % of hashes/s': `${((signins / argon2) * 100).toFixed(1)} %`,
        'account page requests/s (cookie session)': pageRate,
        'GET /api/v1/me requests/s (bearer session)': meRate,
      };
    } finally {
      await app.close();
      if (schema) {
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await platform.database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
      }
      await platform.close();
    }
  },
};
