// Single sign-on over HTTP, each figure beside the same request to a bare oidc-provider (the
// project's version, in-memory adapter) measured in the same run (rounds alternate between
// the two, the median is kept, every round is printed):
// - refresh_token grants/s (POST /oidc/token, client_secret_basic; each answer's rotated
//   refresh token is the connection's next one);
// - userinfo/s (GET /oidc/userinfo with a bearer access token);
// - introspection/s (POST /oidc/token/introspection of an access token, client_secret_basic);
// - the p99 latency of each, and the server process's CPU time per answer (the database's
//   own CPU time is not in it).
// Both are child processes (bench/sso/server.ts): the portal as `src/main.ts web` runs it
// (database: DATABASE_URL, a fresh schema dropped afterwards, or PGlite in memory) with one
// confidential first-party service registered through the SSO service; the bare provider
// configured alike where it matters (bench/sso/server.ts says how). Each connection gets its
// tokens by the real authorization-code flow over HTTP (on the portal: a browser signed in
// to the portal by the real sign-in; one person, browser and grant per connection). The load
// comes from this process (bench/sso/client.ts). Environment: BENCH_SECONDS (per round,
// default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 64); BENCH_CPU_PROF=dir
// writes a CPU profile of the server process during each load there (the profiler's own
// cost is then in the figures).
import type { ChildProcess } from 'node:child_process';
import { startBenchChild, stopBenchChild } from '../child.js';
import path from 'node:path';
import type { Figure, Scenario } from '../run.js';
import { basicAuth, codeFlow, load, type Load, type Ready, type Tokens, type Work } from '../sso/client.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const profile = process.env.BENCH_CPU_PROF;

type Side = {
  name: 'app' | 'bare';
  process: ChildProcess;
  ready: Ready;
  port: number;
  tokens: Tokens[];
  alive: number[];
  ask<T>(m: object, answer: string): Promise<T>;
  /** The process's CPU time so far (user + system, ms). */
  cpuMs(): Promise<number>;
};
/** A load, and the CPU time the server process spent per expected answer in it (ms). */
type Measured = Load & { cpuPerRequest: number };

async function start(name: Side['name']): Promise<Side> {
  const { process: child, ask, ready } = await startBenchChild<Ready>('sso', [name, String(connections)]);
  const side: Side = {
    name,
    process: child,
    ready,
    port: Number(new URL(ready.base).port),
    tokens: [],
    alive: [],
    ask,
    cpuMs: async () => {
      const { usage } = await ask<{ usage: NodeJS.CpuUsage }>({ type: 'cpu' }, 'cpu');
      return (usage.user + usage.system) / 1000;
    },
  };
  try {
    // Each connection's tokens by the authorization-code flow (one browser each).
    for (let c = 0; c < connections; c++) side.tokens.push(await codeFlow(ready, ready.cookies[c]));
  } catch (e) {
    await stop(side);
    throw e;
  }
  side.alive = side.tokens.map((_, c) => c);
  return side;
}

const stop = (side: Side | undefined) => stopBenchChild(side);

const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth };
const json = (body: string) => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** The three loads, on one side's tokens. */
const WORK: Record<'refresh' | 'userinfo' | 'introspection', (side: Side) => Work> = {
  refresh: (side) => ({
    next: (c) => ({ method: 'POST', path: '/oidc/token', headers: form, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: side.tokens[c]!.refresh }).toString() }),
    answer(c, status, body) {
      const t = json(body);
      if (status !== 200 || typeof t.refresh_token !== 'string' || typeof t.access_token !== 'string' || typeof t.id_token !== 'string') return false;
      side.tokens[c] = { refresh: t.refresh_token, access: t.access_token };
      return true;
    },
  }),
  userinfo: (side) => ({
    next: (c) => ({ method: 'GET', path: '/oidc/userinfo', headers: { authorization: `Bearer ${side.tokens[c]!.access}` } }),
    answer: (_c, status, body) => status === 200 && typeof json(body).given_name === 'string',
  }),
  introspection: (side) => ({
    next: (c) => ({ method: 'POST', path: '/oidc/token/introspection', headers: form, body: new URLSearchParams({ token: side.tokens[c]!.access, token_type_hint: 'access_token' }).toString() }),
    answer: (_c, status, body) => status === 200 && json(body).active === true,
  }),
};
type Kind = keyof typeof WORK;

async function run(side: Side, kind: Kind, time = seconds, round?: number): Promise<Measured> {
  const profiled = profile !== undefined && round !== undefined;
  if (profiled) await side.ask({ type: 'profile-start' }, 'profile-started');
  const before = await side.cpuMs();
  const l = await load(side.port, side.alive, time, WORK[kind](side), `${side.name} ${kind}`);
  const cpu = (await side.cpuMs()) - before;
  if (profiled) await side.ask({ type: 'profile-stop', file: path.resolve(profile, `sso-${side.name}-${kind}-${round + 1}.cpuprofile`) }, 'profile-stopped');
  if (l.stopped.length) side.alive = side.alive.filter((c) => !l.stopped.includes(c));
  return { ...l, cpuPerRequest: cpu / Math.max(1, l.requests - l.errors) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const scenario: Scenario = {
  name: 'sso',
  description: 'single sign-on over HTTP: refresh_token grants, userinfo and introspection per second (and p99) next to a bare oidc-provider with its in-memory adapter',
  async run() {
    let app: Side | undefined;
    let bare: Side | undefined;
    const figures: Record<string, Figure | string | number> = {};
    try {
      app = await start('app');
      bare = await start('bare');
      figures.database = app.ready.database!;
      figures['ID token signing'] = `${app.ready.signing} / ceiling ${bare.ready.signing}`;
      figures.connections = connections;
      figures['rounds × seconds'] = `${rounds} × ${seconds}`;

      // A short warm-up of every path on both sides (not counted).
      for (const kind of Object.keys(WORK) as Kind[]) for (const side of [app, bare]) await run(side, kind, Math.min(1, seconds));

      const runs = Object.fromEntries((Object.keys(WORK) as Kind[]).map((k) => [k, { app: [] as Measured[], bare: [] as Measured[] }])) as Record<Kind, { app: Measured[]; bare: Measured[] }>;
      for (let r = 0; r < rounds; r++) {
        // Alternating which side goes first.
        runs.refresh.app.push(await run(app, 'refresh', seconds, r));
        runs.refresh.bare.push(await run(bare, 'refresh', seconds, r));
        runs.userinfo.bare.push(await run(bare, 'userinfo', seconds, r));
        runs.userinfo.app.push(await run(app, 'userinfo', seconds, r));
        runs.introspection.app.push(await run(app, 'introspection', seconds, r));
        runs.introspection.bare.push(await run(bare, 'introspection', seconds, r));
      }
      const figure = (name: string, latency: string, cpu: string, kind: Kind) => {
        const a = runs[kind].app;
        const b = runs[kind].bare;
        const errors = (ls: Load[]) => ls.reduce((s, l) => s + l.errors, 0);
        const note = errors(a) || errors(b) ? ` (errors: ${errors(a)}/${errors(b)})` : '';
        figures[name] = {
          value: median(a.map((l) => l.rate)),
          ceiling: median(b.map((l) => l.rate)),
          ceilingName: 'bare oidc-provider, in memory',
          unit: '/s',
          goal: 'measured',
          rounds: a.map((l, i) => `${l.rate.toFixed(0)}/${b[i]!.rate.toFixed(0)}`).join(', ') + note,
        };
        figures[latency] = {
          value: median(a.map((l) => l.p99)),
          ceiling: median(b.map((l) => l.p99)),
          ceilingName: 'bare oidc-provider p99',
          unit: 'ms',
          goal: 'measured',
          lowerIsBetter: true,
          rounds: a.map((l, i) => `${l.p99.toFixed(1)}/${b[i]!.p99.toFixed(1)}`).join(', ') + ` (p50 ${median(a.map((l) => l.p50)).toFixed(1)}/${median(b.map((l) => l.p50)).toFixed(1)} ms)`,
        };
        // The server process's own CPU time per answer (not the database's): steadier than the
        // rates on a shared machine.
        figures[cpu] = {
          value: median(a.map((l) => l.cpuPerRequest)),
          ceiling: median(b.map((l) => l.cpuPerRequest)),
          ceilingName: 'bare oidc-provider',
          unit: 'ms',
          goal: 'measured',
          lowerIsBetter: true,
          rounds: a.map((l, i) => `${l.cpuPerRequest.toFixed(2)}/${b[i]!.cpuPerRequest.toFixed(2)}`).join(', '),
        };
      };
      figure('refresh_token grants/s (POST /oidc/token)', 'refresh_token grant p99', 'CPU per refresh (server process)', 'refresh');
      figure('userinfo/s (GET /oidc/userinfo, bearer)', 'userinfo p99', 'CPU per userinfo (server process)', 'userinfo');
      figure('introspection/s (access token)', 'introspection p99', 'CPU per introspection (server process)', 'introspection');
      return figures;
    } finally {
      await stop(app);
      await stop(bare);
    }
  },
};
