// The fault suite's cluster: web and worker processes as real children
// (`node --import tsx src/main.ts web|worker`) on a schema of their own (DATABASE_SCHEMA),
// a private Redis, a fake signed-JSON SMS gateway, nginx — all on 127.0.0.1, free ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SECRET_KEY = 'fault-suite-secret-key-0123456789-abcdef';
export const GATEWAY_SECRET = 'fault-suite-gateway-secret';

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; throws with `what` after `limitMs` (a bound, not a measurement). */
export async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 120_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`still not true after ${limitMs / 1000} s: ${what}`);
    await sleep(250);
  }
}

/**
 * A fake SMS gateway honouring the contract of docs/sms-http-gateway.md: it delivers once per
 * idempotency key. `mode`: `ok`, `down` (503), `hang` (never answers), `slow` (answers after 0.6 s, within SMS_TIMEOUT_MS).
 */
export async function fakeGateway() {
  const delivered = new Map<string, number>();
  let requests = 0;
  let repeats = 0;
  let pending = 0;
  const state = { mode: 'ok' as 'ok' | 'down' | 'hang' | 'slow' };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests += 1;
      const key = String(req.headers['idempotency-key'] ?? '');
      const mode = state.mode;
      if (mode === 'down') return void res.writeHead(503).end('{"error":"down"}');
      if (mode === 'hang') {
        pending += 1;
        req.socket.on('close', () => (pending -= 1));
        return;
      }
      const answer = () => {
        // A repeated key is acknowledged without a second delivery (the contract's dedupe);
        // repeats are counted to show how often a retry reached a gateway that had it.
        if (delivered.has(key)) repeats += 1;
        delivered.set(key, 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `g-${key}` }));
      };
      if (mode === 'slow') {
        pending += 1;
        setTimeout(() => {
          pending -= 1;
          answer();
        }, 600);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    state,
    delivered,
    get requests() {
      return requests;
    },
    get pending() {
      return pending;
    },
    get repeats() {
      return repeats;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A TCP proxy to PostgreSQL for the cluster's processes: `down()` cuts every connection and
 * refuses new ones (a database restart or failover as the processes see it), `up()` listens
 * again on the same port.
 */
export async function databaseProxy(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const targetPort = Number(target.port || 5432);
  const sockets = new Set<Socket>();
  let server: NetServer | undefined;
  let port = 0;
  const up = async () => {
    server = createNetServer((client) => {
      const upstream = connect(targetPort, target.hostname);
      sockets.add(client);
      sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      for (const s of [client, upstream]) {
        s.on('error', close);
        s.on('close', close);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };
  await up();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), up, down };
}

/**
 * Fake registries speaking the http adapters' wire format (src/registries/http.ts) for the
 * people in `civil`; `state.civilDown` makes the civil registry answer 503.
 */
export async function fakeRegistries(civil: Record<string, object>) {
  const state = { civilDown: false, civilCalls: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const input = JSON.parse(body || '{}') as { nationalCode?: string };
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/civil/persons/lookup') {
        state.civilCalls += 1;
        if (state.civilDown) return json(503, { error: 'down' });
        const person = civil[input.nationalCode ?? ''];
        return person ? json(200, person) : json(404, {});
      }
      if (req.url === '/mobile/ownership') return json(200, { matched: true, requiresBranchVisit: false });
      if (req.url === '/insurance/insured/search') return json(200, { records: [] });
      json(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    env: {
      REGISTRY_MODE: 'http',
      CIVIL_REGISTRY_URL: `${base}/civil`,
      MOBILE_OWNERSHIP_URL: `${base}/mobile`,
      INSURANCE_RECORDS_URL: `${base}/insurance`,
      // Required with REGISTRY_MODE=http (doctors' registration); no fault scenario asks it.
      MEDICAL_COUNCIL_URL: `${base}/medical-council`,
      REGISTRY_TIMEOUT_MS: '1000',
      REGISTRY_RETRIES: '0',
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A private Redis (the machine's shared one must not be stopped): killed and restarted at will. */
export async function privateRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until('redis answers', async () => {
      const { Redis } = await import('ioredis');
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 15_000);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

export type Proc = {
  role: 'web' | 'worker';
  child: ChildProcess;
  port: number;
  output: () => string;
  alive: () => boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Starts `node --import tsx src/main.ts <role>` with the cluster's environment. */
export function startProcess(role: 'web' | 'worker', env: Record<string, string>, port: number): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts'), role], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { role, child, port, output: () => out, alive: () => child.exitCode === null && child.signalCode === null, exited };
}

/** The environment every process of one cluster shares (what must be identical everywhere). */
export function clusterEnv(options: { databaseUrl: string; schema: string; redisUrl: string; gatewayUrl: string }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SECRET_KEY,
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: options.schema,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: options.redisUrl,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-faults-')),
    LOG_LEVEL: 'info',
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: options.gatewayUrl,
    SMS_HTTP_SECRET: GATEWAY_SECRET,
    SMS_TIMEOUT_MS: '1000',
    SMS_RETRY_DELAY_SECONDS: '1',
    SMS_RETRY_DELAY_MAX_SECONDS: '4',
    SMS_RETRY_LIMIT: '30',
    WORKER_BATCH_SIZE: '10',
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    SHUTDOWN_TIMEOUT_SECONDS: '20',
    // Verification at once, re-asking a registry that is down every few seconds.
    VERIFICATION_DELAY_SECONDS: '0',
    VERIFICATION_RETRY_DELAY_SECONDS: '1',
    VERIFICATION_RETRY_DELAY_MAX_SECONDS: '4',
    // The code step is covered elsewhere; registrations here go straight to their details.
    REGISTRATION_MOBILE_CODE: 'false',
    VERIFICATION_BRANCH_VISIT: 'none',
  };
}

export const newSchema = () => `test_${randomBytes(5).toString('hex')}`;

/** GET a path of a process; the status (0 when nothing answers). */
export async function statusOf(port: number, urlPath: string): Promise<number> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

export async function stopProcess(p: Proc | undefined): Promise<void> {
  if (!p || !p.alive()) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
