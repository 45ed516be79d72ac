// The edge of every request, before any capability sees it: hostile bytes refused with a
// localised 400, the cookie names of an https portal (`__Host-`), the Permissions-Policy,
// `Cache-Control: no-store` on personal answers, and who may read /metrics.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { ErrorPage } from './error.page.js';
import { ctxOf, sendPage } from './http.js';
import { t } from './i18n.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app as registered (method, URL pattern): the fuzz tests walk it. */
    routeTable: { method: string; url: string }[];
  }
}

/**
 * Browser features no page of the portal uses are off; passkeys (WebAuthn) are allowed for
 * this origin only.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()', 'ambient-light-sensor=()', 'autoplay=()', 'battery=()', 'bluetooth=()', 'camera=()',
  'display-capture=()', 'document-domain=()', 'encrypted-media=()', 'fullscreen=()', 'gamepad=()', 'geolocation=()',
  'gyroscope=()', 'hid=()', 'idle-detection=()', 'interest-cohort=()', 'local-fonts=()', 'magnetometer=()',
  'microphone=()', 'midi=()', 'payment=()', 'picture-in-picture=()', 'screen-wake-lock=()', 'serial=()',
  'usb=()', 'web-share=()', 'xr-spatial-tracking=()',
  'publickey-credentials-get=(self)', 'publickey-credentials-create=(self)',
].join(', ');

/** Answers with personal data: never kept by a browser or a shared cache. */
export function isPersonalPath(path: string): boolean {
  return (
    path === '/api/v1/me' || path.startsWith('/api/v1/me/') ||
    path === '/api/v1/session' || path.startsWith('/api/v1/session/') ||
    path === '/account' || path.startsWith('/account/') ||
    path === '/backoffice' || path.startsWith('/backoffice/')
  );
}

/** The portal's own cookies; on an https portal the browser holds them as `__Host-<name>`. */
export const HOST_PREFIXED_COOKIES = ['dargah_session', '_csrf', 'bo_session', 'lang'] as const;
const PREFIX = '__Host-';

/**
 * One Set-Cookie value with the `__Host-` prefix on a portal cookie: the prefix needs
 * `Secure`, `Path=/` and no `Domain`, which the browser then enforces (no subdomain or
 * plain-http page can plant or overwrite it). Other cookies pass unchanged.
 */
export function hostPrefixed(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  const name = eq > 0 ? setCookie.slice(0, eq).trim() : '';
  if (!(HOST_PREFIXED_COOKIES as readonly string[]).includes(name)) return setCookie;
  const attrs = setCookie
    .slice(eq)
    .split(';')
    .filter((a, i) => i === 0 || !/^\s*(path|domain|secure)\s*(=|$)/i.test(a));
  return `${PREFIX}${name}${attrs.join(';')}; Path=/; Secure`;
}

const rewriteAll = (value: unknown): unknown =>
  Array.isArray(value) ? value.map((v) => hostPrefixed(String(v))) : typeof value === 'string' ? hostPrefixed(value) : value;

/** Limits of any single value of a query string, route parameter or body. */
const MAX_QUERY_VALUE = 2000;
const MAX_BODY_VALUE = 10_000;
const MAX_OIDC_QUERY_VALUE = 16_000;
const MAX_DEPTH = 8;
// NUL and other C0/C1 controls; tabs and line breaks only where free text may have them (bodies).
// eslint-disable-next-line no-control-regex
const CONTROL_STRICT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Whether a value is hostile: a control character, a broken surrogate, or too long
 * (`maxLength`; by default 2,000 characters in a query or parameter, 10,000 in a body).
 */
export function hostile(value: unknown, where: 'query' | 'body', depth = 0, maxLength = where === 'query' ? MAX_QUERY_VALUE : MAX_BODY_VALUE): boolean {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return false;
  if (typeof value === 'string') {
    if (value.length > maxLength) return true;
    if (!value.isWellFormed()) return true;
    return (where === 'query' ? CONTROL_STRICT : CONTROL_TEXT).test(value);
  }
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.length > 100 || value.some((v) => hostile(v, where, depth + 1, maxLength));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 200) return true;
    return entries.some(([k, v]) => hostile(k, 'query', depth + 1) || hostile(v, where, depth + 1, maxLength));
  }
  return false;
}

/**
 * A PostgreSQL error caused by a value of the request: a "data exception" (SQLSTATE class
 * 22: bad encoding, NUL, value too long, bad number or date) or 54000 (e.g. a value too
 * large for an index row).
 */
export const isDataException = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^22[0-9A-Z]{3}$/.test(code) || code === '54000');
};

const sameSecret = (a: string, b: string) => {
  // Hash first: the comparison takes the same time whatever the lengths.
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/** /metrics: with METRICS_TOKEN only to `Authorization: Bearer <token>`; without it, refused in production. */
export function metricsAccess(config: Pick<Config, 'metricsToken' | 'production'>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = config.metricsToken;
    if (token === undefined) {
      if (config.production) return reply.status(404).send({ error: { code: 'request.not_found', message: t(request.lang, 'request.not_found') } });
      return;
    }
    const h = request.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !sameSecret(m[1]!, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ error: { code: 'request.unauthorized', message: t(request.lang, 'request.invalid') } });
    }
  };
}

/** Installs the edge hooks on the root instance: call right after the cookie plugin. */
export function installEdge(app: FastifyInstance, config: Pick<Config, 'publicUrl'>) {
  const routes: { method: string; url: string }[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? route.path });
  });

  const https = config.publicUrl.startsWith('https:');
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    raw.setHeader('permissions-policy', PERMISSIONS_POLICY);
    if (!https) return done();
    // Only the prefixed cookie counts: a plain `dargah_session` planted by a sibling host is dropped.
    const jar = request.cookies as Record<string, string | undefined>;
    for (const name of HOST_PREFIXED_COOKIES) {
      const held = jar[`${PREFIX}${name}`];
      delete jar[name];
      delete jar[`${PREFIX}${name}`];
      if (held !== undefined) jar[name] = held;
    }
    // Answers written past Fastify (the OpenID provider's own) get the same names.
    const setHeader = raw.setHeader.bind(raw);
    raw.setHeader = ((name: string, value: number | string | readonly string[]) =>
      setHeader(name, name.toLowerCase() === 'set-cookie' ? (rewriteAll(value) as string[]) : value)) as ServerResponse['setHeader'];
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (https) {
      const set = reply.getHeader('set-cookie');
      if (set !== undefined) reply.header('set-cookie', rewriteAll(set) as string[]);
    }
    if (isPersonalPath(request.url.split('?')[0] ?? '/')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  // Hostile bytes (NUL, control characters, broken UTF-16, overlong values) in the query,
  // the route parameters or the body never reach a capability, SQL or a header.
  app.addHook('preValidation', async (request, reply) => {
    // The OpenID provider reads its own body; its query may carry signed request objects and ID token hints.
    const oidc = request.url.startsWith('/oidc/');
    const body = oidc ? undefined : request.body;
    const queryLimit = oidc ? MAX_OIDC_QUERY_VALUE : MAX_QUERY_VALUE;
    if (!hostile(request.query, 'query', 0, queryLimit) && !hostile(request.params, 'query', 0, queryLimit) && !hostile(body, 'body')) return;
    request.log.info({ route: request.routeOptions.url }, 'request refused: hostile bytes');
    if (request.url.startsWith('/api/')) {
      return reply.status(400).send({ error: { code: 'request.bad_characters', message: t(request.lang, 'request.bad_characters') } });
    }
    return sendPage(reply, ErrorPage({ ctx: ctxOf(request, reply), message: t(request.lang, 'request.bad_characters') }), 400);
  });
}
