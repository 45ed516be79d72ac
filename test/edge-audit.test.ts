// The audit chain keyed (issue 11): with the table writable (trigger dropped, as a table
// owner could), a changed row and the chain re-hashed with plain SHA-256 used to verify as
// intact. Now links are HMAC-SHA-256 under a key derived from SECRET_KEY; rows from before
// migration 0600 (plain SHA-256, hash_version 1) still verify.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { auditHash, GENESIS_HASH, recordAudit, verifyAuditChain } from '../src/audit/audit.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import type { DB } from '../src/db/schema.js';
import { createSecrets } from '../src/security/secrets.js';
import { createTestEnv, type TestEnv } from './support.js';

const at = (i: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, i));

/** Re-hashes a chain from its first row with plain SHA-256, as someone without the key would. */
async function rehashPlain(db: Kysely<DB>, chain: number, setVersion?: number) {
  const rows = await db.selectFrom('audit_events').selectAll().where('chain', '=', chain).orderBy('id').execute();
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const hash = auditHash(prev, {
      chain: r.chain, occurredAt: r.occurred_at, actorType: r.actor_type, actorId: r.actor_id, accountId: r.account_id,
      event: r.event, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>, ip: r.ip,
    });
    await sql`UPDATE audit_events SET prev_hash = ${prev}, hash = ${hash} ${setVersion ? sql`, hash_version = ${setVersion}` : sql``} WHERE id = ${r.id}`.execute(db);
    prev = hash;
  }
}

describe('keyed audit chain', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ noApp: true, startQueue: false });
  });
  after(() => env.close());

  test('a changed row with the chain re-hashed in plain SHA-256 is detected (as version 2, and as a "downgrade" to 1)', async () => {
    const db = env.platform.db;
    const account = randomUUID();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 4; i++) await recordAudit(trx, { actorType: 'system', accountId: account, event: 'test.keyed', data: { i }, at: at(i) });
    });
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 4 });
    const rows = await db.selectFrom('audit_events').select(['id', 'chain', 'hash_version']).where('account_id', '=', account).orderBy('id').execute();
    assert.ok(rows.every((r) => Number(r.hash_version) === 2));
    const target = rows[1]!;
    for (const setVersion of [undefined, 1]) {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(db);
      await sql`UPDATE audit_events SET data = '{"i": 99}'::jsonb WHERE id = ${target.id}`.execute(db);
      await rehashPlain(db, target.chain, setVersion);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(db);
      const report = await verifyAuditChain(db);
      assert.equal(report.ok, false, `re-hashed with version ${setVersion ?? 2}`);
      assert.deepEqual(!report.ok && report.brokenAt, { id: Number(rows[0]!.id), reason: 'hash' });
    }
    // The key is not in the database: no column or table holds it.
    const key = env.platform.secrets.auditKey.toString('hex');
    const dump = await sql<{ t: string }>`SELECT row_to_json(e)::text AS t FROM audit_events e`.execute(db);
    assert.ok(dump.rows.every((r) => !r.t.includes(key)));
    // Another SECRET_KEY does not verify the chain either.
    const other = createSecrets(randomBytes(32).toString('hex'));
    createSecrets('test-secret-key-test-secret-key-0123456789'); // back to this process's key
    assert.equal((await verifyAuditChain(db, { key: other.auditKey })).ok, false);
  });
});

describe('rows from before migration 0600', () => {
  let database: Database;
  const schema = process.env.TEST_DATABASE_URL ? `test_audit_${randomBytes(4).toString('hex')}` : undefined;
  before(async () => {
    database = await openDatabase(process.env.TEST_DATABASE_URL ? { databaseUrl: process.env.TEST_DATABASE_URL, schema: schema! } : { memory: true });
    const migrator = new Migrator({
      db: database.db,
      provider: { getMigrations: async () => migrations },
      allowUnorderedMigrations: true,
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const { error } = await migrator.migrateTo('0503_audit_append_only');
    if (error) throw error;
  });
  after(async () => {
    if (schema) await database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await database.close();
  });

  test('plain-hashed rows still verify after the migration; changing one breaks the first keyed row after it', async () => {
    const db = database.db;
    // Three legacy rows in one chain, written the old way (no hash_version column yet).
    let prev = GENESIS_HASH;
    const account = randomUUID();
    for (let i = 0; i < 3; i++) {
      const row = { chain: 5, occurredAt: at(i), actorType: 'system', actorId: null, accountId: account, event: 'legacy.event', data: { i }, ip: null };
      const hash = auditHash(prev, row);
      await sql`INSERT INTO audit_events (occurred_at, actor_type, actor_id, account_id, event, data, ip, chain, prev_hash, hash)
        VALUES (${row.occurredAt}, 'system', NULL, ${account}, 'legacy.event', ${JSON.stringify(row.data)}::jsonb, NULL, 5, ${prev}, ${hash})`.execute(db);
      prev = hash;
    }
    await migrateToLatest(db, schema);
    createSecrets('test-secret-key-test-secret-key-0123456789');
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 3 });
    const versions = await db.selectFrom('audit_events').select('hash_version').execute();
    assert.deepEqual(versions.map((v) => Number(v.hash_version)), [1, 1, 1]);
    // A keyed row continues the same chain (chain 5 is forced by writing straight after the legacy rows).
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 200; i++) {
        const id = randomUUID();
        const { auditChainOf } = await import('../src/audit/audit.js');
        if (auditChainOf({ accountId: id, event: 'x' }) !== 5) continue;
        await recordAudit(trx, { actorType: 'system', accountId: id, event: 'new.event', at: at(10) });
        break;
      }
    });
    const all = await db.selectFrom('audit_events').select(['id', 'hash_version']).orderBy('id').execute();
    assert.deepEqual(all.map((r) => Number(r.hash_version)), [1, 1, 1, 2]);
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 4 });
    // Change a legacy row and re-hash the legacy part in plain SHA-256: the keyed row names the break.
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(db);
    await sql`UPDATE audit_events SET data = '{"i": 42}'::jsonb WHERE id = ${all[1]!.id}`.execute(db);
    let p2 = GENESIS_HASH;
    for (const r of await db.selectFrom('audit_events').selectAll().where('hash_version', '=', 1).orderBy('id').execute()) {
      const hash = auditHash(p2, { chain: r.chain, occurredAt: r.occurred_at, actorType: r.actor_type, actorId: r.actor_id, accountId: r.account_id, event: r.event, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>, ip: r.ip });
      await sql`UPDATE audit_events SET prev_hash = ${p2}, hash = ${hash} WHERE id = ${r.id}`.execute(db);
      p2 = hash;
    }
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(db);
    const report = await verifyAuditChain(db);
    assert.deepEqual(!report.ok && report.brokenAt, { id: Number(all[3]!.id), reason: 'prev_hash' });
    // The boundary itself is append-only.
    await assert.rejects(sql`UPDATE audit_keyed_since SET first_keyed_id = 1000`.execute(db), /append-only/);
  });
});
