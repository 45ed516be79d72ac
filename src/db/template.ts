// A migrated, empty embedded database, made once per machine and copied into every new data
// folder: PGlite's initdb, some 60 migrations and the job queue's schema cost seconds; loading
// their result costs a fraction of that. Tests start every environment from it too.
// The tarball is kept in node_modules/.cache/dargah (the project's own folder, readable only
// by its owner: a template is code the database runs), under a name keyed by the content of
// the migrations and the versions of the libraries that shape the schema; templates unused
// for a day are removed by the next one made. It holds nothing of an installation: no keys,
// no branches, no accounts (those are made at start, after it is loaded).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { createJobQueue } from '../jobs/queue.js';
import { projectRoot } from '../shared/projectRoot.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';

const STALE_MS = 24 * 3600 * 1000;
const PREFIX = 'pglite-template-';
export const TEMPLATE_DIR = path.join(projectRoot, 'node_modules', '.cache', 'dargah');

/** What a migrated database depends on: the migrations, the migrator and the libraries' versions. */
export function templateKey(): string {
  const h = createHash('sha256').update('dargah-pglite-template-v2\0');
  const dir = path.join(projectRoot, 'src', 'db', 'migrations');
  for (const f of readdirSync(dir).sort()) h.update(f).update('\0').update(readFileSync(path.join(dir, f))).update('\0');
  h.update(readFileSync(path.join(projectRoot, 'src', 'db', 'migrate.ts')));
  for (const p of ['pg-boss', '@electric-sql/pglite', 'kysely']) {
    h.update(p).update(JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', p, 'package.json'), 'utf8')).version);
  }
  return h.digest('hex').slice(0, 16);
}

let blob: Promise<Blob> | undefined;

/** The migrated PGlite data folder as a tarball (read once per process; made once per machine). */
export function pgliteTemplate(): Promise<Blob> {
  return (blob ??= loadOrBuild().catch((e) => {
    blob = undefined;
    throw e;
  }));
}

async function loadOrBuild(): Promise<Blob> {
  const file = path.join(TEMPLATE_DIR, `${PREFIX}${templateKey()}.tar`);
  if (existsSync(file)) {
    try {
      const data = readFileSync(file);
      const now = new Date();
      utimesSync(file, now, now);
      return new Blob([data]);
    } catch {
      // Removed by another process meanwhile: make it again.
    }
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create();
  try {
    const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
    await migrateToLatest(db);
    const database: Database = {
      db,
      kind: 'pglite',
      executeSql: async (text, values) => {
        if (values && values.length > 0) return { rows: (await pglite.query(text, values as any[])).rows as any[] };
        return { rows: ((await pglite.exec(text)).at(-1)?.rows ?? []) as any[] };
      },
      ping: async () => true,
      withLock: (_name, fn) => fn(),
      listen: async () => async () => {},
      close: async () => {},
    };
    // The job queue's schema, made the way a start makes it (then the queue stops).
    const queue = createJobQueue({ database, schema: 'pgboss', logger: pino({ level: 'silent' }) });
    await queue.start();
    await queue.stop();
    const data = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    try {
      mkdirSync(TEMPLATE_DIR, { recursive: true, mode: 0o700 });
      // Written whole under a private name, then renamed: a reader never sees half a file.
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, data, { mode: 0o600 });
      renameSync(partial, file);
      removeStale(file);
    } catch {
      // A read-only installation: this start uses the template it made, the next makes it again.
    }
    return new Blob([data]);
  } finally {
    await pglite.close();
  }
}

/**
 * The template unpacked into a data folder, once per machine beside its tarball: a new data
 * folder is a copy of it, which takes a tenth of what PGlite's loading of the tarball takes
 * (it writes every file through its WebAssembly file system). Throws where it cannot be made
 * (a read-only installation); the caller then loads the tarball instead.
 */
export async function pgliteTemplateDir(): Promise<string> {
  const dir = path.join(TEMPLATE_DIR, `${PREFIX}${templateKey()}`);
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    try {
      const now = new Date();
      utimesSync(dir, now, now);
    } catch {
      // A read-only cache: the template is still usable, only its age is not refreshed.
    }
    return dir;
  }
  const tarball = await pgliteTemplate();
  const partial = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create({ dataDir: partial, loadDataDir: tarball });
    await pglite.close();
    try {
      renameSync(partial, dir);
    } catch (e) {
      // Another process unpacked it first: theirs is used.
      if (!existsSync(path.join(dir, 'PG_VERSION'))) throw e;
    }
    return dir;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

function removeStale(keep: string) {
  const current = `${PREFIX}${templateKey()}`;
  for (const f of readdirSync(TEMPLATE_DIR)) {
    const p = path.join(TEMPLATE_DIR, f);
    if (!f.startsWith(PREFIX) || p === keep || f === current) continue;
    try {
      // A tarball, an unpacked template, or a partial one a stopped process left.
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}
