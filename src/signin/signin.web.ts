// Sign-in for pages that hold their own form (the sign-in page here, the OpenID Connect
// login interaction of the SSO capability): checks the credentials, replaces any
// current session with a new one and sets the cookie.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Result } from '../identity/result.js';
import type { Platform } from '../platform.js';
import type { Failure } from '../shared/failure.js';
import { clientIp } from '../web/http.js';
import { setSessionCookie } from './session.hooks.js';
import type { SignedIn } from './signin.service.js';

export const userAgentOf = (request: FastifyRequest): string | null => {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua !== '' ? ua.slice(0, 200) : null;
};

/** Finishes a successful sign-in in the browser: the old session (if any) ends, the new cookie is set. */
export async function startWebSession(platform: Pick<Platform, 'config' | 'sessions'>, request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn) {
  if (request.signedIn) await platform.sessions.end(request.signedIn.sessionId, 'replaced');
  setSessionCookie(platform, reply, signedIn.session);
}

/**
 * Username + password from a form body (`username`, `password`). On success the browser
 * is signed in; `requiredActions` says whether the password change must come first.
 */
export async function signInWithForm(
  platform: Pick<Platform, 'config' | 'sessions' | 'signin'>,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Record<string, unknown>,
): Promise<Result<SignedIn, Failure>> {
  const result = await platform.signin.signIn(
    { username: body.username, password: body.password, captcha: body.captcha },
    { ip: clientIp(request), lang: request.lang, userAgent: userAgentOf(request), kind: 'web' },
  );
  if (result.ok) await startWebSession(platform, request, reply, result.value);
  return result;
}
