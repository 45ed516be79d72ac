// The service's side of the single sign-on bench (in the parent process): the
// authorization-code flow over HTTP that gets a service its tokens, and the load: a fixed
// number of connections, each sending one request after another (one kept-alive socket
// each, like autocannon's connections), where each connection has its own state — a
// rotated refresh token must be replaced by the one its answer brings, which autocannon's
// per-request context cannot carry from one answer to the next request.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

/** The one service of the bench (the same on both sides). */
export const BENCH_CLIENT = { clientId: 'bench-service', secret: 'bench-service-secret-0123456789-abcdefghijkl' } as const;
/** What the service asks for: the ID token and the profile claims (no offline_access). */
export const BENCH_SCOPE = 'openid profile';

/** What a child answers when it is ready. */
export type Ready = {
  type: 'ready';
  /** The issuer (PUBLIC_URL on the app side). */
  base: string;
  redirectUri: string;
  /** One browser (portal cookie) per connection on the app side; none on the bare side. */
  cookies: string[];
  database?: string;
  signing: string;
};

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded). */
export const basicAuth = `Basic ${Buffer.from(`${encodeURIComponent(BENCH_CLIENT.clientId)}:${encodeURIComponent(BENCH_CLIENT.secret)}`).toString('base64')}`;

export type Tokens = { access: string; refresh: string };

/**
 * The authorization-code flow with PKCE as a browser and a service do it: /oidc/auth, the
 * redirects (the portal's sign-in answers at once for a signed-in browser; the bare
 * provider's interaction page signs in and grants), the code at the redirect URI, then the
 * code exchanged at the token endpoint with client_secret_basic.
 */
export async function codeFlow(ready: Ready, cookie?: string): Promise<Tokens> {
  const jar = new Map<string, string>();
  if (cookie) {
    const [k, v] = cookie.split('=') as [string, string];
    jar.set(k, v);
  }
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  let url = new URL('/oidc/auth', ready.base);
  url.search = new URLSearchParams({
    client_id: BENCH_CLIENT.clientId,
    response_type: 'code',
    redirect_uri: ready.redirectUri,
    scope: BENCH_SCOPE,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let code: string | null = null;
  for (let hop = 0; hop < 10 && code === null; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const i = pair.indexOf('=');
      if (pair.slice(i + 1) === '') jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const location = res.headers.get('location');
    const body = await res.text();
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`authorization: ${res.status} at ${url.pathname}: ${body.slice(0, 300)}`);
    url = new URL(location, url);
    if (url.href.startsWith(ready.redirectUri)) {
      if (url.searchParams.get('state') !== state) throw new Error(`authorization: ${url.search}`);
      code = url.searchParams.get('code');
      if (!code) throw new Error(`authorization refused: ${url.search}`);
    }
  }
  if (!code) throw new Error('authorization: too many redirects');
  const res = await fetch(new URL('/oidc/token', ready.base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: ready.redirectUri, code_verifier: verifier }).toString(),
  });
  const answer = (await res.json()) as { access_token?: string; refresh_token?: string };
  if (res.status !== 200 || !answer.access_token || !answer.refresh_token) throw new Error(`code exchange: ${res.status} ${JSON.stringify(answer)}`);
  return { access: answer.access_token, refresh: answer.refresh_token };
}

export type Shot = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };
/**
 * A connection's next request, and what it makes of the answer: true when the answer is the
 * expected one (a 2xx status is not enough: introspection says `active: false` with 200).
 */
export type Work = { next(connection: number): Shot; answer(connection: number, status: number, body: string): boolean };
export type Load = { rate: number; p50: number; p99: number; requests: number; errors: number; statuses: Record<string, number>; stopped: number[] };

function send(agent: Agent, port: number, shot: Shot): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent, method: shot.method, path: shot.path, headers: shot.body === undefined ? shot.headers : { ...shot.headers, 'content-length': Buffer.byteLength(shot.body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(shot.body);
  });
}

const percentile = (sorted: Float64Array, p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);

/**
 * One loop per connection (numbers of the connections' state) for `seconds`, each on its own kept-alive socket, one request at a time.
 * Requests in flight when the time is up are awaited (a refresh token they rotate must not be
 * lost) and counted. Rate: expected answers per second; latency in ms over all requests.
 * A connection whose answer is not the expected one stops (its refresh token may be gone).
 */
export async function load(port: number, connections: number[], seconds: number, work: Work, label: string): Promise<Load> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const stopped: number[] = [];
  await Promise.all(
    connections.map(async (c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (performance.now() < deadline) {
          const shot = work.next(c);
          const t = performance.now();
          let status = 0;
          let body = '';
          try {
            ({ status, body } = await send(agent, port, shot));
          } catch (e) {
            statuses[(e as NodeJS.ErrnoException).code ?? 'error'] = (statuses[(e as NodeJS.ErrnoException).code ?? 'error'] ?? 0) + 1;
            failures++;
            stopped.push(c);
            return;
          }
          latencies.push(performance.now() - t);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (work.answer(c, status, body)) ok++;
          else {
            failures++;
            if (failures <= 3) console.warn(`  ! ${label}: ${status} ${body.slice(0, 200)}`);
            stopped.push(c);
            return;
          }
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  if (failures) console.warn(`  ! ${label}: statuses ${JSON.stringify(statuses)}, ${failures} unexpected answers; connections stopped: ${stopped.length}`);
  const sorted = Float64Array.from(latencies).sort();
  return { rate: ok / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), requests: latencies.length, errors: failures, statuses, stopped };
}
