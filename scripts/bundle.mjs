// One ES module bundle of a TypeScript entry and everything it imports, the project's files
// and the packages' alike, made by esbuild — the compiler tsx itself uses. Used by
// `npm start` (scripts/start.mjs) and by the benches, which run their server processes the
// way `npm run web` runs the portal.
//
// Packages are bundled too: a start otherwise loaded some 1,300 files from node_modules, each
// resolved, stat'ed, read and linked by Node's module loader one by one (kysely alone 257,
// oidc-provider 183): 0.7 s before the first line of the portal ran, 0.2 s with one file
// (issue 15). A CommonJS package inside an ES module bundle finds `require` through the banner
// (for Node's own modules and the packages left outside). Left outside, in node_modules:
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time of the files a bundle may be made from (src/ and, when asked, more folders, and the installed packages). */
export function newestSource(folders = ['src'], base = root) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const f of folders) walk(path.join(base, f));
  // npm install and npm ci rewrite node_modules/.package-lock.json: a changed package is bundled again.
  for (const f of ['package.json', 'tsconfig.json', 'package-lock.json', 'node_modules/.package-lock.json']) {
    if (existsSync(path.join(base, f))) newest = Math.max(newest, statSync(path.join(base, f)).mtimeMs);
  }
  return newest;
}

// - @electric-sql/pglite finds its WebAssembly and data files next to its own modules;
// - @node-rs/argon2 is a native addon, esbuild a native program (used only to bundle);
// - pino runs transports in worker threads from files of its own (Fastify's logger uses
//   the same copy: it requires it);
// - pg-native is pg's optional native driver, not installed.
const OUTSIDE = ['@electric-sql/pglite', '@node-rs/argon2', 'esbuild', 'pino', 'pg-native'];

export async function bundle(entry, out) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: OUTSIDE,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
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
