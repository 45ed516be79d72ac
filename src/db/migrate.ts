// Applies the numbered migrations; run at start and by `npm run cli -- migrate`.
import { Migrator } from 'kysely/migration';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { migrations } from './migrations/index.js';

/**
 * Applies the migrations under the startup advisory lock (processes and `migrate` started
 * together take turns). `schema`: DATABASE_SCHEMA on PostgreSQL.
 */
export function migrateDatabase(database: Database, schema?: string): Promise<string[]> {
  return database.withLock('startup', () => migrateToLatest(database.db, database.kind === 'pg' ? schema : undefined));
}

/**
 * Whether exactly the known migrations are recorded as applied. Then there is nothing to do,
 * and the migrator is not needed: its checks for its own tables read the columns of every
 * table in the catalog (about 300 ms of every start on the embedded database; issue 15).
 * Anything else (a fresh database, a new migration, a recorded name this code does not
 * know) goes to the migrator, which applies or reports it.
 */
async function upToDate(db: Kysely<any>, schema?: string): Promise<boolean> {
  const table = await sql<{ t: string | null }>`SELECT to_regclass(${schema ? sql`quote_ident(${schema}) || '.kysely_migration'` : sql`'kysely_migration'`})::text AS t`.execute(db);
  if (!table.rows[0]?.t) return false;
  const rows = await sql<{ name: string }>`SELECT name FROM ${sql.raw(table.rows[0].t)}`.execute(db);
  const known = Object.keys(migrations);
  const applied = new Set(rows.rows.map((r) => r.name));
  return applied.size === known.length && known.every((name) => applied.has(name));
}

export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  if (await upToDate(db, schema)) return [];
  // With a schema of its own (tests), the migration tables live there too: otherwise the
  // migrator may find another schema's tables and skip creating its own.
  // Capabilities own number ranges (see migrations/index.ts) and never depend on a later
  // range, so a database that ran a later range first may still take an earlier migration.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '?'} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
