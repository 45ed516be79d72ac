// Browser routes of the person's own pages (all need a session; see session.hooks).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { passwordMessageParams } from '../identity/password.js';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { requirePageSession, safeNext, setSessionCookie } from '../signin/session.hooks.js';
import type { SignedInAccount } from '../signin/sessions.service.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import type { MessageKey } from '../messages/index.js';
import { EmailPage, MobileCodePage, MobilePage, PasswordPage, ProfilePage, QuestionPage, SessionsPage } from './account.page.js';

const NOTICES: Record<string, MessageKey> = {
  password_changed: 'account.password_changed',
  saved: 'account.saved',
  mobile_changed: 'account.mobile_changed_notice',
  session_ended: 'account.session_ended',
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The services this plugin uses (it receives only these). */
export const ACCOUNT_ROUTES_SERVICES = ['account', 'config', 'doctors', 'sessions', 'sso'] as const;

export const accountRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof ACCOUNT_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.account;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });
  const asker = (s: SignedInAccount) => ({ accountId: s.accountId, sessionId: s.sessionId, authMethod: s.authMethod });
  const passwordParams = passwordMessageParams(service.passwordPolicy);

  app.get<{ Querystring: { notice?: string } }>('/account', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const [profile, doctor] = await Promise.all([service.profile(s.accountId), platform.doctors.summaryOf(s.accountId)]);
    if (!profile) return reply.redirect('/signin', 303);
    const notice = request.query.notice ? NOTICES[request.query.notice] : undefined;
    return sendPage(reply, ProfilePage({ ctx: ctxOf(request, reply), profile, notice, doctor }));
  });

  app.get<{ Querystring: { next?: string } }>('/account/password', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    return sendPage(
      reply,
      PasswordPage({
        ctx: ctxOf(request, reply),
        errors: {},
        problems: [],
        forced: s.requiredActions.includes('change_password'),
        askCurrent: s.authMethod !== 'temporary_password',
        passwordParams,
        next: safeNext(request.query.next),
      }),
    );
  });

  app.post('/account/password', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const next = safeNext(body.next);
    const result = await service.changePassword(asker(s), body, meta(request));
    if (result.ok) {
      // The session continues under a new token: the old cookie no longer signs anyone in.
      if (result.value.rotated) setSessionCookie(platform, reply, result.value.rotated);
      return reply.redirect(next ?? '/account?notice=password_changed', 303);
    }
    return sendPage(
      reply,
      PasswordPage({
        ctx: ctxOf(request, reply),
        errors: formErrors(result.error),
        problems: result.error.fieldDetails?.newPassword ?? [],
        forced: s.requiredActions.includes('change_password'),
        askCurrent: s.authMethod !== 'temporary_password',
        passwordParams,
        next,
      }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get('/account/email', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const profile = await service.profile(s.accountId);
    return sendPage(reply, EmailPage({ ctx: ctxOf(request, reply), values: { email: profile?.email ?? '' }, errors: {} }));
  });

  app.post('/account/email', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const result = await service.changeEmail(s.accountId, body, meta(request));
    if (result.ok) return reply.redirect('/account?notice=saved', 303);
    return sendPage(reply, EmailPage({ ctx: ctxOf(request, reply), values: { email: str(body.email) }, errors: formErrors(result.error) }), STATUS_OF[result.error.kind]);
  });

  app.get('/account/security-question', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const profile = await service.profile(s.accountId);
    return sendPage(reply, QuestionPage({ ctx: ctxOf(request, reply), values: { securityQuestion: profile?.securityQuestion ?? '' }, errors: {} }));
  });

  app.post('/account/security-question', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const result = await service.changeSecurityQuestion(asker(s), body, meta(request));
    if (result.ok) return reply.redirect('/account?notice=saved', 303);
    const values = { securityQuestion: str(body.securityQuestion), securityAnswer: str(body.securityAnswer) };
    return sendPage(reply, QuestionPage({ ctx: ctxOf(request, reply), values, errors: formErrors(result.error) }), STATUS_OF[result.error.kind]);
  });

  app.get('/account/mobile', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const profile = await service.profile(s.accountId);
    return sendPage(reply, MobilePage({ ctx: ctxOf(request, reply), values: {}, errors: {}, current: profile?.mobile ?? null }));
  });

  app.post('/account/mobile', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const result = await service.startMobileChange(asker(s), body, meta(request));
    if (result.ok) return reply.redirect(`/account/mobile/${result.value.flowId}`, 303);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    const profile = await service.profile(s.accountId);
    return sendPage(
      reply,
      MobilePage({ ctx: ctxOf(request, reply), values: { mobile: str(body.mobile) }, errors: formErrors(result.error), errorParams: result.error.params, current: profile?.mobile ?? null }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get<{ Params: { flowId: string } }>('/account/mobile/:flowId', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const flow = await service.mobileChangeFlow(s.accountId, request.params.flowId);
    const ctx = ctxOf(request, reply);
    if (!flow) {
      const profile = await service.profile(s.accountId);
      return sendPage(reply, MobilePage({ ctx, values: {}, errors: { _form: 'account.mobile_flow_expired' }, current: profile?.mobile ?? null }), 404);
    }
    return sendPage(reply, MobileCodePage({ ctx, flowId: request.params.flowId, mobile: flow.mobile, errors: {} }));
  });

  app.post<{ Params: { flowId: string } }>('/account/mobile/:flowId', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const { flowId } = request.params;
    const result = await service.confirmMobileChange(asker(s), flowId, bodyOf(request), meta(request));
    if (result.ok) {
      if (result.value.rotated) setSessionCookie(platform, reply, result.value.rotated);
      return reply.redirect('/account?notice=mobile_changed', 303);
    }
    const ctx = ctxOf(request, reply);
    const flow = await service.mobileChangeFlow(s.accountId, flowId);
    if (flow && result.error.kind === 'invalid') {
      return sendPage(reply, MobileCodePage({ ctx, flowId, mobile: flow.mobile, errors: formErrors(result.error) }), 400);
    }
    const profile = await service.profile(s.accountId);
    // The flow is over (expired, used): say why on the start page.
    const reason = result.error.fields?.code ?? result.error.code;
    return sendPage(reply, MobilePage({ ctx, values: {}, errors: { _form: reason }, current: profile?.mobile ?? null }), STATUS_OF[result.error.kind]);
  });

  app.get<{ Querystring: { notice?: string } }>('/account/sessions', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const sessions = await platform.sessions.list(s.accountId, s.sessionId);
    const notice = request.query.notice ? NOTICES[request.query.notice] : undefined;
    return sendPage(reply, SessionsPage({ ctx: ctxOf(request, reply), sessions, notice }));
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/end', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const id = request.params.id;
    const valid = /^[0-9a-f-]{36}$/i.test(id) && id !== s.sessionId;
    if (valid && (await platform.sessions.endOwn(s.accountId, id))) return reply.redirect('/account/sessions?notice=session_ended', 303);
    const sessions = await platform.sessions.list(s.accountId, s.sessionId);
    return sendPage(reply, SessionsPage({ ctx: ctxOf(request, reply), sessions, error: 'account.session_not_found' }), 404);
  });

  app.post('/account/sessions/end-others', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    await platform.sessions.endOthers(s.accountId, s.sessionId);
    // The other browsers are signed out of the services they opened too; this one stays.
    try {
      await platform.sso.endSessionsOf(s.accountId, { except: platform.sso.browserSessionId(request.raw, reply.raw) });
    } catch (err) {
      request.log.warn({ err }, 'ending the other single sign-on sessions failed');
    }
    return reply.redirect('/account/sessions?notice=session_ended', 303);
  });
};
