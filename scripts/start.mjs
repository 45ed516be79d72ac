// `npm start`, `npm run web`, `npm run worker`: runs src/main.ts from one bundle, dist/main.js,
// made by esbuild (the TypeScript and JSX compiler tsx itself uses) whenever a file under src/
// is newer than the bundle. Loading one prepared file instead of transforming and resolving
// some 300 modules at every start saves about half a second and 30 MB of memory (issue 15).
// Packages stay in node_modules (not bundled). Tests and the CLI still run src/ through tsx.
// Plain JavaScript, so that node runs it without a loader.
import { existsSync, readdirSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'main.js');

/** The newest modification time of the sources the bundle is made from. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  for (const f of ['package.json', 'tsconfig.json']) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

async function bundle() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(root, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    jsx: 'automatic',
    jsxImportSource: '@kitajs/html',
    sourcemap: 'linked',
    outfile: out,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(path.dirname(out), { recursive: true });
  // Written under private names, then renamed: a web and a worker starting together never
  // read half a bundle.
  const suffix = `.${process.pid}.tmp`;
  for (const f of result.outputFiles) writeFileSync(f.path + suffix, f.contents);
  for (const f of result.outputFiles) renameSync(f.path + suffix, f.path);
}

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
await import(pathToFileURL(out).href);
