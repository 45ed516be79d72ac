// `npm test`: the test files, shared among a few worker processes that run at the same time.
//
// Each worker is one `node --test` process that runs its share of the files one after
// another in a single process (scripts/test-files.mjs), so the code under test is loaded and
// compiled once per worker rather than once per file: on a 2-core machine that start-up was
// about 2 s of every file's time, and a file's first environment another 1.5 s.
//
// Every test makes what it uses for itself (an in-memory PGlite or a PostgreSQL database of
// its own, Redis keys under its own prefix, a random port, a temporary folder), so files may
// run side by side. The files are shared out by their last known wall time, longest first,
// each to the worker with the least so far; the times come from this machine's last run
// (node_modules/.cache/dargah/test-durations.json) or else from test/durations.json.
//
//   node scripts/test.mjs [file or glob …] [--node-test-option …]   (default: every test file)
//   TEST_WORKERS=n    how many workers (default: the machine's cores, at most 4)
//   TEST_TIMEOUT_MS   a test's time limit (default 300000)
//   TEST_DURATIONS_CACHE  where this machine's wall times are kept (default above)
// It ends with exit code 1 if any test failed or a worker ended abnormally.
import { spawn } from 'node:child_process';
import { existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PATTERNS = ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'];
const CACHE = process.env.TEST_DURATIONS_CACHE || path.join(root, 'node_modules', '.cache', 'dargah', 'test-durations.json');
const COMMITTED = path.join(root, 'test', 'durations.json');
/** The guess for a file no run has timed yet, in milliseconds. */
const UNKNOWN_MS = 5000;

// Options (--test-name-pattern=…, --test-only, …) go to every worker's `node --test`.
const options = process.argv.slice(2).filter((a) => a.startsWith('-'));
const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const patterns = named.length > 0 ? named : DEFAULT_PATTERNS;
const files = [...new Set(patterns.flatMap((p) => globSync(p, { cwd: root }).map((f) => path.resolve(root, f))))].sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(' ')}`);
  process.exit(1);
}

const readTimes = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
};
const known = { ...readTimes(COMMITTED), ...readTimes(CACHE) };
const rel = (file) => path.relative(root, file);
const timeOf = (file) => known[rel(file)] ?? UNKNOWN_MS;

const requested = Number(process.env.TEST_WORKERS);
const count = Math.max(1, Math.min(files.length, Number.isInteger(requested) && requested > 0 ? requested : Math.min(4, os.availableParallelism())));
const shares = Array.from({ length: count }, () => ({ files: [], ms: 0 }));
for (const file of [...files].sort((a, b) => timeOf(b) - timeOf(a))) {
  const share = shares.reduce((least, s) => (s.ms < least.ms ? s : least));
  share.files.push(file);
  share.ms += timeOf(file);
}

const timeout = Number(process.env.TEST_TIMEOUT_MS) || 300_000;
const work = mkdtempSync(path.join(os.tmpdir(), 'dargah-test-run-'));
const started = performance.now();
console.log(`${files.length} test files in ${count} worker${count > 1 ? 's' : ''}`);

/**
 * A worker's environment: its files, and none of the variables by which a test process knows
 * it runs under `node --test` (a runner started from a test would otherwise run nothing).
 */
function workerEnv(files) {
  const env = { ...process.env, DARGAH_TEST_FILES: JSON.stringify(files) };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_TEST_WORKER_ID;
  return env;
}

const children = new Set();
const runWorker = (share, index) =>
  new Promise((resolve) => {
    const summaryFile = path.join(work, `worker-${index + 1}.json`);
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx',
        '--test', '--test-concurrency=1', `--test-timeout=${timeout}`,
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/test-durations.mjs', `--test-reporter-destination=${summaryFile}`,
        ...options,
        'scripts/test-files.mjs',
      ],
      { cwd: root, env: workerEnv(share.files), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    // Lines of the workers interleave; each carries its worker's number.
    const prefix = count > 1 ? `[${index + 1}] ` : '';
    for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        if (lines.length > 0) out.write(lines.map((l) => prefix + l + '\n').join(''));
      });
      stream.on('end', () => rest && out.write(prefix + rest + '\n'));
    }
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ index, code, signal, summary: existsSync(summaryFile) ? readTimes(summaryFile) : null });
    });
  });

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exitCode = 1;
  });
}

const results = await Promise.all(shares.map(runWorker));
rmSync(work, { recursive: true, force: true });

const total = { tests: 0, passed: 0, failed: 0, skipped: 0 };
const times = { ...readTimes(CACHE) };
let ok = true;
for (const { index, code, signal, summary } of results) {
  if (code !== 0 || !summary) ok = false;
  // Every file of the share must have reported: a run in which files ran nothing is no pass.
  const silent = summary ? shares[index].files.map(rel).filter((f) => !(f in summary.files)) : [];
  if (silent.length > 0) {
    ok = false;
    console.error(`worker ${index + 1} has no result for ${silent.join(', ')}`);
  }
  // A worker with failed tests ends with code 1; one that ended any other way says so.
  if (!summary || (code !== 0 && !(summary.failed > 0))) console.error(`worker ${index + 1} ended with ${signal ?? `exit code ${code}`} (see its lines above)`);
  if (!summary) continue;
  for (const key of Object.keys(total)) total[key] += summary[key] ?? 0;
  Object.assign(times, summary.files);
}
// Files removed since are forgotten.
for (const file of Object.keys(times)) if (!existsSync(path.join(root, file))) delete times[file];
if (total.failed > 0) ok = false;
try {
  mkdirSync(path.dirname(CACHE), { recursive: true });
  writeFileSync(CACHE, JSON.stringify(times, Object.keys(times).sort(), 1) + '\n');
} catch {
  // The times only balance the next run's shares.
}
const ran = results.flatMap((r) => Object.entries(r.summary?.files ?? {})).sort((a, b) => b[1] - a[1]);
if (ran.length > 0) {
  console.log('\nslowest files (wall time, beside the other workers):');
  for (const [file, ms] of ran.slice(0, 10)) console.log(`${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n${total.tests} tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped; ${files.length} files, ${count} workers, ${seconds} s`);
process.exitCode = ok && process.exitCode !== 1 ? 0 : 1;
