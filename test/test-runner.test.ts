// npm test's runner (scripts/test.mjs): files share a worker process yet keep their own
// hooks; a failed test or a file that cannot be imported fails the run; the time limit is
// each test's, not a file's. Run on the fixtures in test/fixtures/runner.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'dargah-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the runner on fixtures, without blocking this process (so two runs can overlap). */
async function runner(files: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['scripts/test.mjs', ...files.map((f) => `test/fixtures/runner/${f}.fixture.ts`)], {
    cwd: ROOT,
    env: { ...process.env, TEST_DURATIONS_CACHE: path.join(dir, 'times.json'), TEST_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, out: stdout + stderr, summary: /\n(\d+ tests: .*)\n/.exec(stdout)?.[1] ?? '' };
}

describe('the test runner', () => {
  test('files of one worker share its process, each keeping its own top-level hooks', async () => {
    const r = await runner(['a-hooks', 'b-shares-process']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.summary, /^2 tests: 2 passed, 0 failed, 0 skipped; 2 files, 1 workers/);
    // The wall times are kept for the next run's shares.
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(dir, 'times.json'), 'utf8'))).sort(), [
      'test/fixtures/runner/a-hooks.fixture.ts',
      'test/fixtures/runner/b-shares-process.fixture.ts',
    ]);
  });

  test('a failed test fails the run, in any worker', async () => {
    const r = await runner(['a-hooks', 'c-fails'], { TEST_WORKERS: '2' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.summary, /^3 tests: 2 passed, 1 failed, 0 skipped; 2 files, 2 workers/);
    assert.match(r.out, /✖ c: fails/);
  });

  test('a file that cannot be imported fails the run and is named', async () => {
    const r = await runner(['a-hooks', 'd-broken']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.summary, /1 failed/);
    assert.match(r.out, /✖ test\/fixtures\/runner\/d-broken\.fixture\.ts/);
    assert.match(r.out, /no-such-module/);
  });

  test('the time limit is each test’s: a file longer than it passes, a test longer than it fails', async () => {
    // Both runs at once (each keeping its own times): the fixture mostly waits.
    const [within, r] = await Promise.all([
      runner(['e-slow'], { TEST_TIMEOUT_MS: '2000', TEST_DURATIONS_CACHE: path.join(dir, 'times-2000.json') }),
      runner(['e-slow'], { TEST_TIMEOUT_MS: '1000', TEST_DURATIONS_CACHE: path.join(dir, 'times-1000.json') }),
    ]);
    assert.equal(within.code, 0, within.out);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /timed out after 1000ms/);
  });

  test('options go to node --test: a name pattern runs only the matching tests', async () => {
    const r = await runner(['c-fails'], { TEST_WORKERS: '1' });
    assert.equal(r.code, 1);
    const only = spawnSync(process.execPath, ['scripts/test.mjs', 'test/fixtures/runner/c-fails.fixture.ts', '--test-name-pattern=passes'], {
      cwd: ROOT,
      env: { ...process.env, TEST_DURATIONS_CACHE: path.join(dir, 'times.json'), TEST_WORKERS: '1' },
      encoding: 'utf8',
    });
    assert.equal(only.status, 0, only.stdout + only.stderr);
    assert.doesNotMatch(only.stdout, /✖ c: fails/);
  });
});
