// The application's own database role (docs/database-roles.md): on PostgreSQL, a role given
// the statements of `npm run cli -- db roles` reads and writes rows but cannot disable the
// append-only trigger of the audit trail, truncate it or change its rows.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { COMMANDS } from '../src/cli.js';
import { databaseRolesSql } from '../src/security/dbRoles.js';
import { createTestEnv, type TestEnv } from './support.js';

test('`db roles` prints the statements (no database needed)', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const { loadConfig } = await import('../src/config.js');
  const config = loadConfig({ SECRET_KEY: 'test-secret-key-test-secret-key-0123456789' });
  assert.equal(await COMMANDS['db roles']!.run(['--app-role', 'portal_app', '--create-role'], { config, io }), 0, err.join('\n'));
  const text = out.join('\n');
  assert.match(text, /CREATE ROLE "portal_app" LOGIN NOSUPERUSER/);
  assert.match(text, /GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "portal_app";/);
  assert.match(text, /REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "public"."audit_events"/);
  assert.doesNotMatch(text, /TRUNCATE ON ALL|GRANT ALL/);
  assert.equal(await COMMANDS['db roles']!.run(['--app-role', 'x"; DROP'], { config, io }), 2);
});

const pgUrl = process.env.TEST_DATABASE_URL;
describe('the application role on PostgreSQL', { skip: pgUrl ? false : 'needs TEST_DATABASE_URL' }, () => {
  let env: TestEnv;
  const role = `dargah_app_test_${randomBytes(4).toString('hex')}`;
  let client: pg.Client;
  before(async () => {
    env = await createTestEnv({ noApp: true, startQueue: false });
    // One event so the trail is not empty.
    await env.platform.db.transaction().execute(async (trx) => {
      const { recordAudit } = await import('../src/audit/audit.js');
      await recordAudit(trx, { actorType: 'system', event: 'test.roles', at: new Date() });
    });
    const owner = (await env.platform.database.executeSql('SELECT current_user AS u')).rows[0] as { u: string };
    for (const st of databaseRolesSql({ appRole: role, ownerRole: owner.u, schema: env.schema!, jobsSchema: `${env.schema}_jobs`, createRole: true })) {
      await env.platform.database.executeSql(st);
    }
    // The environment's own database (test support gives each environment one).
    client = new pg.Client({ connectionString: env.config.databaseUrl! });
    await client.connect();
    await client.query(`SET search_path TO ${env.schema}`);
    await client.query(`SET ROLE ${role}`);
  });
  after(async () => {
    await client?.end();
    await env.platform.database.executeSql(`DROP OWNED BY ${role}`).catch(() => {});
    await env.close(); // drops the environment's database
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  test('reads and writes rows, appends audit events', async () => {
    assert.ok(Number((await client.query('SELECT count(*) AS n FROM audit_events')).rows[0].n) >= 1);
    await client.query('SELECT count(*) FROM accounts');
    await client.query(`INSERT INTO audit_events (occurred_at, actor_type, event, data, chain, prev_hash, hash) VALUES (now(), 'system', 'test.app_role', '{}', 15, 'x', 'y')`);
  });

  test('cannot disable or drop the append-only trigger, truncate, update or delete audit rows', async () => {
    await assert.rejects(client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only'), /must be owner/);
    await assert.rejects(client.query('ALTER TABLE audit_events DISABLE TRIGGER ALL'), /must be owner/);
    await assert.rejects(client.query('DROP TRIGGER audit_events_append_only ON audit_events'), /must be owner/);
    await assert.rejects(client.query('TRUNCATE audit_events'), /permission denied/);
    await assert.rejects(client.query(`UPDATE audit_events SET event = 'x'`), /permission denied/);
    await assert.rejects(client.query('DELETE FROM audit_events'), /permission denied/);
    await assert.rejects(client.query('UPDATE audit_keyed_since SET first_keyed_id = 1'), /permission denied/);
    await assert.rejects(client.query(`SET session_replication_role = replica`), /permission denied/);
    await assert.rejects(client.query('CREATE TABLE x_owned (id int)'), /permission denied/);
  });
});
