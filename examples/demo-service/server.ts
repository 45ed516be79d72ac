// A demo service of the organization that signs in through the portal (OpenID Connect,
// code flow + PKCE, openid-client) and shows a contribution payment slip only to people
// whose `permissions` claim has `payment_slip_issue`. Start: `npm run demo-service`
// after registering it (see docs/sso.md):
//   npm run cli -- clients add --id demo-service --redirect-uri http://localhost:4000/callback \
//     --post-logout-redirect-uri http://localhost:4000/ --backchannel-logout-uri http://localhost:4000/backchannel-logout --first-party
//   DEMO_CLIENT_SECRET=<printed secret> npm run demo-service
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';

const PORTAL = process.env.PORTAL_URL ?? 'http://localhost:3000';
const PORT = Number(process.env.DEMO_PORT ?? 4000);
const SELF = process.env.DEMO_URL ?? `http://localhost:${PORT}`;
const CLIENT_ID = process.env.DEMO_CLIENT_ID ?? 'demo-service';
const CLIENT_SECRET = process.env.DEMO_CLIENT_SECRET;
const PERMISSION = 'payment_slip_issue';
if (!CLIENT_SECRET) {
  console.error('DEMO_CLIENT_SECRET is not set (the secret printed by `npm run cli -- clients add`)');
  process.exit(2);
}

type Session = { sub: string; sid?: string; name: string; permissions: string[]; idToken: string };
type Pending = { verifier: string; state: string };
const sessions = new Map<string, Session>();
const pending = new Map<string, Pending>();

const insecure = new URL(PORTAL).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
// The portal accepts only the registered method: client_secret_basic (openid-client defaults to post).
const config = await oidc.discovery(new URL(PORTAL), CLIENT_ID, CLIENT_SECRET, oidc.ClientSecretBasic(CLIENT_SECRET), insecure);

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function page(res: ServerResponse, status: number, title: string, body: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'" });
  res.end(`<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>body{font-family:Vazirmatn,Tahoma,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.8}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4rem}.button{display:inline-block;padding:.5rem 1rem;background:#0b5394;color:#fff;text-decoration:none;border-radius:4px}</style></head>
<body><header><strong>سامانه نمونه خدمات الکترونیک</strong></header><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}
const cookies = (req: IncomingMessage) => Object.fromEntries((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]).filter((p) => p[0]));
const sessionOf = (req: IncomingMessage) => sessions.get(cookies(req).demo_sid ?? '');
const redirect = (res: ServerResponse, to: string, headers: Record<string, string> = {}) => res.writeHead(303, { location: to, ...headers }).end();

/** Verifies a back-channel logout token against the portal's JWKS (signature, iss, aud, event). */
async function verifyLogoutToken(token: string): Promise<{ sub?: string; sid?: string } | undefined> {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return undefined;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const jwks = (await (await fetch(config.serverMetadata().jwks_uri!)).json()) as { keys: { kid: string }[] };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return undefined;
  if (!verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as any, format: 'jwk' }), Buffer.from(s, 'base64url'))) return undefined;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== config.serverMetadata().issuer || !aud.includes(CLIENT_ID)) return undefined;
  if (!claims.events?.['http://schemas.openid.net/event/backchannel-logout'] || claims.nonce !== undefined) return undefined;
  if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > 300) return undefined;
  return { sub: claims.sub, sid: claims.sid };
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', SELF);
    const session = sessionOf(req);
    if (req.method === 'GET' && url.pathname === '/') {
      if (!session) return page(res, 200, 'خوش آمدید', `<p>برای دیدن برگ پرداخت حق بیمه با حساب کاربری مرکزی وارد شوید.</p><p><a class="button" href="/login">ورود با حساب کاربری مرکزی</a></p>`);
      return page(res, 200, `سلام ${session.name}`, `<ul><li><a href="/payment-slip">برگ پرداخت حق بیمه</a></li><li><a href="/logout">خروج</a></li></ul>`);
    }
    if (req.method === 'GET' && url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const key = randomBytes(16).toString('base64url');
      pending.set(key, { verifier, state });
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${SELF}/callback`,
        scope: 'openid profile permissions',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return redirect(res, to.href, { 'set-cookie': `demo_login=${key}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (req.method === 'GET' && url.pathname === '/callback') {
      const p = pending.get(cookies(req).demo_login ?? '');
      if (!p) return redirect(res, '/');
      pending.delete(cookies(req).demo_login!);
      if (url.searchParams.get('error')) return page(res, 403, 'ورود انجام نشد', `<p>ورود لغو شد یا اجازه داده نشد.</p><p><a href="/">بازگشت</a></p>`);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: p.verifier, expectedState: p.state });
      const claims = tokens.claims()!;
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, {
        sub: claims.sub,
        ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
        name: `${info.given_name ?? ''} ${info.family_name ?? ''}`.trim() || 'کاربر',
        permissions: Array.isArray(info.permissions) ? (info.permissions as string[]) : [],
        idToken: tokens.id_token!,
      });
      return redirect(res, '/', { 'set-cookie': `demo_sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (req.method === 'GET' && url.pathname === '/payment-slip') {
      if (!session) return redirect(res, '/login');
      if (!session.permissions.includes(PERMISSION)) {
        return page(res, 403, 'دسترسی ندارید', `<p>مجوز صدور برگ پرداخت حق بیمه برای حساب شما فعال نیست. برای دریافت این مجوز به نزدیک‌ترین شعبه مراجعه کنید.</p><p><a href="/">بازگشت</a></p>`);
      }
      return page(res, 200, 'برگ پرداخت حق بیمه', `<table><tr><th>بیمه‌شده</th><td>${escape(session.name)}</td></tr><tr><th>دوره</th><td>آبان ۱۴۰۵</td></tr><tr><th>مبلغ حق بیمه</th><td>۱۲٬۴۵۰٬۰۰۰ ریال</td></tr><tr><th>شناسه پرداخت</th><td dir="ltr">${escape(session.sub.slice(0, 8).toUpperCase())}-1405-08</td></tr></table><p><a href="/">بازگشت</a></p>`);
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      if (!session) return redirect(res, '/');
      const to = oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: `${SELF}/` });
      sessions.delete(cookies(req).demo_sid!);
      return redirect(res, to.href, { 'set-cookie': 'demo_sid=; Path=/; Max-Age=0' });
    }
    if (req.method === 'POST' && url.pathname === '/backchannel-logout') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const claims = await verifyLogoutToken(new URLSearchParams(body).get('logout_token') ?? '');
      if (!claims) return res.writeHead(400).end();
      for (const [id, s] of sessions) if ((claims.sid && s.sid === claims.sid) || (!claims.sid && s.sub === claims.sub)) sessions.delete(id);
      return res.writeHead(200, { 'cache-control': 'no-store' }).end();
    }
    res.writeHead(404).end('not found');
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    page(res, 500, 'خطا', '<p>مشکلی پیش آمد. دوباره تلاش کنید.</p><p><a href="/">بازگشت</a></p>');
  }
});
server.listen(PORT, '127.0.0.1', () => console.log(`demo service on ${SELF} (portal ${PORTAL})`));
