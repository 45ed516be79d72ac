import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './database.js';
import { migrations } from './migrations/index.js';
import { pgliteTemplate } from './template.js';

test('the embedded database keeps a small buffer pool (16 MB, not PostgreSQL’s 128 MB): a data folder and one in memory alike', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-db-'));
  try {
    for (const options of [{ dataDir: dir }, { memory: true, loadDataDir: await pgliteTemplate() }]) {
      const database = await openDatabase(options);
      try {
        const shown = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(database.db);
        assert.equal(shown.rows[0]!.shared_buffers, '16MB', JSON.stringify(options));
      } finally {
        await database.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The migrations recorded by the embedded database opened in `dataDir` (then closed). */
async function migrationsIn(dataDir: string, onTemplateFallback?: (e: unknown) => void): Promise<number> {
  const database = await openDatabase({ dataDir, ...(onTemplateFallback ? { onTemplateFallback } : {}) });
  try {
    return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(database.db)).rows[0]!.n;
  } finally {
    await database.close();
  }
}

test('a new data folder is a whole copy of the migrated template; a folder that holds something else still opens', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-db-'));
  const odd = mkdtempSync(path.join(tmpdir(), 'dargah-db-'));
  try {
    const fallbacks: unknown[] = [];
    assert.equal(await migrationsIn(dir, (e) => fallbacks.push(e)), Object.keys(migrations).length);
    // Copied beside it and renamed: nothing else is left in the folder.
    assert.deepEqual(readdirSync(dir), ['pglite']);
    assert.equal(fallbacks.length, 0);

    mkdirSync(path.join(odd, 'pglite'));
    writeFileSync(path.join(odd, 'pglite', 'notes.txt'), 'not a database');
    assert.equal(await migrationsIn(odd, (e) => fallbacks.push(e)), Object.keys(migrations).length);
    // The copy could not take the folder's place: said, and the tarball used instead.
    assert.equal(fallbacks.length, 1);
    assert.deepEqual(readdirSync(odd), ['pglite']);
  } finally {
    for (const d of [dir, odd]) rmSync(d, { recursive: true, force: true });
  }
});
