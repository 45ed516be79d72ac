// `npm start`, `npm run web`, `npm run worker`, `npm run cli`: runs src/main.ts from one
// bundle, dist/main.js, made by esbuild (the TypeScript and JSX compiler tsx itself uses)
// whenever a file under src/ or the installed packages are newer than the bundle. Loading
// one prepared file instead of transforming and resolving some 300 modules at every start
// saves about half a second and 30 MB of memory (issue 15); bundling the packages as well
// (all but a few, scripts/bundle.mjs) another half second. A command line call too: 0.26 s for `cli --help` and 1.2 s for a
// command that opens the embedded database, against 0.36 s and 1.8 s through tsx, which
// transforms the modules at every call. Tests still run src/ through tsx.
// Plain JavaScript, so that node runs it without a loader.
// The Node options are in package.json's scripts (the bench starts its servers with the same):
// --max-semi-space-size=8 lets the young generation grow to 8 MB per half, so that the short-
// lived objects of a request die there; --heap-growing-percent=20 lets the old generation grow
// only 20 % over what the last full collection kept before the next one. V8's own factor (up
// to 4×) left a web process at 214–340 MB after the bench's loads, with about 50 MB live; with
// 20 % it stays at 190–227 MB (peak 225–253), for about 0.05 ms more of V8's helper threads
// per sign-in and no change in requests per second beyond the runs' spread (README, Memory).
// --initial-old-space-size=64 keeps that rule from running full collections while a start
// builds its first 50 MB (five during a start instead of V8's usual three; two with it).
import { existsSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle as bundleOf, newestSource, root } from './bundle.mjs';

// argon2id runs on libuv's thread pool. Threads beyond the cores add no hashes per second,
// only memory (19 MiB each while a hash runs) and less CPU for the requests themselves, so
// the pool has one thread per core unless the operator sets UV_THREADPOOL_SIZE. (Set here,
// before anything uses the pool.)
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));

const out = path.join(root, 'dist', 'main.js');
const bundle = () => bundleOf(path.join(root, 'src', 'main.ts'), out);

// `npm run build` (e.g. in an image build, before the folder becomes read-only): bundle only.
if (process.argv[2] === '--build') {
  await bundle();
  process.exit(0);
}
if (!existsSync(out) || statSync(out).mtimeMs < newestSource()) {
  try {
    await bundle();
  } catch (error) {
    // A read-only installation with a bundle made at build time (`npm run build`) still starts.
    if (!existsSync(out)) throw error;
    console.error(`could not refresh ${path.relative(root, out)} (${error.message}); starting the existing bundle`);
  }
}
// V8's compiled code of the bundle and of the packages it loads, kept on disk next to the
// database template (node_modules/.cache/dargah): later starts skip most of the compiling.
// Node checks each entry against its source; where the folder is read-only, nothing changes.
enableCompileCache(path.join(root, 'node_modules', '.cache', 'dargah', 'compile'));
await import(pathToFileURL(out).href);
