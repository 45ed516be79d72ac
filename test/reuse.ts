// Databases of test environments, reused within a test process: an environment that closes
// gives its database back, emptied to what the migrated template holds; the next environment
// takes it instead of loading the template again. On PGlite that load is most of what an
// environment costs (about 0.45 s on a quiet 2-core machine, over 1 s while the other worker
// runs; 83 environments in a whole run); the reset costs a few hundredths of a second.
//
// What a reset restores, with triggers and foreign keys off (session_replication_role):
// - every table that holds rows is emptied (TRUNCATE), and the template's rows of the few
//   tables that have some (the migrations' records, the job queue's version and queues) are
//   put back as they were;
// - every sequence goes back to the template's position;
// - the session's state goes (DISCARD ALL: settings, prepared statements, LISTEN, advisory
//   locks, temporary tables).
// A database whose definitions changed (a table, column, index, constraint, trigger,
// function or schema that the template does not have, or lacks, or a trigger switched
// off), that was closed, or whose reset fails for any reason (an open or failed
// transaction, say) is not reused: it is closed, and the next environment loads the
// template. So a test that changes definitions costs a load, never the next test's isolation.
import type { PGlite } from '@electric-sql/pglite';
import { createPglite } from '../src/db/database.js';
import { pgliteTemplate } from './templates.js';
import { onTestsDone } from './release.js';

/** The template's state, read once per process from a database just loaded from it. */
type Baseline = {
  definitions: string;
  /** Every table (not partitions: emptying the parent empties them), quoted. */
  tables: string[];
  /** Statements that put back the template's rows, by table. */
  seeds: Map<string, string>;
  /** Statements that put every sequence back where the template has it. */
  sequences: string;
};

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/**
 * One text that changes with any definition a test could change: relations and their kinds,
 * columns, constraints, triggers and whether they fire, functions and their bodies, schemas.
 */
const DEFINITIONS = `
SELECT md5(concat_ws('|',
  (SELECT string_agg(n.nspname, ',' ORDER BY n.nspname) FROM pg_namespace n WHERE ${USER_SCHEMAS}),
  (SELECT string_agg(concat_ws(':', n.nspname, c.relname, c.relkind::text, c.relispartition::text), ',' ORDER BY n.nspname, c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS}),
  (SELECT string_agg(concat_ws(':', c.relname, a.attname, a.atttypid::text, a.attnotnull::text, a.attisdropped::text, pg_get_expr(d.adbin, d.adrelid)), ',' ORDER BY c.relname, a.attnum)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE ${USER_SCHEMAS} AND a.attnum > 0),
  (SELECT string_agg(concat_ws(':', n.nspname, c.conname, pg_get_constraintdef(c.oid)), ',' ORDER BY n.nspname, c.conname)
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE ${USER_SCHEMAS}),
  (SELECT string_agg(concat_ws(':', t.tgrelid::regclass::text, t.tgname, t.tgenabled::text), ',' ORDER BY t.tgrelid::regclass::text, t.tgname)
     FROM pg_trigger t WHERE NOT t.tgisinternal),
  (SELECT string_agg(concat_ws(':', n.nspname, p.proname, md5(p.prosrc)), ',' ORDER BY n.nspname, p.proname, md5(p.prosrc))
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS})
)) AS definitions`;

/** The rows of one statement. */
const rowsOf = async <T>(db: PGlite, text: string): Promise<T[]> => (await db.query<T>(text)).rows;

async function readBaseline(db: PGlite): Promise<Baseline> {
  const [{ definitions }] = (await rowsOf<{ definitions: string }>(db, DEFINITIONS)) as [{ definitions: string }];
  const tables = (
    await rowsOf<{ name: string }>(
      db,
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    )
  ).map((r) => r.name);
  const seeds = new Map<string, string>();
  for (const table of await nonEmpty(db, tables)) {
    // The rows as JSON, put back through the table's own row type; generated columns are
    // left to the database, identity columns keep their values.
    const [row] = await rowsOf<{ statement: string }>(
      db,
      `SELECT format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM json_populate_recordset(NULL::%s, %L)',
                     '${table}', cols, cols, '${table}', (SELECT json_agg(t)::text FROM ${table} t)) AS statement
       FROM (SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS cols FROM pg_attribute
             WHERE attrelid = '${table}'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '') c`,
    );
    seeds.set(table, row!.statement);
  }
  const sequences = (
    await rowsOf<{ statement: string }>(
      db,
      `SELECT CASE WHEN s.last_value IS NULL THEN format('ALTER SEQUENCE %I.%I RESTART', s.schemaname, s.sequencename)
                   ELSE format('SELECT setval(%L, %s, true)', format('%I.%I', s.schemaname, s.sequencename), s.last_value) END AS statement
       FROM pg_sequences s ORDER BY s.schemaname, s.sequencename`,
    )
  )
    .map((r) => `${r.statement};`)
    .join('\n');
  return { definitions, tables, seeds, sequences };
}

/** The tables of `tables` that hold at least one row (one statement). */
async function nonEmpty(db: PGlite, tables: string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const rows = await rowsOf<{ name: string }>(
    db,
    tables.map((t) => `SELECT '${t.replaceAll("'", "''")}' AS name WHERE EXISTS (SELECT 1 FROM ${t})`).join(' UNION ALL '),
  );
  return rows.map((r) => r.name);
}

/** Brings a database back to the baseline; throws when it cannot (the caller then drops it). */
async function reset(db: PGlite, baseline: Baseline): Promise<void> {
  const filled = await nonEmpty(db, baseline.tables);
  const emptied = [...new Set([...filled, ...baseline.seeds.keys()])];
  await db.exec(
    [
      'SET session_replication_role = replica;',
      // CASCADE: also the (empty) tables that refer to these, which TRUNCATE requires.
      emptied.length > 0 ? `TRUNCATE ${emptied.join(', ')} CASCADE;` : '',
      ...[...baseline.seeds.values()].map((s) => `${s};`),
      baseline.sequences,
      'SET session_replication_role = DEFAULT;',
    ].join('\n'),
  );
  await db.exec('DISCARD ALL');
  const [{ definitions }] = (await rowsOf<{ definitions: string }>(db, DEFINITIONS)) as [{ definitions: string }];
  if (definitions !== baseline.definitions) throw new Error('the definitions differ from the template');
}

const idle: PGlite[] = [];
let baseline: Promise<Baseline> | undefined;
/** Counted for the tests of this module (and the reason the last one was not reused). */
export const pgliteReuse: { loaded: number; reused: number; dropped: number; lastReason?: unknown } = { loaded: 0, reused: 0, dropped: 0 };

/** An embedded database in the template's state: an idle one of this process, else the template loaded. */
export async function takePglite(): Promise<PGlite> {
  for (let reused = idle.pop(); reused; reused = idle.pop()) {
    if (reused.closed) continue;
    pgliteReuse.reused++;
    return reused;
  }
  const pglite = await createPglite({ loadDataDir: await pgliteTemplate() });
  pgliteReuse.loaded++;
  // The first one loaded, still untouched, tells what the template holds.
  baseline ??= readBaseline(pglite).catch((e) => {
    baseline = undefined;
    throw e;
  });
  await baseline;
  return pglite;
}

// An idle PGlite keeps its process alive (PostgreSQL's ten-second statistics timer), so idle
// ones are kept only where something closes them when the process's tests are done: under
// npm test, the worker's last hook (scripts/test-files.mjs). A file run alone with node --test
// closes every database its environments give back, as before.
let keepIdle = Boolean(process.env.DARGAH_TEST_FILES);

/** Keeps the databases given back from now on; the caller sees that closeIdle runs at the end. */
export function keepIdleDatabases(): void {
  keepIdle = true;
}

/** Closes the idle databases of this process. */
export async function closeIdle(): Promise<void> {
  await Promise.all(idle.splice(0).map((p) => p.close().catch(() => {})));
}
onTestsDone(closeIdle);

/** Takes back a database an environment is done with: reset for the next one, or closed. */
export async function givePglite(pglite: PGlite): Promise<void> {
  // Given back twice (an environment closed twice): it is idle already.
  if (idle.includes(pglite)) return;
  if (pglite.closed) {
    pgliteReuse.dropped++;
    return;
  }
  if (!keepIdle) {
    await pglite.close();
    return;
  }
  try {
    await reset(pglite, await baseline!);
    idle.push(pglite);
  } catch (error) {
    pgliteReuse.dropped++;
    pgliteReuse.lastReason = error;
    await pglite.close().catch(() => {});
  }
}
