// Over HTTP, each figure beside its ceiling measured in the same run (rounds alternate
// between the two, the median is kept, every round is printed):
// - sign-ins/s (POST /api/v1/session) ÷ a bare Fastify route doing one argon2id verify at
//   the same parameters;
// - GET /api/v1/me (bearer) and the account page (cookie) ÷ bare Fastify answering the same
//   body;
// - RSS of the web process after the loads (goal ≤ 150 MB);
// - CPU per sign-in by where it is spent (bench/cpu.ts: the web process's main thread, its
//   argon2id threads, V8's helper threads, the local PostgreSQL and Redis), beside the
//   ceiling's own: what the sign-in rate is made of;
// - sign-in and /me p99 latency at 10,000 accounts and at BENCH_ACCOUNTS (e.g. 1000000):
//   the accounts are seeded through the real table with generate_series, each size in a web
//   process and a schema of its own, rounds alternating between the two.
// The web process and the ceiling are child processes (bench/http/server.ts); the load
// comes from autocannon in this process. Database: DATABASE_URL (a fresh schema, dropped
// afterwards) or PGlite in memory. Environment: BENCH_SECONDS (per round, default 5),
// BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 64).
import autocannon from 'autocannon';
import { startBenchChild, stopBenchChild, type BenchChild } from '../child.js';
import { cpuNow, cpuTally } from '../cpu.js';
import type { Figure, Scenario } from '../run.js';
import { benchNationalCode, BENCH_PASSWORD } from '../http/server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const FIRST = 10_000;

type Child = BenchChild & { port: number; ready: Record<string, unknown> };

async function start(mode: 'app' | 'bare', env: Record<string, string> = {}): Promise<Child> {
  const child = await startBenchChild<Record<string, unknown>>('http', [mode], { ...process.env, BENCH_ACCOUNTS_FIRST: String(FIRST), ...env });
  return { ...child, port: child.ready.port as number };
}

const stop = stopBenchChild;

type Load = { rate: number; ok: number; p50: number; p99: number; errors: number };

/** One autocannon run: successful answers per second and latency (ms). */
async function load(port: number, request: autocannon.Request, overrides: Partial<autocannon.Options> = {}): Promise<Load> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: seconds, timeout: 60, requests: [request], ...overrides });
  const ok = result['2xx'];
  if (result.non2xx || result.errors || result.timeouts) {
    console.warn(`  ! ${request.method} ${request.path}: status ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  // Requests still running in the server when the load stops must not slow the next load:
  // one more request of the same kind waits behind them (argon2 runs on a fixed thread pool).
  if (request.method === 'POST') await drain(port, request);
  return { rate: ok / (result.duration || seconds), ok, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
}

async function drain(port: number, request: autocannon.Request) {
  const req = (request.setupRequest as (r: autocannon.Request, c: object) => autocannon.Request)({ ...request }, {});
  await fetch(`http://127.0.0.1:${port}${req.path}`, { method: 'POST', headers: req.headers as Record<string, string>, body: req.body as string });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Picks accounts spread over 1…n (skipping the few invalid codes), never one account too often. */
function accountPicker(n: number) {
  let i = 0;
  return () => {
    for (;;) {
      const k = 1 + ((i++ * 7919) % n);
      if (k % 1_000_000 !== 0) return benchNationalCode(k);
    }
  };
}

function signinRequest(path: string, pick: () => string, tokens?: string[]): autocannon.Request {
  let ip = 0;
  return {
    method: 'POST',
    path,
    setupRequest: (req) => ({
      ...req,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip++ & 255}` },
      body: JSON.stringify({ username: pick(), password: BENCH_PASSWORD }),
    }),
    ...(tokens ? { onResponse: (status: number, body: string) => void (status === 200 && tokens.push(JSON.parse(body).sessionToken)) } : {}),
  };
}

export const scenario: Scenario = {
  name: 'http',
  description: 'over HTTP: sign-in, /api/v1/me and the account page next to their ceilings; RSS; p99 at 10 k vs BENCH_ACCOUNTS',
  async run() {
    const app = await start('app', { TRUST_PROXY: '1' });
    const bare = await start('bare');
    const figures: Record<string, Figure | string | number> = {};
    try {
      const base = `http://127.0.0.1:${app.port}`;
      const sessionCookie = app.ready.cookie as string;
      const argon2 = app.ready.argon2 as { memoryCost: number; timeCost: number; parallelism: number };
      figures.database = app.ready.database as string;
      figures['argon2id parameters'] = `m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}`;
      figures.connections = connections;
      figures['rounds × seconds'] = `${rounds} × ${seconds}`;

      // The ceilings answer exactly what the app answers.
      const pick = accountPicker(FIRST);
      const signin = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: pick(), password: BENCH_PASSWORD }) });
      const token = ((await signin.json()) as { sessionToken: string }).sessionToken;
      const me = await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).text();
      const first = await fetch(`${base}/account`, { headers: { cookie: sessionCookie } });
      // As a browser: the cookies the first page set (the CSRF secret) go back with every later page.
      const set = first.headers.getSetCookie().map((c) => c.split(';')[0]!);
      const cookie = [sessionCookie, ...set].join('; ');
      await first.text();
      const page = await fetch(`${base}/account`, { headers: { cookie } });
      if (page.status !== 200) throw new Error(`account page: ${page.status}`);
      await bare.ask({ type: 'bare-bodies', me, page: await page.text() }, 'ok');

      const tokens: string[] = [token];
      const meRequest = (over: string[] = tokens): autocannon.Request => {
        let i = 0;
        return { method: 'GET', path: '/api/v1/me', setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${over[i++ % over.length]}` } }) };
      };
      const runs: Record<string, { app: Load[]; bare: Load[] }> = { signin: { app: [], bare: [] }, me: { app: [], bare: [] }, page: { app: [], bare: [] } };
      const cpu = { app: cpuTally(), bare: cpuTally() };
      const counted = async (child: Child, tally: ReturnType<typeof cpuTally>, run: () => Promise<Load>) => {
        const before = cpuNow(child.process.pid!);
        const result = await run();
        tally.add(before, cpuNow(child.process.pid!), result.ok);
        return result;
      };
      for (let r = 0; r < rounds; r++) {
        runs.signin!.app.push(await counted(app, cpu.app, () => load(app.port, signinRequest('/api/v1/session', pick, tokens))));
        runs.signin!.bare.push(await counted(bare, cpu.bare, () => load(bare.port, signinRequest('/verify', pick))));
        // The load generator shares the machine: both sides get the same requests (the same
        // headers, made the same way), so that its own cost is the same on both.
        runs.me!.bare.push(await load(bare.port, { ...meRequest(), path: '/me' }));
        runs.me!.app.push(await load(app.port, meRequest()));
        runs.page!.app.push(await load(app.port, { method: 'GET', path: '/account', headers: { cookie } }));
        runs.page!.bare.push(await load(bare.port, { method: 'GET', path: '/account', headers: { cookie } }));
      }
      const figure = (name: string, key: keyof typeof runs, ceiling: string, goal: number) => {
        const a = runs[key]!.app.map((l) => l.rate);
        const b = runs[key]!.bare.map((l) => l.rate);
        const errors = runs[key]!.app.reduce((s, l) => s + l.errors, 0);
        figures[name] = {
          value: median(a),
          ceiling: median(b),
          ceilingName: ceiling,
          unit: '/s',
          goal: `≥ ${goal.toFixed(2)}`,
          rounds: a.map((x, i) => `${x.toFixed(0)}/${b[i]!.toFixed(0)}`).join(', ') + (errors ? ` (${errors} errors)` : ''),
        };
      };
      figure('sign-ins/s (POST /api/v1/session)', 'signin', 'argon2id verify over HTTP', 0.9);
      figure('GET /api/v1/me/s (bearer)', 'me', 'bare Fastify, same JSON', 0.25);
      figure('account page/s (cookie)', 'page', 'bare Fastify, same page', 0.2);
      const cpuApp = cpu.app.perRequest();
      const cpuBare = cpu.bare.perRequest();
      if (cpuApp && cpuBare) {
        const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);
        for (const [part, ms] of [...Object.entries(cpuApp), ['all of these', sum(cpuApp)] as const]) {
          const ceiling = part === 'all of these' ? sum(cpuBare) : cpuBare[part as keyof typeof cpuBare];
          if (ms || ceiling) figures[`CPU per sign-in: ${part}`] = { value: ms, unit: 'ms', ceiling, ceilingName: 'bare Fastify + argon2', lowerIsBetter: true };
        }
      }

      const memory = await app.ask<{ rss: number; peak: number }>({ type: 'memory' }, 'memory');
      const bareMemory = await bare.ask<{ rss: number; peak: number }>({ type: 'memory' }, 'memory');
      figures['web process RSS after the loads'] = { value: memory.rss / 2 ** 20, unit: 'MB', ceiling: bareMemory.rss / 2 ** 20, ceilingName: 'bare Fastify + argon2', goal: '≤ 150 MB', lowerIsBetter: true };
      figures['web process peak RSS'] = { value: memory.peak / 2 ** 20, unit: 'MB', ceiling: bareMemory.peak / 2 ** 20, ceilingName: 'bare Fastify + argon2', goal: '≤ 150 MB', lowerIsBetter: true };

      // p99 at 10 k accounts and at BENCH_ACCOUNTS. The same at both sizes: a warm-up,
      // sign-ins spread over all n accounts, then /me with exactly the sessions those sign-ins
      // opened (each first seen by the web process then).
      const size = Number(process.env.BENCH_ACCOUNTS ?? 0);
      const p99 = async (child: Child, n: number) => {
        await load(child.port, signinRequest('/api/v1/session', accountPicker(n)), { duration: 2 });
        const fresh: string[] = [];
        const s = await load(child.port, signinRequest('/api/v1/session', accountPicker(n), fresh));
        // Where the machine's CPU goes during the /me load: a session-checked request barely
        // touches PostgreSQL, so CPU spent there is its own work competing for the cores.
        const before = cpuNow(child.process.pid!);
        const m = await load(child.port, meRequest(fresh));
        const tally = cpuTally();
        tally.add(before, cpuNow(child.process.pid!), m.ok);
        const parts = tally.perRequest();
        const cpu = parts
          ? Object.entries(parts)
              .filter(([, ms]) => ms >= 0.0005)
              .map(([part, ms]) => `${part} ${(ms * 1000).toFixed(0)} µs`)
              .join(', ')
          : 'not measured';
        return { signin: s.p99, me: m.p99, meLoad: `${m.rate.toFixed(0)}/s from ${fresh.length} sessions; CPU per request: ${cpu}` };
      };
      type P99 = Awaited<ReturnType<typeof p99>>;
      const p99Figures = (label: string, runs: P99[], ceiling?: P99[]) => {
        const mid = (k: 'signin' | 'me', xs: P99[]) => median(xs.map((x) => x[k]));
        const list = (k: 'signin' | 'me') => runs.map((x, i) => `${x[k]}/${ceiling?.[i]?.[k] ?? '–'}`).join(', ');
        const against = (k: 'signin' | 'me') =>
          ceiling ? { ceiling: mid(k, ceiling), ceilingName: 'p99 at 10 k', goal: '≤ 1.10', ...(runs.length > 1 ? { rounds: list(k) } : {}) } : {};
        figures[`sign-in p99 at ${label} accounts`] = { value: mid('signin', runs), unit: 'ms', lowerIsBetter: true, ...against('signin') };
        figures[`/api/v1/me p99 at ${label} accounts`] = { value: mid('me', runs), unit: 'ms', lowerIsBetter: true, ...against('me') };
        figures[`/api/v1/me load at ${label} accounts`] = runs.at(-1)!.meLoad;
      };
      if (size > FIRST) {
        // Two more web processes, each on a schema of its own: one with 10 k accounts, one
        // seeded to BENCH_ACCOUNTS. Both run throughout and the rounds alternate between them
        // (10 k, n, 10 k, n, …): what the machine does meanwhile (PostgreSQL's writing after
        // the bulk load, the page cache) weighs on both sizes alike. Measuring one size after
        // the other in one process put all of that on the second.
        const small = await start('app', { TRUST_PROXY: '1' });
        let big: Child | undefined;
        try {
          big = await start('app', { TRUST_PROXY: '1' });
          const started = performance.now();
          await big.ask({ type: 'seed', accounts: size }, 'seeded');
          figures[`seeding to ${size} accounts`] = `${((performance.now() - started) / 1000).toFixed(0)} s`;
          const smallRuns: P99[] = [];
          const bigRuns: P99[] = [];
          for (let r = 0; r < rounds; r++) {
            smallRuns.push(await p99(small, FIRST));
            bigRuns.push(await p99(big, size));
          }
          p99Figures('10 k', smallRuns);
          p99Figures(String(size), bigRuns, smallRuns);
        } finally {
          await stop(big);
          await stop(small);
        }
      } else {
        p99Figures('10 k', [await p99(app, FIRST)]);
      }
      return figures;
    } finally {
      await stop(app);
      await stop(bare);
    }
  },
};
