// Browser routes of the back office (/backoffice): its own session cookie (path-scoped,
// short idle timeout), sign-in with password + TOTP, the forced password change, search,
// the person page and its actions, and the lists. HTTP only: rules live in the services.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { STATUS_OF, type Failure } from '../shared/failure.js';
import { t, type MessageKey } from '../messages/index.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import {
  AuditPage,
  ChangePasswordPage,
  DeadSmsPage,
  ForeignNationalPage,
  OverduePage,
  WalkInsPage,
  RejectionsPage,
  PersonPage,
  SearchPage,
  SignInPage,
} from './backoffice.page.js';
import { PERSON_ACTIONS, type BackofficeService, type PersonAction } from './backoffice.service.js';
import { STAFF_SESSION_COOKIE, type StaffService, type StaffSession } from './staff.service.js';
import { REJECTION_RETENTION_DAYS } from '../verification/verification.service.js';
import { StaffOwnPasskeysPage, StaffPasskeysSection, StaffSignInPasskey } from '../passkeys/passkeys.page.js';

/** Success notices a redirect may name (`?done=`); anything else is ignored. */
const DONE: Record<string, MessageKey> = {
  activated: 'backoffice.done.activated',
  rejected: 'backoffice.done.rejected',
  mobile_changed: 'backoffice.done.mobile_changed',
  password_reset: 'backoffice.done.password_reset',
  unlocked: 'backoffice.done.unlocked',
  disabled: 'backoffice.done.disabled',
  enabled: 'backoffice.done.enabled',
  foreign_recorded: 'backoffice.done.foreign_recorded',
  sms_resent: 'backoffice.done.sms_resent',
  passkeys_removed: 'passkeys.staff_removed_all',
};

const ACTION_DONE: Record<PersonAction, string> = {
  activate: 'activated',
  reject: 'rejected',
  mobile: 'mobile_changed',
  'reset-password': 'password_reset',
  unlock: 'unlocked',
  disable: 'disabled',
  enable: 'enabled',
};

/** Only string fields, never passwords, for re-filling a form. */
function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' && k !== '_csrf' && !k.toLowerCase().includes('password') && k !== 'code') out[k] = v;
  }
  return out;
}

const documentsOf = (body: Record<string, unknown>) =>
  (Array.isArray(body.documents) ? body.documents : body.documents === undefined ? [] : [body.documents]).filter((d): d is string => typeof d === 'string');

/** The services this plugin uses (it receives only these). */
export const BACKOFFICE_ROUTES_SERVICES = ['backoffice', 'clock', 'config', 'doctors', 'passkeys', 'staff'] as const;

export const backofficeRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof BACKOFFICE_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const staffService: StaffService = platform.staff;
  const service: BackofficeService = platform.backoffice;
  const settings = platform.config.backoffice;
  const secure = platform.config.publicUrl.startsWith('https:');
  const sessions = new WeakMap<FastifyRequest, StaffSession>();
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request) });

  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(STAFF_SESSION_COOKIE, token, {
      path: '/backoffice',
      httpOnly: true,
      sameSite: 'strict',
      secure,
      // The browser forgets it at the absolute end; the server enforces idle and end anyway.
      maxAge: settings.sessionHours * 3600,
    });
  const clearCookie = (reply: FastifyReply) => reply.clearCookie(STAFF_SESSION_COOKIE, { path: '/backoffice' });

  const open = new Set(['/backoffice/signin', '/backoffice/signin/passkey-options']);

  // Every page but sign-in needs a live staff session; a one-time password must be
  // replaced before anything else.
  app.addHook('preHandler', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/backoffice') || open.has(path)) return;
    const session = await staffService.authenticate(request.cookies[STAFF_SESSION_COOKIE]);
    if (!session) {
      clearCookie(reply);
      return reply.redirect(`/backoffice/signin${request.cookies[STAFF_SESSION_COOKIE] ? '?ended=1' : ''}`, 303);
    }
    sessions.set(request, session);
    if (session.mustChangePassword && path !== '/backoffice/password' && path !== '/backoffice/signout') {
      return reply.redirect('/backoffice/password', 303);
    }
  });

  const staffOf = (request: FastifyRequest) => sessions.get(request)!;

  const problem = (request: FastifyRequest, reply: FastifyReply, failure: Failure) =>
    sendPage(
      reply,
      SearchPage({ ctx: ctxOf(request, reply), staff: staffOf(request), query: '', errors: { _form: failure.code } }),
      STATUS_OF[failure.kind],
    );

  app.get('/backoffice', async (_request, reply) => reply.redirect('/backoffice/search', 303));

  // A passkey may stand in for the TOTP code (the passkeys capability renders its part).
  const passkeyPart = (ctx: ReturnType<typeof ctxOf>) => StaffSignInPasskey({ ctx });

  app.get<{ Querystring: { ended?: string } }>('/backoffice/signin', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    return sendPage(reply, SignInPage({ ctx, values: {}, errors: {}, passkey: passkeyPart(ctx), ...(request.query.ended ? { notice: 'backoffice.session_ended' as const } : {}) }));
  });

  app.post('/backoffice/signin/passkey-options', async (request, reply) => {
    const result = await platform.passkeys.staff.authenticationOptions(meta(request));
    if (!result.ok) {
      return reply.status(STATUS_OF[result.error.kind]).send({ error: { code: result.error.code, message: t(request.lang, result.error.code, result.error.params) } });
    }
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.post('/backoffice/signin', async (request, reply) => {
    const body = bodyOf(request);
    const result = await staffService.signIn(body, meta(request));
    if (result.ok) {
      setCookie(reply, result.value.token);
      return reply.redirect(result.value.mustChangePassword ? '/backoffice/password' : '/backoffice/search', 303);
    }
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    const ctx = ctxOf(request, reply);
    return sendPage(
      reply,
      SignInPage({ ctx, values: { username: typeof body.username === 'string' ? body.username : '' }, errors: formErrors(result.error), errorParams: result.error.params, passkey: passkeyPart(ctx) }),
      STATUS_OF[result.error.kind],
    );
  });

  app.post('/backoffice/signout', async (request, reply) => {
    await staffService.signOut(staffOf(request), meta(request));
    clearCookie(reply);
    return reply.redirect('/backoffice/signin', 303);
  });

  app.get('/backoffice/password', async (request, reply) =>
    sendPage(reply, ChangePasswordPage({ ctx: ctxOf(request, reply), staff: staffOf(request), errors: {}, problems: [], min: staffService.passwordPolicy.minLength, askCurrent: !staffOf(request).mustChangePassword })),
  );

  app.post('/backoffice/password', async (request, reply) => {
    const result = await staffService.changePassword(staffOf(request), bodyOf(request), meta(request));
    if (result.ok) return reply.redirect('/backoffice/search', 303);
    return sendPage(
      reply,
      ChangePasswordPage({
        ctx: ctxOf(request, reply),
        staff: staffOf(request),
        errors: formErrors(result.error),
        problems: result.error.fieldDetails?.newPassword ?? [],
        min: staffService.passwordPolicy.minLength,
        askCurrent: !staffOf(request).mustChangePassword,
      }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get<{ Querystring: { q?: string; done?: string } }>('/backoffice/search', async (request, reply) => {
    const staff = staffOf(request);
    const ctx = ctxOf(request, reply);
    const query = typeof request.query.q === 'string' ? request.query.q : '';
    const notice = request.query.done ? DONE[request.query.done] : undefined;
    if (!query.trim()) return sendPage(reply, SearchPage({ ctx, staff, query, errors: {}, ...(notice ? { notice } : {}) }));
    const result = await service.search(staff, query);
    if (!result.ok) return sendPage(reply, SearchPage({ ctx, staff, query, errors: formErrors(result.error) }), STATUS_OF[result.error.kind]);
    return sendPage(reply, SearchPage({ ctx, staff, query, errors: {}, result: result.value }));
  });

  const personPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    accountId: string,
    extra: {
      notice?: MessageKey;
      failed?: Parameters<typeof PersonPage>[0]['failed'];
      status?: number;
      mobileFlow?: { flowId: string; mobile: string };
      passkeysFailed?: { errors: Record<string, MessageKey | undefined>; reason: string };
      recordView?: boolean;
    } = {},
  ) => {
    const staff = staffOf(request);
    const view = await service.person(staff, accountId, meta(request), { recordView: extra.recordView !== false });
    if (!view.ok) return problem(request, reply, view.error);
    const ctx = ctxOf(request, reply);
    return sendPage(
      reply,
      PersonPage({
        ctx,
        staff,
        view: view.value,
        passkeys: StaffPasskeysSection({
          ctx,
          staff,
          accountId,
          branchCode: view.value.account.branch_code,
          passkeys: await platform.passkeys.list(accountId),
          ...(extra.passkeysFailed ? { errors: extra.passkeysFailed.errors, reason: extra.passkeysFailed.reason } : {}),
        }),
        now: platform.clock(),
        doctor: await platform.doctors.recordOf(accountId),
        ...(extra.notice ? { notice: extra.notice } : {}),
        ...(extra.failed ? { failed: extra.failed } : {}),
        ...(extra.mobileFlow ? { mobileFlow: extra.mobileFlow } : {}),
      }),
      extra.status ?? 200,
    );
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string; mobileFlow?: string } }>('/backoffice/people/:id', async (request, reply) => {
    const notice = request.query.done ? DONE[request.query.done] : undefined;
    const mobileFlow = (await service.mobileFlow(request.params.id, request.query.mobileFlow)) ?? undefined;
    // The page after an action (done=…, or the mobile code step) is the same visit: the action is recorded, not another view.
    return personPage(request, reply, request.params.id, {
      ...(notice ? { notice } : {}),
      ...(mobileFlow ? { mobileFlow } : {}),
      ...(notice || mobileFlow ? { recordView: false } : {}),
    });
  });

  // Passkeys of a person (their own capability): "remove all passkeys", with a reason.
  app.post<{ Params: { id: string } }>('/backoffice/people/:id/remove-passkeys', async (request, reply) => {
    const { id } = request.params;
    const body = bodyOf(request);
    const result = await platform.passkeys.removeAllByStaff(staffOf(request), id, body, meta(request));
    if (result.ok) return reply.redirect(`/backoffice/people/${id}?done=passkeys_removed#main`, 303);
    if (result.error.kind === 'forbidden' || result.error.kind === 'not_found') return problem(request, reply, result.error);
    return personPage(request, reply, id, {
      recordView: false,
      status: STATUS_OF[result.error.kind],
      passkeysFailed: { errors: formErrors(result.error), reason: typeof body.reason === 'string' ? body.reason : '' },
    });
  });

  app.post<{ Params: { id: string; action: string } }>('/backoffice/people/:id/:action', async (request, reply) => {
    const { id, action } = request.params;
    if (!(PERSON_ACTIONS as readonly string[]).includes(action)) return reply.callNotFound();
    const act = action as PersonAction;
    const staff = staffOf(request);
    const body = bodyOf(request);
    const m = meta(request);
    const run = {
      activate: () => service.activate(staff, id, body, m),
      reject: () => service.reject(staff, id, body, m),
      mobile: () => service.changeMobile(staff, id, body, m),
      'reset-password': () => service.resetPassword(staff, id, body, m),
      unlock: () => service.unlock(staff, id, body, m),
      disable: () => service.disable(staff, id, body, m),
      enable: () => service.enable(staff, id, body, m),
    }[act];
    const result = await run();
    if (result.ok) {
      if (act === 'reject') return reply.redirect('/backoffice/search?done=rejected', 303);
      // Step 1 of a mobile change: the code went to the new number; its form comes next.
      const flowId = (result.value as { flowId?: string }).flowId;
      if (act === 'mobile' && flowId) return reply.redirect(`/backoffice/people/${id}?mobileFlow=${encodeURIComponent(flowId)}#action-mobile`, 303);
      return reply.redirect(`/backoffice/people/${id}?done=${ACTION_DONE[act]}#main`, 303);
    }
    const failure = result.error;
    if (failure.kind === 'forbidden' || failure.kind === 'not_found') return problem(request, reply, failure);
    const openFlow = act === 'mobile' ? await service.mobileFlow(id, body.flowId) : null;
    return personPage(request, reply, id, {
      recordView: false,
      status: STATUS_OF[failure.kind],
      ...(openFlow ? { mobileFlow: openFlow } : {}),
      failed: { action: act, errors: formErrors(failure), values: formValues(body), documents: documentsOf(body), walkInDocuments: documentsOf({ documents: body.walkInDocuments }), ...(failure.params ? { params: failure.params } : {}) },
    });
  });

  app.get<{ Querystring: { done?: string } }>('/backoffice/foreign-nationals', async (request, reply) => {
    const staff = staffOf(request);
    if (!service.can(staff, 'act')) return problem(request, reply, { kind: 'forbidden', code: 'backoffice.forbidden' });
    const notice = request.query.done ? DONE[request.query.done] : undefined;
    return sendPage(reply, ForeignNationalPage({ ctx: ctxOf(request, reply), staff, values: {}, documents: [], errors: {}, ...(notice ? { notice } : {}) }));
  });

  app.post('/backoffice/foreign-nationals', async (request, reply) => {
    const staff = staffOf(request);
    const body = bodyOf(request);
    const result = await service.recordForeignNational(staff, body, meta(request));
    if (result.ok) return reply.redirect('/backoffice/foreign-nationals?done=foreign_recorded', 303);
    if (result.error.kind === 'forbidden') return problem(request, reply, result.error);
    return sendPage(
      reply,
      ForeignNationalPage({ ctx: ctxOf(request, reply), staff, values: formValues(body), documents: documentsOf(body), errors: formErrors(result.error) }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get('/backoffice/walk-ins', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.walkIns(staff);
    if (!result.ok) return problem(request, reply, result.error);
    return sendPage(reply, WalkInsPage({ ctx: ctxOf(request, reply), staff, rows: result.value }));
  });

  app.get('/backoffice/overdue', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.overdue(staff);
    if (!result.ok) return problem(request, reply, result.error);
    return sendPage(reply, OverduePage({ ctx: ctxOf(request, reply), staff, hours: result.value.hours, rows: result.value.rows }));
  });

  app.get('/backoffice/rejections', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.rejections(staff);
    if (!result.ok) return problem(request, reply, result.error);
    return sendPage(reply, RejectionsPage({ ctx: ctxOf(request, reply), staff, rows: result.value, days: REJECTION_RETENTION_DAYS }));
  });

  app.get<{ Querystring: { done?: string } }>('/backoffice/sms/dead', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.deadLetters(staff);
    if (!result.ok) return problem(request, reply, result.error);
    const notice = request.query.done ? DONE[request.query.done] : undefined;
    return sendPage(reply, DeadSmsPage({ ctx: ctxOf(request, reply), staff, rows: result.value, ...(notice ? { notice } : {}) }));
  });

  app.post<{ Params: { id: string } }>('/backoffice/sms/:id/resend', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.resendSms(staff, request.params.id, meta(request));
    if (result.ok) return reply.redirect('/backoffice/sms/dead?done=sms_resent', 303);
    if (result.error.kind === 'forbidden') return problem(request, reply, result.error);
    const list = await service.deadLetters(staff);
    return sendPage(
      reply,
      DeadSmsPage({ ctx: ctxOf(request, reply), staff, rows: list.ok ? list.value : [], error: result.error.code }),
      STATUS_OF[result.error.kind],
    );
  });

  // A staff member's own passkeys (second factor instead of the TOTP code).
  const PASSKEYS_DONE: Record<string, MessageKey> = { added: 'passkeys.added', removed: 'passkeys.removed' };
  const passkeyMeta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang, userAgent: null });
  const ownPasskeys = async (request: FastifyRequest, reply: FastifyReply, extra: Omit<Parameters<typeof StaffOwnPasskeysPage>[0], 'ctx' | 'staff' | 'passkeys'> = {}, status = 200) => {
    const staff = staffOf(request);
    return sendPage(reply, StaffOwnPasskeysPage({ ctx: ctxOf(request, reply), staff, passkeys: await platform.passkeys.staff.list(staff.id), ...extra }), status);
  };

  app.get<{ Querystring: { done?: string } }>('/backoffice/passkeys', async (request, reply) =>
    ownPasskeys(request, reply, { notice: request.query.done ? PASSKEYS_DONE[request.query.done] : undefined }),
  );

  app.post('/backoffice/passkeys/options', async (request, reply) => {
    const result = await platform.passkeys.staff.registrationOptions(staffOf(request), passkeyMeta(request));
    if (!result.ok) {
      return reply.status(STATUS_OF[result.error.kind]).send({ error: { code: result.error.code, message: t(request.lang, result.error.code, result.error.params) } });
    }
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.post('/backoffice/passkeys', async (request, reply) => {
    const body = bodyOf(request);
    const name = typeof body.name === 'string' ? body.name : '';
    if (typeof body.credential !== 'string' || body.credential === '') return ownPasskeys(request, reply, { errors: { _form: 'passkeys.needs_js' }, nameValue: name }, 400);
    const result = await platform.passkeys.staff.register(staffOf(request), body, passkeyMeta(request));
    if (result.ok) return reply.redirect('/backoffice/passkeys?done=added', 303);
    return ownPasskeys(request, reply, { errors: formErrors(result.error), errorParams: result.error.params, nameValue: name }, STATUS_OF[result.error.kind]);
  });

  app.post<{ Params: { id: string } }>('/backoffice/passkeys/:id/remove', async (request, reply) => {
    const result = await platform.passkeys.staff.remove(staffOf(request).id, request.params.id, meta(request));
    if (result.ok) return reply.redirect('/backoffice/passkeys?done=removed', 303);
    return ownPasskeys(request, reply, { errors: formErrors(result.error) }, STATUS_OF[result.error.kind]);
  });

  app.get('/backoffice/audit', async (request, reply) => {
    const staff = staffOf(request);
    const result = await service.verifyAudit(staff);
    if (!result.ok) return problem(request, reply, result.error);
    return sendPage(reply, AuditPage({ ctx: ctxOf(request, reply), staff, report: result.value }), result.value.ok ? 200 : 409);
  });
};
