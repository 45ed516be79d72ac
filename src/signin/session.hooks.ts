// The HTTP side of sessions: the cookie (browsers) or bearer token (API) of every request
// is resolved once; while a required action is pending, nothing but the password change
// and sign-out answers. Other capabilities read the signed-in person through
// `accountFromRequest` (e.g. the OpenID Connect login interaction).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { t } from '../messages/index.js';
import { localPath } from '../web/redirect.js';
import type { NewSession, SignedInAccount } from './sessions.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person of this request (resolved in onRequest), or null. */
    signedIn: SignedInAccount | null;
  }
}

export const SESSION_COOKIE = 'dargah_session';

/** Where a person with a pending required action may still go. */
const PASSWORD_CHANGE_PAGE = '/account/password';
const ALWAYS_OPEN = (method: string, path: string) =>
  path.startsWith('/static/') ||
  path === '/healthz' ||
  path === '/readyz' ||
  path === '/metrics' ||
  path === '/api/openapi.json' ||
  path === PASSWORD_CHANGE_PAGE ||
  (method === 'POST' && path === '/signout') ||
  (method === 'POST' && path === '/api/v1/session/password') ||
  (method === 'DELETE' && path === '/api/v1/session');

const pathOf = (url: string) => url.split('?')[0] ?? '/';

function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m?.[1];
}

/** A local path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) is dropped (web/redirect.ts). */
export const safeNext = localPath;

export function cookieOptions(platform: Pick<Platform, 'config'>) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: platform.config.publicUrl.startsWith('https:'),
  };
}

/** Sets the session cookie of a new web session (no Max-Age: it also ends with the browser). */
export function setSessionCookie(platform: Pick<Platform, 'config'>, reply: FastifyReply, session: NewSession) {
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(platform));
}

export function clearSessionCookie(platform: Pick<Platform, 'config'>, reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(platform));
}

/** The signed-in person of a request, or null. For other capabilities (SSO login, back office). */
export function accountFromRequest(request: FastifyRequest): SignedInAccount | null {
  return request.signedIn ?? null;
}

/** Registers the request hook on the root instance (before the routes). */
export function installSessionHooks(app: FastifyInstance, platform: Pick<Platform, 'config' | 'sessions'>) {
  app.decorateRequest('signedIn', null);
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path.startsWith('/static/')) return;
    const api = path.startsWith('/api/');
    const token = api ? bearerToken(request) : request.cookies?.[SESSION_COOKIE];
    if (!token) return;
    const signedIn = await platform.sessions.resolve(token, api ? 'api' : 'web');
    if (!signedIn) {
      if (!api) clearSessionCookie(platform, reply);
      return;
    }
    request.signedIn = signedIn;
    if (signedIn.requiredActions.length === 0 || ALWAYS_OPEN(request.method, path)) return;
    if (api) {
      return reply.status(403).send({
        error: { code: 'session.password_change_required', message: t(request.lang, 'session.password_change_required') },
      });
    }
    const next = request.method === 'GET' ? safeNext(request.url) : undefined;
    return reply.redirect(next && next !== '/' ? `${PASSWORD_CHANGE_PAGE}?next=${encodeURIComponent(next)}` : PASSWORD_CHANGE_PAGE, 303);
  });
}

/** For page routes: the signed-in person, or a redirect to the sign-in page (then back here). */
export function requirePageSession(request: FastifyRequest, reply: FastifyReply): SignedInAccount | null {
  if (request.signedIn) return request.signedIn;
  const next = request.method === 'GET' ? safeNext(request.url) : undefined;
  void reply.redirect(next ? `/signin?next=${encodeURIComponent(next)}` : '/signin', 303);
  return null;
}
