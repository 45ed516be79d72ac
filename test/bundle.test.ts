// The bundle `npm start` runs (scripts/bundle.mjs): made again when a source or an installed
// package changes; every package in it but the few that must stay in node_modules.
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: plain JavaScript without declarations
import { bundle, newestSource, root } from '../scripts/bundle.mjs';

test('a newer installation of packages (node_modules/.package-lock.json) or lock file makes the bundle stale, as a newer source does', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-bundle-'));
  try {
    mkdirSync(path.join(dir, 'src', 'web'), { recursive: true });
    mkdirSync(path.join(dir, 'node_modules'));
    const at = (file: string, seconds: number) => {
      writeFileSync(path.join(dir, file), '');
      utimesSync(path.join(dir, file), seconds, seconds);
    };
    at('package.json', 1000);
    at('tsconfig.json', 1000);
    at('src/main.ts', 2000);
    at('src/web/page.tsx', 3000);
    at('src/notes.md', 9000); // not a source
    const newest = () => (newestSource(['src'], dir) as number) / 1000;
    assert.equal(newest(), 3000);
    at('package-lock.json', 4000);
    assert.equal(newest(), 4000);
    at('node_modules/.package-lock.json', 5000); // npm install / npm ci
    assert.equal(newest(), 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle holds the packages, all but PGlite, argon2, esbuild, pino and pg-native', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-bundle-'));
  try {
    const out = path.join(dir, 'main.js');
    await bundle(path.join(root, 'src', 'main.ts'), out);
    const code = readFileSync(out, 'utf8');
    // What the bundle still loads from outside: its imports and its CommonJS requires.
    const specifiers = [...code.matchAll(/(?:^import [^;]*? from |\bimport\(|__require\()"([^"]+)"/gms)].map((m) => m[1]!);
    const packages = new Set(specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).map((s) => /^(@[^/]+\/[^/]+|[^/]+)/.exec(s)![1]!));
    assert.deepEqual([...packages].sort(), ['@electric-sql/pglite', '@node-rs/argon2', 'pg-native', 'pino']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
