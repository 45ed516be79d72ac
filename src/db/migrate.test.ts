import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { pgliteTemplate } from './template.js';

test('an up-to-date database is left as it is; one that records a migration this code does not know is refused', async () => {
  const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate() });
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  try {
    assert.deepEqual(await migrateToLatest(db), []);
    const recorded = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(db);
    assert.equal(recorded.rows[0]!.n, Object.keys(migrations).length);

    // A database a newer version migrated: the migrator is asked, and it refuses.
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_a_newer_version', ${new Date().toISOString()})`.execute(db);
    await assert.rejects(migrateToLatest(db), /9999_from_a_newer_version/);
  } finally {
    await db.destroy();
  }
});
