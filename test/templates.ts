// Migrated databases for tests, made once and copied per environment: creating and
// migrating a database costs seconds (PGlite's initdb above all), copying one costs a
// fraction of that.
// - PGlite: the data folder of a migrated instance as a tarball (src/db/template.ts, the one
//   a fresh embedded data folder also starts from); each environment starts an in-memory
//   PGlite from it (loadDataDir).
// - PostgreSQL: a template database keyed the same way, made once under an advisory lock;
//   each environment is a database of its own made from it (CREATE DATABASE … TEMPLATE) and
//   dropped at close. Databases left by a killed run are dropped by a later run.
// Names are unique per content hash (templates) or per time made and random suffix
// (environments), so runs of other work trees on the same machine never collide.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { templateKey } from '../src/db/template.js';
import { createJobQueue } from '../src/jobs/queue.js';

/** Templates not used for this long are removed by the next run that makes one. */
const STALE_MS = 24 * 3600 * 1000;
/** The schema every PostgreSQL environment uses inside its own database (jobs: `<schema>_jobs`). */
export const PG_SCHEMA = 'test_env';

let key: string | undefined;
const keyOf = () => (key ??= templateKey());

/** Creates pg-boss's schema the way the app does at start (then stops the queue). */
async function migrateJobs(database: Database, schema: string) {
  const queue = createJobQueue({ database, schema, logger: pino({ level: 'silent' }) });
  await queue.start();
  await queue.stop();
}

// ---------------------------------------------------------------- PGlite

/** The migrated PGlite data folder: the one a fresh embedded data folder starts from (src/db/template.ts). */
export { pgliteTemplate } from '../src/db/template.js';

// ---------------------------------------------------------------- PostgreSQL

/** The same server and credentials, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

let admin: pg.Pool | undefined;
/** Connections to the database of TEST_DATABASE_URL for CREATE/DROP DATABASE (never keep the process alive). */
function adminPool(url: string): pg.Pool {
  return (admin ??= new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true, idleTimeoutMillis: 1000 }));
}

/** Environments are named dargah_t_<time made, base 36>_<random>. */
const ENV_PREFIX = 'dargah_t_';
/** An environment this old is left over from a killed run (a test file never runs this long). */
const ENV_STALE_MS = 6 * 3600 * 1000;

let pgTemplate: Promise<string> | undefined;

/** The name of the migrated template database (made once per server and migration set). */
export function postgresTemplate(url: string): Promise<string> {
  return (pgTemplate ??= ensurePostgresTemplate(url));
}

async function ensurePostgresTemplate(url: string): Promise<string> {
  const name = `dargah_tpl_${keyOf()}`;
  const client = await adminPool(url).connect();
  try {
    // One maker at a time on the whole server; the others wait and then find it made.
    await client.query(`SELECT pg_advisory_lock(hashtext('dargah-test-template'))`);
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_b${randomBytes(3).toString('hex')}`;
        await client.query(`CREATE DATABASE ${building}`);
        const database = await openDatabase({ databaseUrl: databaseUrl(url, building), schema: PG_SCHEMA, poolSize: 1 });
        try {
          await migrateToLatest(database.db, PG_SCHEMA);
          await migrateJobs(database, `${PG_SCHEMA}_jobs`);
        } finally {
          await database.close();
        }
        // Renamed only when complete: a template under its final name is always whole.
        await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      }
      await client.query(`COMMENT ON DATABASE ${name} IS '${Date.now()}'`);
      await removeStaleDatabases(client, name);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('dargah-test-template'))`);
    }
  } finally {
    client.release();
  }
  return name;
}

/**
 * Old templates unused for a day, half-made ones, and environments left by killed runs. Age
 * is judged by the time in the name, never by process ids (other runs may live in other
 * process namespaces); a database in use is never dropped (no FORCE: the drop just fails).
 */
async function removeStaleDatabases(client: pg.PoolClient, keep: string) {
  const { rows } = await client.query<{ datname: string; note: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname LIKE 'dargah\\_t%'`,
  );
  for (const { datname, note } of rows) {
    if (datname === keep) continue;
    let stale = false;
    if (datname.startsWith('dargah_tpl_')) {
      stale = /_b[0-9a-f]{6}$/.test(datname) ? true : Date.now() - Number(note ?? 0) > STALE_MS;
    } else if (datname.startsWith(ENV_PREFIX)) {
      const made = parseInt(datname.slice(ENV_PREFIX.length).split('_')[0] ?? '', 36);
      stale = Number.isFinite(made) && Date.now() - made > ENV_STALE_MS;
    }
    if (stale) await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
  }
}

/** A new database copied from the template; returns its name. */
export async function createPostgresDatabase(url: string): Promise<string> {
  const template = await postgresTemplate(url);
  const name = `${ENV_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await adminPool(url).query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return name;
}

/**
 * Drops an environment's database once its connections are gone. A closed pool has asked
 * its connections to end, but the server may not have seen it yet: wait for that rather than
 * force it (a forced drop sends an error to a connection still open in this process). Left in
 * use after a while, it is dropped by a later run once this process is gone.
 */
export async function dropPostgresDatabase(url: string, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await adminPool(url).query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (e) {
      // 55006: object_in_use ("is being accessed by other users").
      if ((e as { code?: string }).code !== '55006') throw e;
      if (attempt >= 100) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
