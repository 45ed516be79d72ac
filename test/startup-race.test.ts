// Issue 12: processes started together on an empty database. PostgreSQL only (PGlite has one
// process): three platforms created at once on a fresh schema → one set of migrations, one
// signing key, the branch list seeded once, pg-boss installed once, and no error.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/db/migrations/index.js';
import { createPlatform, type Platform } from '../src/platform.js';

const pg = process.env.TEST_DATABASE_URL;
const skip = pg ? false : 'needs TEST_DATABASE_URL (processes sharing one PostgreSQL): skipped';
if (skip) console.log(`# SKIP ${skip}`);

test('three platforms started at once on an empty schema: one set of migrations, one signing key, no error', { skip }, async () => {
  const schema = `test_${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-race-')),
    SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    LOG_LEVEL: 'silent',
    DATABASE_URL: pg!,
    DATABASE_SCHEMA: schema,
  });
  const start = async (role: 'web' | 'worker') => {
    const platform = await createPlatform({ config, logger: pino({ level: 'silent' }) });
    await platform.queue.start({ writeSettings: role === 'worker' });
    return platform;
  };
  const results = await Promise.allSettled([start('web'), start('web'), start('worker')]);
  const platforms = results.filter((r): r is PromiseFulfilledResult<Platform> => r.status === 'fulfilled').map((r) => r.value);
  try {
    const errors = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(errors, [], 'no process failed to start');
    const db = platforms[0]!.db;
    const applied = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema, 'kysely_migration')}`.execute(db);
    assert.equal(applied.rows[0]!.n, Object.keys(migrations).length, 'each migration once');
    const keys = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema, 'sso_signing_keys')}`.execute(db);
    assert.equal(keys.rows[0]!.n, 1, 'one signing key');
    const branches = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(schema, 'branches')}`.execute(db);
    assert.ok(branches.rows[0]!.n > 0, 'branches seeded');
    // Every process can send (the queues exist) and sees the same ones.
    for (const p of platforms) assert.ok(await p.queue.boss.getQueue('sms-deliver'));
  } finally {
    if (platforms[0]) {
      await platforms[0].database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await platforms[0].database.executeSql(`DROP SCHEMA IF EXISTS ${schema}_jobs CASCADE`);
    }
    for (const p of platforms) await p.close().catch(() => {});
  }
});

test('`cli migrate` with DATABASE_SCHEMA migrates that schema (the one the processes use)', { skip }, async () => {
  const { spawnSync } = await import('node:child_process');
  const schema = `test_${randomBytes(5).toString('hex')}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'cli', 'migrate'], {
    env: { ...process.env, DATABASE_URL: pg!, DATABASE_SCHEMA: schema, SECRET_KEY: 'test-secret-key-test-secret-key-0123456789', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-cli-')), LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  const client = new (await import('pg')).default.Client({ connectionString: pg });
  await client.connect();
  try {
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /applied: /);
    const t = await client.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'kysely_migration']);
    assert.equal(t.rows[0].n, 1);
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
