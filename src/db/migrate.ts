// Applies the numbered migrations; run at start and by `npm run cli -- migrate`.
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { migrations } from './migrations/index.js';

/**
 * Applies the migrations under the startup advisory lock (processes and `migrate` started
 * together take turns). `schema`: DATABASE_SCHEMA on PostgreSQL.
 */
export function migrateDatabase(database: Database, schema?: string): Promise<string[]> {
  return database.withLock('startup', () => migrateToLatest(database.db, database.kind === 'pg' ? schema : undefined));
}

export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
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
