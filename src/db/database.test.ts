import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './database.js';
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
