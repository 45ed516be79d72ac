// The command line loads what its command needs: `--help`, and a command sent to a running
// portal on the embedded database, load neither the web app nor the platform (a command
// line call took over 2 s here when it loaded everything, 0.4 s without).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The module URLs `node src/main.ts …args` loads (through tsx, as `npm run cli`). */
function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-cli-loading-'));
  try {
    const list = path.join(dir, 'loaded.txt');
    const hook = path.join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module'; import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
process.on('exit', () => writeFileSync(${JSON.stringify(list)}, [...seen].join('\\n')));`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, SECRET_KEY: 'cli-loading-secret-key-0123456789abcdef' };
    for (const k of ['DATABASE_URL', 'REDIS_URL']) delete env[k];
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, '--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(list, 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('`cli --help` loads neither the web app, the platform, the database layer nor their packages', () => {
  const loaded = modulesLoadedBy(['cli', '--help']);
  for (const unwanted of ['/src/app.ts', '/src/platform.ts', '/src/db/database.ts', '/src/sso/sso.service.ts', '/node_modules/fastify/', '/node_modules/oidc-provider/', '/node_modules/kysely/', '/node_modules/pg/']) {
    assert.ok(!loaded.some((u) => u.includes(unwanted)), `${unwanted} was loaded`);
  }
  assert.ok(loaded.some((u) => u.endsWith('/src/cli.ts')), 'the command line itself was loaded');
});
