// The test files a worker of scripts/test.mjs runs, in one process: each file is imported
// inside a suite named after it, so its top-level hooks (before/after) stay with its own
// tests, and the modules under test are loaded and compiled once per worker, not once per
// file. The list comes from DARGAH_TEST_FILES (a JSON array of absolute paths).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe } from 'node:test';

const files = JSON.parse(process.env.DARGAH_TEST_FILES ?? '[]');
for (const file of files) {
  // The time limit (--test-timeout) is each test's, as when every file had a process of its
  // own; the file as a whole has none (Infinity would mean the default here: the longest timer).
  describe(path.relative(process.cwd(), file), { timeout: 2 ** 31 - 1 }, async () => {
    await import(pathToFileURL(file).href);
  });
}

// What the files of this worker share and must give up for the process to end (test/reuse.ts:
// idle embedded databases; test/browser/support.ts: the worker's Chromium) is released once
// they are all done: each registers its release in this list.
after(async () => {
  const releases = globalThis[Symbol.for('dargah.test.releases')] ?? [];
  await Promise.all(releases.map((release) => release()));
});
