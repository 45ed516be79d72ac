// What the test files of one worker process share (scripts/test-files.mjs runs them one after
// another in a single process) and must give up for that process to end: the worker's last
// hook runs every release registered here once all its files are done.
type Release = () => Promise<void>;

const KEY = Symbol.for('dargah.test.releases');

/** Runs `release` when the worker's test files are all done (once, however often it is registered). */
export function onTestsDone(release: Release): void {
  const g = globalThis as Record<symbol, Release[] | undefined>;
  const releases = (g[KEY] ??= []);
  if (!releases.includes(release)) releases.push(release);
}
