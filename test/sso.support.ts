// Test support for single sign-on: the app listening on 127.0.0.1 with PUBLIC_URL (the
// issuer) on the same port, accounts made directly in the database, a cookie-keeping
// HTTP agent for the person, and small relying-party servers for back-channel logout.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nationalCodeWithCheckDigit } from '../src/identity/nationalCode.js';
import type { Platform } from '../src/platform.js';
import { createTestEnv, type TestEnv } from './support.js';

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export type SsoTestEnv = TestEnv & { issuer: string };

export async function createSsoTestEnv(options: Parameters<typeof createTestEnv>[0] = {}): Promise<SsoTestEnv> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const env = await createTestEnv({ ...options, env: { PUBLIC_URL: issuer, ...options.env } });
  await env.app.listen({ port, host: '127.0.0.1' });
  return { ...env, issuer };
}

let serial = 100_000;
export type TestAccount = { id: string; nationalCode: string; password: string; mobile: string };

/** An account straight in the table (active unless told otherwise). */
export async function addAccount(
  platform: Platform,
  o: { status?: 'active' | 'pending_verification'; mustChangePassword?: boolean; permissions?: string[]; password?: string } = {},
): Promise<TestAccount> {
  serial += 1;
  const nationalCode = nationalCodeWithCheckDigit(`00${String(serial + Math.floor(Math.random() * 8_000_000)).padStart(7, '0')}`)!;
  const password = o.password ?? 'Sso-Test-Passw0rd!x';
  const mobile = `0912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const row = await platform.db
    .insertInto('accounts')
    .values({
      national_code: nationalCode,
      status: o.status ?? 'active',
      origin: 'central',
      first_name: 'زهرا',
      last_name: 'کریمی',
      gender: 'female',
      birth_date: '1990-03-21',
      mobile,
      mobile_operator: 'mci',
      mobile_verified_at: new Date(),
      password_hash: await platform.hasher.hash(password),
      must_change_password: o.mustChangePassword ?? false,
      permissions: o.permissions ?? [],
      activated_at: o.status === 'pending_verification' ? null : new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, nationalCode, password, mobile };
}

/** The person's browser without a browser: keeps cookies, follows nothing by itself. */
export function agent(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  async function request(url: string, init: RequestInit = {}) {
    const res = await fetch(new URL(url, base), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(pair!.slice(0, i));
      else jar.set(pair!.slice(0, i), value);
    }
    const body = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(body);
    if (m) csrf = m[1]!;
    return { status: res.status, location: res.headers.get('location') ?? undefined, body, headers: res.headers };
  }
  return {
    jar,
    get: (url: string) => request(url),
    post: (url: string, form: Record<string, string>, withCsrf = true) =>
      request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...(withCsrf ? { _csrf: csrf } : {}), ...form }).toString(),
      }),
    /** Follows redirects on this portal until one leaves it (or a page answers). */
    async follow(first: { status: number; location?: string | undefined; body: string }) {
      let res = first;
      for (let i = 0; i < 10 && res.status >= 300 && res.status < 400 && res.location; i++) {
        const next = new URL(res.location, base);
        if (next.origin !== new URL(base).origin) return { ...res, left: next };
        res = await request(next.href);
      }
      return { ...res, left: undefined as URL | undefined };
    },
  };
}

/** A relying party's little server: records back-channel logout tokens. */
export async function relyingPartyServer() {
  const logoutTokens: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/backchannel-logout') {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) logoutTokens.push(token);
        res.writeHead(200).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, logoutTokens, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The payload of a JWT (no verification). */
export const jwtPayload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
export const jwtHeader = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
