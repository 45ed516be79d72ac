// Browser routes of signing in and out, the one-time code, and the registration guide.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { STATUS_OF, type Failure } from '../shared/failure.js';
import { typedOnPersianKeyboard } from '../identity/password.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import type { MessageKey } from '../messages/index.js';
import { clearSessionCookie, safeNext } from './session.hooks.js';
import type { SignedIn } from './signin.service.js';
import { CodeEnterPage, CodeProblemPage, CodeStartPage, GuidePage, SignInPage } from './signin.page.js';
import { signInWithForm, startWebSession, userAgentOf } from './signin.web.js';

const NOTICES: Record<string, MessageKey> = { signed_out: 'signin.signed_out', session_ended: 'signin.session_ended' };

/**
 * Signing out of the portal in a browser signs it out of the services it opened through the
 * portal: this browser's single sign-on session ends and those services get a back-channel
 * logout. Other browsers of the person keep theirs (their portal sessions go on too). Never
 * fails the sign-out: an unreachable service or a database error is only logged.
 */
export async function endSingleSignOn(platform: Pick<Platform, 'sso'>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    const ended = await platform.sso.endBrowserSession(request.raw, reply.raw);
    if (ended.sessions > 0) request.log.info(ended, 'single sign-on ended with the portal session');
  } catch (err) {
    request.log.warn({ err }, 'ending the single sign-on session failed');
  }
}

/** Where a browser goes after signing in: the forced change first, else where it was going. */
export function afterSignIn(signedIn: SignedIn, next: string | undefined): string {
  if (signedIn.requiredActions.includes('change_password')) {
    return next ? `/account/password?next=${encodeURIComponent(next)}` : '/account/password';
  }
  return next ?? '/account';
}

/** The services this plugin uses (it receives only these). */
export const SIGNIN_ROUTES_SERVICES = ['config', 'sessions', 'signin', 'sso'] as const;

export const signinRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof SIGNIN_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.signin;
  const retryAfter = (reply: FastifyReply, f: Failure) => {
    if (f.retryAfterSeconds !== undefined) reply.header('retry-after', String(f.retryAfterSeconds));
  };
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang, userAgent: userAgentOf(request), kind: 'web' as const });

  app.get<{ Querystring: { next?: string; notice?: string; reauth?: string } }>('/signin', async (request, reply) => {
    const next = safeNext(request.query.next);
    // `reauth`: a signed-in person proves it is them again (adding a passkey needs a recent sign-in).
    const reauth = request.query.reauth === '1';
    if (request.signedIn && !reauth) return reply.redirect(next ?? '/account', 303);
    const notice = reauth ? 'passkeys.reauth_notice' : request.query.notice ? NOTICES[request.query.notice] : undefined;
    return sendPage(reply, SignInPage({ ctx: ctxOf(request, reply), values: {}, errors: {}, notice, next }));
  });

  app.post('/signin', async (request, reply) => {
    const body = bodyOf(request);
    const next = safeNext(body.next);
    const result = await signInWithForm(platform, request, reply, body);
    if (result.ok) return reply.redirect(afterSignIn(result.value, next), 303);
    retryAfter(reply, result.error);
    const values = { username: typeof body.username === 'string' ? body.username : '' };
    return sendPage(
      reply,
      SignInPage({
        ctx: ctxOf(request, reply),
        values,
        errors: signInErrors(result.error, body.password),
        errorParams: result.error.params,
        next,
        captcha: result.error.code === 'signin.captcha_required',
        triesLeft: (result.error as { remainingTries?: number }).remainingTries,
      }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get<{ Querystring: { next?: string } }>('/signin/code', async (request, reply) =>
    sendPage(reply, CodeStartPage({ ctx: ctxOf(request, reply), values: {}, errors: {}, next: safeNext(request.query.next) })),
  );

  app.post('/signin/code', async (request, reply) => {
    const body = bodyOf(request);
    const next = safeNext(body.next);
    const result = await service.startCode(body, meta(request));
    if (result.ok) return reply.redirect(`/signin/code/${result.value.flowId}${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
    retryAfter(reply, result.error);
    const values = { username: typeof body.username === 'string' ? body.username : '' };
    return sendPage(
      reply,
      CodeStartPage({ ctx: ctxOf(request, reply), values, errors: formErrors(result.error), errorParams: result.error.params, next }),
      STATUS_OF[result.error.kind],
    );
  });

  const ttlMinutes = Math.ceil(platform.config.signin.codeTtlSeconds / 60);

  app.get<{ Params: { flowId: string }; Querystring: { next?: string } }>('/signin/code/:flowId', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const flow = await service.codeFlow(request.params.flowId);
    if (!flow) return sendPage(reply, CodeProblemPage({ ctx, message: 'signin.code_flow_expired' }), 404);
    return sendPage(reply, CodeEnterPage({ ctx, flowId: request.params.flowId, errors: {}, ttlMinutes, next: safeNext(request.query.next), sending: flow.sending }));
  });

  app.post<{ Params: { flowId: string } }>('/signin/code/:flowId', async (request, reply) => {
    const body = bodyOf(request);
    const next = safeNext(body.next);
    const result = await service.verifyCode(request.params.flowId, body, meta(request));
    if (result.ok) {
      await startWebSession(platform, request, reply, result.value);
      return reply.redirect(afterSignIn(result.value, next), 303);
    }
    const ctx = ctxOf(request, reply);
    retryAfter(reply, result.error);
    if (result.error.kind === 'invalid') {
      return sendPage(reply, CodeEnterPage({ ctx, flowId: request.params.flowId, errors: formErrors(result.error), ttlMinutes, next }), 400);
    }
    return sendPage(reply, CodeProblemPage({ ctx, message: result.error.code, errorParams: result.error.params }), STATUS_OF[result.error.kind]);
  });

  app.post('/signout', async (request, reply) => {
    if (request.signedIn) await platform.sessions.end(request.signedIn.sessionId, 'signed_out');
    await endSingleSignOn(platform, request, reply);
    clearSessionCookie(platform, reply);
    return reply.redirect('/signin?notice=signed_out', 303);
  });

  app.get('/help/registration', async (request, reply) => sendPage(reply, GuidePage({ ctx: ctxOf(request, reply) })));
};

/**
 * The errors of a refused sign-in for the form: a password typed on a Persian keyboard can
 * never be right (passwords are Latin), so saying so tells nothing about the account.
 */
export function signInErrors(failure: Failure, password: unknown) {
  const errors = formErrors(failure);
  if (failure.code === 'signin.invalid_credentials' && typedOnPersianKeyboard(password)) errors.password = 'signin.persian_keyboard';
  return errors;
}
