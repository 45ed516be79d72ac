// Reused test databases (test/reuse.ts): an environment that closes gives its embedded
// database back, and the next one gets it holding exactly what a fresh load of the template
// holds; a database that cannot be made so is closed instead.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { createPglite } from '../src/db/database.js';
import { createTestEnv } from './support.js';
import { apiSignIn, insertAccount } from './signin.support.js';
import { closeIdle, givePglite, keepIdleDatabases, pgliteReuse, takePglite } from './reuse.js';
import { pgliteTemplate } from './templates.js';

const onPglite = !process.env.TEST_DATABASE_URL;
// As under npm test, also when this file runs alone.
before(keepIdleDatabases);
after(closeIdle);

/** Every row of every table (in a stable order) and every sequence's position. */
async function contents(pglite: PGlite): Promise<Record<string, unknown>> {
  const tables = await pglite.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const out: Record<string, unknown> = {};
  for (const { name } of tables.rows) {
    out[name] = (await pglite.query<{ rows: unknown }>(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]') AS rows FROM ${name} t`)).rows[0]!.rows;
  }
  out['sequences'] = (await pglite.query(`SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2`)).rows;
  return out;
}

test('the next environment gets the database back as the template holds it: none of the earlier rows, sequences or session state', { skip: !onPglite }, async () => {
  const fresh = await createPglite({ loadDataDir: await pgliteTemplate() });
  const expected = await contents(fresh);
  await fresh.close();

  const first = await createTestEnv();
  const account = await insertAccount(first.platform);
  assert.equal((await apiSignIn(first.app, account.nationalCode, account.password)).statusCode, 200);
  const recovery = await first.app.inject({ method: 'POST', url: '/api/v1/recovery/sms', payload: { nationalCode: account.nationalCode, mobile: account.mobile } });
  assert.equal(recovery.statusCode, 202);
  // A sequence moved by an insert that was rolled back leaves its table empty.
  await first.platform.db
    .transaction()
    .execute(async (trx) => {
      await sql`INSERT INTO doctor_status_changes (account_id, medical_council_number, status, actor_type, occurred_at)
                VALUES (${account.id}, '12345', 'verified', 'system', now())`.execute(trx);
      throw new Error('rolled back');
    })
    .catch(() => {});
  const db = first.pglite!;
  // Session state: a setting, an advisory lock, a temporary table, a prepared statement.
  await db.exec(`SET statement_timeout = 1234; SELECT pg_advisory_lock(42); CREATE TEMP TABLE scratch (x int); PREPARE p AS SELECT 1`);
  const changed = await contents(db);
  assert.notDeepEqual(changed, expected);
  await first.close();
  assert.equal(db.closed, false, 'given back, not closed');

  const { reused, loaded } = pgliteReuse;
  const second = await createTestEnv({ noApp: true, startQueue: false });
  try {
    assert.equal(second.pglite, db, 'the same database again');
    assert.deepEqual([pgliteReuse.reused, pgliteReuse.loaded], [reused + 1, loaded], 'reused, not loaded');
  } finally {
    await second.close();
  }
  // Closing the second environment reset it again (its start wrote branches and a signing key).
  assert.deepEqual(await contents(db), expected);
  const session = await db.query<{ timeout: string; locks: number; temp: number; prepared: number }>(
    `SELECT current_setting('statement_timeout') AS timeout,
            (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS locks,
            (SELECT count(*)::int FROM pg_class WHERE relname = 'scratch') AS temp,
            (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`,
  );
  assert.deepEqual(session.rows[0], { timeout: '0', locks: 0, temp: 0, prepared: 0 });
});

test('a database whose definitions changed, or that is inside a transaction, is closed instead of reused', { skip: !onPglite }, async () => {
  const definitionsDiffer = /the definitions differ from the template/;
  const cases: Array<[string, string, RegExp]> = [
    ['a new table', 'CREATE TABLE extra (x int)', definitionsDiffer],
    ['a new column', 'ALTER TABLE accounts ADD COLUMN extra int', definitionsDiffer],
    ['a trigger switched off', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only', definitionsDiffer],
    ['a function changed', `CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`, definitionsDiffer],
    ['an open transaction', 'BEGIN', /DISCARD ALL cannot run inside a transaction block/],
  ];
  for (const [what, statement, reason] of cases) {
    const db = await takePglite();
    await db.exec(statement);
    const dropped = pgliteReuse.dropped;
    await givePglite(db);
    assert.equal(db.closed, true, what);
    assert.equal(pgliteReuse.dropped, dropped + 1, what);
    assert.match(String(pgliteReuse.lastReason), reason, what);
  }
  // An untouched one is kept, and taken again without a load.
  const db = await takePglite();
  await givePglite(db);
  assert.equal(db.closed, false);
  const loaded = pgliteReuse.loaded;
  const again = await takePglite();
  assert.equal(again, db);
  assert.equal(pgliteReuse.loaded, loaded);
  await givePglite(again);
});
