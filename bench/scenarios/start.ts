// `npm start` (all roles in one process, embedded database) until /healthz answers: with a
// fresh data folder (the embedded database is created and migrated, the signing key made)
// and again with the folder it left. The ceiling: Node with tsx starting a bare Fastify
// server until it answers. Each start is measured BENCH_ROUNDS times (default 3); the
// median is kept and every round printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure, Scenario } from '../run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Milliseconds from spawning `args` until GET /healthz answers 200; the process is then stopped. */
async function timeToHealthy(args: string[], env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = performance.now() - started;
    const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')).catch(() => '');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    return { ms, rss };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const BARE = `import Fastify from 'fastify'; const app = Fastify(); app.get('/healthz', async () => ({ status: 'ok' })); await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const scenario: Scenario = {
  name: 'start',
  description: '`npm start` (embedded database) to healthy: fresh and existing data folder, next to a bare Fastify start',
  async run() {
    const fresh: number[] = [];
    const existing: number[] = [];
    const bare: number[] = [];
    let rss = 0;
    for (let r = 0; r < rounds; r++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dargah-bench-start-'));
      try {
        // `npm start` itself: node with the options of package.json's start script.
        const words = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start as string).split(/\s+/);
        const app = words.slice(1);
        const env = { DATA_DIR: dataDir, SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789' };
        fresh.push((await timeToHealthy(app, env)).ms);
        const again = await timeToHealthy(app, env);
        existing.push(again.ms);
        rss = Math.max(rss, again.rss);
        bare.push((await timeToHealthy(['--import', 'tsx', '--input-type=module', '-e', BARE], {})).ms);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    const list = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(', ');
    const figure = (xs: number[], goal: string): Figure => ({
      value: median(xs) / 1000,
      unit: 's',
      ceiling: median(bare) / 1000,
      ceilingName: 'bare Fastify under tsx',
      goal,
      lowerIsBetter: true,
      rounds: `${list(xs)} / ${list(bare)}`,
    });
    return {
      'start to healthy, fresh data folder': figure(fresh, '< 3 s'),
      'start to healthy, existing data folder': figure(existing, '< 1 s'),
      'RSS just after start (existing folder)': { value: rss, unit: 'MB', goal: '≤ 150 MB', lowerIsBetter: true },
    };
  },
};
