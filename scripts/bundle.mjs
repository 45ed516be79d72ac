// One ES module bundle of a TypeScript entry and everything it imports from the project
// (packages stay in node_modules), made by esbuild — the compiler tsx itself uses. Used by
// `npm start` (scripts/start.mjs) and by the benches, which run their server processes the
// way `npm run web` runs the portal.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time of the files a bundle may be made from (src/ and, when asked, more folders). */
export function newestSource(folders = ['src']) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const f of folders) walk(path.join(root, f));
  for (const f of ['package.json', 'tsconfig.json']) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

export async function bundle(entry, out) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
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
  // Written under private names, then renamed: processes starting together (a web and a
  // worker) never read half a bundle.
  const suffix = `.${process.pid}.tmp`;
  for (const f of result.outputFiles) writeFileSync(f.path + suffix, f.contents);
  for (const f of result.outputFiles) renameSync(f.path + suffix, f.path);
}
