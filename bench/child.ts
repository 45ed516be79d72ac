// Bench server processes run the way `npm run web` runs the portal: one esbuild bundle
// (scripts/bundle.mjs) of their entry, with the Node options of package.json's `web` script.
// BENCH_CHILD names the entry, so a module bundled into another child does not start itself.
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain JavaScript module without types
import { bundle } from '../scripts/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The options between `node` and the script in package.json's `web` script. */
export function webNodeOptions(): string[] {
  const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const words = scripts.web!.split(/\s+/).slice(1);
  return words.slice(0, words.findIndex((w) => !w.startsWith('-')));
}

const made = new Map<string, Promise<string>>();

/** Forks bench/<name>/server.ts, bundled (once per bench run), as child `name`. */
export async function forkBenchChild(name: 'http' | 'sso', args: string[], options: ForkOptions & { env?: NodeJS.ProcessEnv }): Promise<ChildProcess> {
  let file = made.get(name);
  if (!file) {
    const out = path.join(root, 'dist', 'bench', `${name}-server.js`);
    file = (bundle(path.join(root, 'bench', name, 'server.ts'), out) as Promise<void>).then(() => out);
    made.set(name, file);
  }
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), BENCH_CHILD: name };
  // The thread pool npm run web gets (scripts/start.mjs): one thread per core.
  env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
  return fork(await file, args, { ...options, execArgv: [...webNodeOptions(), ...(options.execArgv ?? [])], env });
}

/** A forked bench server and its questions: `ask` sends a message and waits for the named answer (an `error` message rejects). */
export type BenchChild = { process: ChildProcess; ask<T>(m: object | null, answer: string): Promise<T> };

/** Forks a bench child (forkBenchChild) and waits for its `ready` message (or its exit). */
export async function startBenchChild<Ready>(name: 'http' | 'sso', args: string[], env?: NodeJS.ProcessEnv): Promise<BenchChild & { ready: Ready }> {
  const child = await forkBenchChild(name, args, { ...(env ? { env } : {}), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting = new Map<string, (m: any) => void>();
  let failed: ((e: Error) => void) | undefined;
  child.on('message', (m: any) => {
    if (m.type === 'error') {
      console.error(m.message);
      failed?.(new Error(m.message));
      return;
    }
    waiting.get(m.type)?.(m);
    waiting.delete(m.type);
  });
  const ask = <T>(m: object | null, answer: string) =>
    new Promise<T>((resolve, reject) => {
      failed = reject;
      waiting.set(answer, resolve);
      if (m) child.send(m);
    });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} ${args.join(' ')} exited with ${code}`))));
  const ready = await Promise.race([ask<Ready>(null, 'ready'), exited]);
  child.removeAllListeners('exit');
  return { process: child, ask, ready };
}

/** Asks a bench child to stop and waits for its exit. */
export async function stopBenchChild(child: { process: ChildProcess } | undefined) {
  if (!child || child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.send({ type: 'stop' });
  await exited;
}
