// The database of a command that runs on its own (no running portal takes it): opened,
// migrated, used, closed. Its modules load when a command needs them, so that a command
// sent to a running portal, or `--help`, starts without the database layer.
import type { Config } from './config.js';
import type { Database } from './db/database.js';

/** Runs `run` on the configured database, migrated first (`applied`: the migrations this call applied). */
export async function withDatabase<T>(config: Config, run: (database: Database, applied: string[]) => Promise<T>): Promise<T> {
  const [{ databaseOptionsOf, openDatabase }, { migrateDatabase }] = await Promise.all([import('./db/database.js'), import('./db/migrate.js')]);
  const database = await openDatabase({
    ...databaseOptionsOf(config),
    onTemplateFallback: (e) => console.error(`warning: the new data folder was made from the template tarball (${e instanceof Error ? e.message : String(e)})`),
  });
  try {
    const applied = await migrateDatabase(database, config.databaseSchema);
    return await run(database, applied);
  } finally {
    await database.close();
  }
}
