// Opens the database: PostgreSQL through `pg` when DATABASE_URL is set, otherwise the
// embedded PGlite under DATA_DIR. Both speak the same SQL through one Kysely instance.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { DB } from './schema.js';

/** Runs raw SQL for libraries that bring their own statements (pg-boss). */
export type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: any[] }>;

export type Database = {
  db: Kysely<DB>;
  kind: 'pg' | 'pglite';
  /** Raw SQL outside any transaction (serialised with Kysely's own use on PGlite). */
  executeSql: ExecuteSql;
  ping(): Promise<boolean>;
  /**
   * Runs `fn` holding a PostgreSQL advisory lock named `name` (on a connection of its own, so
   * `fn` may use the pool freely): processes starting together on an empty database take turns
   * for migrations and one-time creation. PGlite has one process: `fn` simply runs.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Listens to a notification channel (lower-case letters, digits, `_`) on a connection of
   * its own, reconnecting after a loss. `onLive(false)` says notices may be missed until the
   * next `onLive(true)`. Returns the way to stop.
   */
  listen(channel: string, onNotice: (payload: string) => void, onLive: (live: boolean) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export type Queryable = Kysely<DB> | Transaction<DB>;

/**
 * The transaction a library call runs inside. pg-boss may issue its own look-ups (e.g. its
 * queue cache) while we hold a transaction; on PGlite's single connection those would wait
 * for our transaction forever, so raw SQL issued within this context joins the transaction.
 */
export const transactionContext = new AsyncLocalStorage<Queryable>();

/** Raw SQL inside the caller's transaction, so pg-boss jobs commit or roll back with our rows. */
export function executeSqlIn(trx: Queryable): ExecuteSql {
  return async (text, values) => {
    const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: result.rows as any[] };
  };
}

export type DatabaseOptions = {
  databaseUrl?: string;
  dataDir?: string;
  /** `memory` keeps PGlite in memory (tests). */
  memory?: boolean;
  /** PGlite starts from this data folder tarball (`dumpDataDir`) instead of a new one (tests). */
  loadDataDir?: Blob;
  /**
   * An open embedded database that the caller owns (tests, which reuse one between
   * environments): used as it is, and left open when this Database closes.
   */
  pglite?: PGlite;
  /** PostgreSQL schema to use (tests get a fresh one each run). */
  schema?: string;
  poolSize?: number;
  /**
   * Told about connection errors (a backend terminated, a restart, a failover, an idle
   * timeout). They are survived: the broken connection leaves the pool, the next query opens
   * a new one. Without a listener such an error would end the process.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * Told when a new embedded data folder could not be copied from the unpacked template (an
   * unwritable cache, a full disk, a folder that holds something else): the folder is then
   * made from the template's tarball, slower but the same.
   */
  onTemplateFallback?: (error: unknown) => void;
};

// Dates and big integers come back as JS values that fit our types.
pg.types.setTypeParser(20, (v) => Number(v)); // int8 counts
pg.types.setTypeParser(1082, (v) => v); // date stays 'YYYY-MM-DD': no time zone shifts

/** The options a configuration names: DATABASE_URL (with DATABASE_SCHEMA), else PGlite under DATA_DIR. */
export function databaseOptionsOf(config: { databaseUrl?: string | undefined; databaseSchema?: string | undefined; dataDir: string; databasePoolSize?: number }): DatabaseOptions {
  return {
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databaseUrl && config.databaseSchema ? { schema: config.databaseSchema } : {}),
    ...(config.databasePoolSize ? { poolSize: config.databasePoolSize } : {}),
    dataDir: config.dataDir,
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options);
}

/**
 * A client that prepares every parameterised statement once per connection (a named
 * statement keyed by the hash of its text): PostgreSQL then skips parsing and planning on
 * every later call. Texts without parameters (pg-boss's multi-statement scripts) run as given.
 */
class PreparingClient extends pg.Client {
  /** Where this connection's errors are reported (set by the pool's subclass). */
  reportError: (error: Error) => void = () => {};

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // A connection checked out of the pool has no 'error' listener of the pool's: one that
    // breaks then (inside a transaction, between two queries) would be an uncaught 'error'
    // event and end the process. Its queries fail; the pool drops it when it is released.
    this.on('error', (error) => this.reportError(error));
  }

  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = `d${createHash('sha1').update(config).digest('base64url').slice(0, 20)}`;
      return (super.query as (...a: unknown[]) => unknown)({ name, text: config, values }, callback);
    }
    return (super.query as (...a: unknown[]) => unknown)(config, values, callback);
  }
}

/** A stable 64-bit advisory lock key for a name (the same in every process). */
function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const onError = (error: Error) => options.onConnectionError?.(error);
  const poolConfig = {
    connectionString: url,
    // A fresh schema per test run keeps runs from seeing each other's data.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Names this process's sessions in pg_stat_activity (per schema: one deployment's).
    application_name: schema ? `dargah:${schema}` : 'dargah',
  };
  const pool = new pg.Pool({
    Client: class extends PreparingClient {
      override reportError = onError;
    } as unknown as typeof pg.Client,
    ...poolConfig,
    max: options.poolSize ?? 10,
    // A database that does not answer fails a request after a while instead of holding it.
    connectionTimeoutMillis: 10_000,
  });
  // Errors of idle connections (the pool drops them and opens new ones on demand).
  pool.on('error', onError);
  const withLock = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    // A client outside the pool: a pool of one connection could not serve `fn` otherwise.
    const client = new pg.Client(poolConfig);
    client.on('error', onError);
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey(`dargah:${schema ?? 'public'}:${name}`)]);
      return await fn();
    } finally {
      // Ending the session releases the lock whatever happened.
      await client.end().catch(() => {});
    }
  };
  const listen = async (channel: string, onNotice: (payload: string) => void, onLive: (live: boolean) => void) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let current: pg.Client | undefined;
    let stopped = false;
    let failures = 0;
    let timer: NodeJS.Timeout | undefined;
    const retry = () => {
      if (stopped) return;
      timer = setTimeout(() => void connect(), Math.min(5_000, 100 * 2 ** failures++));
      timer.unref();
    };
    const connect = async () => {
      const client = new pg.Client(poolConfig);
      const lost = (error?: Error) => {
        if (current !== client) return;
        current = undefined;
        onLive(false);
        if (error) onError(error);
        client.end().catch(() => {});
        retry();
      };
      client.on('notification', (m) => m.channel === channel && onNotice(m.payload ?? '*'));
      client.on('error', lost);
      client.on('end', () => lost());
      try {
        await client.connect();
        await client.query(`LISTEN "${channel}"`);
      } catch (error) {
        client.end().catch(() => {});
        onError(error as Error);
        return retry();
      }
      if (stopped) return void client.end().catch(() => {});
      current = client;
      failures = 0;
      onLive(true);
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      const client = current;
      current = undefined;
      onLive(false);
      await client?.end().catch(() => {});
    };
  };
  // Even IF NOT EXISTS races between sessions (a duplicate key in pg_namespace): under the lock.
  if (schema) await withLock('startup', () => pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pg',
    executeSql: async (text, values) => {
      const trx = transactionContext.getStore();
      if (trx) return executeSqlIn(trx)(text, values);
      const r: any = await pool.query(text, values as any[]);
      // A multi-statement text answers with one result per statement.
      return { rows: Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows };
    },
    ping: async () => {
      // Twice: an idle connection broken a moment ago fails once and leaves the pool; a
      // database that is really down fails both.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await pool.query('select 1');
          return true;
        } catch {
          // next attempt
        }
      }
      return false;
    },
    withLock,
    listen,
    close: () => db.destroy(),
  };
}

/**
 * Copies the unpacked template into `dataDir` (absent or empty), whole or not at all: the copy
 * is made beside it and renamed. False (after telling `report`) where that cannot be done;
 * the caller then loads the template's tarball into the folder.
 */
async function copyTemplateTo(dataDir: string, report?: (error: unknown) => void): Promise<boolean> {
  const partial = `${dataDir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    const template = await (await import('./template.js')).pgliteTemplateDir();
    mkdirSync(path.dirname(dataDir), { recursive: true });
    cpSync(template, partial, { recursive: true });
    renameSync(partial, dataDir);
    return true;
  } catch (error) {
    // Another process made the same folder meanwhile: theirs is used.
    if (existsSync(path.join(dataDir, 'PG_VERSION'))) return true;
    report?.(error);
    return false;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Opens PGlite the way the portal does (`dataDir` on disk, else in memory, from `loadDataDir` if given). */
export async function createPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const parsers = { 20: (v: string) => Number(v), 1082: (v: string) => v };
  // PostgreSQL's default buffer pool (128 MB) lives inside the WebAssembly memory of this
  // process, and starting fills it: a 16 MB pool makes a start 0.1–0.15 s shorter and the
  // process about 100 MB smaller (issue 15). The files stay in the operating system's cache.
  const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
  return PGlite.create({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}), parsers, startParams });
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  let dataDir: string | undefined;
  let loadDataDir = options.loadDataDir;
  if (!options.memory && !options.pglite) {
    dataDir = path.join(options.dataDir ?? './data', 'pglite');
    // A new data folder (for a start or a command alike) begins as a copy of the migrated
    // template (db/template.ts): seconds of initdb and migrations saved.
    if (!loadDataDir && !existsSync(path.join(dataDir, 'PG_VERSION')) && !(await copyTemplateTo(dataDir, options.onTemplateFallback))) {
      loadDataDir = await (await import('./template.js')).pgliteTemplate();
    }
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite =
    options.pglite ?? (await createPglite({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}) }));
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  // PGlite has one session: raw SQL must take Kysely's connection so it never runs inside
  // someone else's open transaction. Statements without parameters may hold several
  // commands (pg-boss migrations) and go through `exec`.
  const executeSql: ExecuteSql = (text, values) => {
    const trx = transactionContext.getStore();
    if (trx) return executeSqlIn(trx)(text, values);
    return db.connection().execute(async () => {
      if (values && values.length > 0) {
        const r = await pglite.query(text, values as any[]);
        return { rows: r.rows as any[] };
      }
      const results = await pglite.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as any[] };
    });
  };
  return {
    db,
    kind: 'pglite',
    executeSql,
    ping: async () => {
      try {
        await executeSql('select 1');
        return true;
      } catch {
        return false;
      }
    },
    withLock: (_name, fn) => fn(),
    // One process owns the embedded database: its notices arrive with the statement that
    // committed them, and the connection is never lost.
    listen: async (channel, onNotice, onLive) => {
      const unlisten = await db.connection().execute(() => pglite.listen(channel, onNotice));
      onLive(true);
      return async () => {
        onLive(false);
        await db.connection().execute(() => unlisten()).catch(() => {});
      };
    },
    // Kysely's destroy closes the PGlite it was given: not one that the caller owns.
    close: async () => {
      if (!options.pglite) await db.destroy();
    },
  };
}
