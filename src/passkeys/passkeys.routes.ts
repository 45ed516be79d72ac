// Browser routes of passkeys: the person's passkey page (list, add, rename, remove) and
// signing in with a passkey. The two `options` routes answer JSON to /static/passkey.js
// (CSRF token in the JSON body); every completing POST is a form post answered with 303.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { STATUS_OF, type Failure } from '../shared/failure.js';
import { requirePageSession, safeNext } from '../signin/session.hooks.js';
import { MethodSelector } from '../signin/signin.page.js';
import { afterSignIn } from '../signin/signin.routes.js';
import { startWebSession, userAgentOf } from '../signin/signin.web.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import { t, type MessageKey } from '../messages/index.js';
import { PasskeySignInPage, PasskeysPage } from './passkeys.page.js';

const NOTICES: Record<string, MessageKey> = {
  added: 'passkeys.added',
  renamed: 'passkeys.renamed',
  removed: 'passkeys.removed',
};

const PAGE = '/account/passkeys';
const REAUTH = `/signin?reauth=1&next=${encodeURIComponent(PAGE)}`;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The services this plugin uses (it receives only these). */
export const PASSKEY_ROUTES_SERVICES = ['config', 'passkeys', 'sessions'] as const;

export const passkeyRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof PASSKEY_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.passkeys;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang, userAgent: userAgentOf(request) });
  const jsonFailure = (request: FastifyRequest, reply: FastifyReply, f: Failure, redirect?: string) => {
    if (f.retryAfterSeconds !== undefined) reply.header('retry-after', String(f.retryAfterSeconds));
    return reply
      .status(STATUS_OF[f.kind])
      .header('cache-control', 'no-store')
      .send({ error: { code: f.code, message: t(request.lang, f.code, f.params) }, ...(redirect ? { redirect } : {}) });
  };

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    accountId: string,
    extra: Omit<Parameters<typeof PasskeysPage>[0], 'ctx' | 'passkeys'> = {},
    status = 200,
  ) => sendPage(reply, PasskeysPage({ ctx: ctxOf(request, reply), passkeys: await service.list(accountId), ...extra }), status);

  app.get<{ Querystring: { notice?: string } }>(PAGE, async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const notice = request.query.notice ? NOTICES[request.query.notice] : undefined;
    return listPage(request, reply, s.accountId, { notice });
  });

  app.post(`${PAGE}/options`, async (request, reply) => {
    const s = request.signedIn;
    if (!s) return jsonFailure(request, reply, { kind: 'unauthenticated', code: 'signin.session_ended' }, `/signin?next=${encodeURIComponent(PAGE)}`);
    const result = await service.registrationOptions(s, meta(request));
    if (!result.ok) return jsonFailure(request, reply, result.error, result.error.code === 'passkeys.recent_signin_required' ? REAUTH : undefined);
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.post(PAGE, async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    if (!service.isRecent(s)) return reply.redirect(REAUTH, 303);
    // A post without the authenticator's answer: the browser did not run the script.
    if (str(body.credential) === '') {
      return listPage(request, reply, s.accountId, { errors: { _form: 'passkeys.needs_js' }, nameValue: str(body.name) }, 400);
    }
    const result = await service.register(s, body, meta(request));
    if (result.ok) return reply.redirect(`${PAGE}?notice=added`, 303);
    if (result.error.code === 'passkeys.recent_signin_required') return reply.redirect(REAUTH, 303);
    return listPage(
      request,
      reply,
      s.accountId,
      { errors: formErrors(result.error), errorParams: result.error.params, nameValue: str(body.name) },
      STATUS_OF[result.error.kind],
    );
  });

  app.post<{ Params: { id: string } }>(`${PAGE}/:id/rename`, async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const result = await service.rename(s.accountId, request.params.id, body, meta(request));
    if (result.ok) return reply.redirect(`${PAGE}?notice=renamed`, 303);
    const onField = result.error.kind === 'invalid';
    return listPage(
      request,
      reply,
      s.accountId,
      { errors: formErrors(result.error), ...(onField ? { renameId: request.params.id, renameValue: str(body.name) } : {}) },
      STATUS_OF[result.error.kind],
    );
  });

  app.post<{ Params: { id: string } }>(`${PAGE}/:id/remove`, async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const result = await service.remove(s.accountId, request.params.id, meta(request));
    if (result.ok) return reply.redirect(`${PAGE}?notice=removed`, 303);
    return listPage(request, reply, s.accountId, { errors: formErrors(result.error) }, STATUS_OF[result.error.kind]);
  });

  // Signing in with a passkey.
  const signInPage = (request: FastifyRequest, reply: FastifyReply, next: string | undefined, failure?: Failure) => {
    const ctx = ctxOf(request, reply);
    if (failure?.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
    return sendPage(
      reply,
      PasskeySignInPage({
        ctx,
        errors: failure ? { _form: failure.code } : {},
        errorParams: failure?.params,
        next,
        selector: MethodSelector({ ctx, current: 'passkey', next }),
      }),
      failure ? STATUS_OF[failure.kind] : 200,
    );
  };

  app.get<{ Querystring: { next?: string } }>('/signin/passkey', async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.signedIn) return reply.redirect(next ?? '/account', 303);
    return signInPage(request, reply, next);
  });

  app.post('/signin/passkey/options', async (request, reply) => {
    const result = await service.authenticationOptions(meta(request));
    if (!result.ok) return jsonFailure(request, reply, result.error);
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.post('/signin/passkey', async (request, reply) => {
    const body = bodyOf(request);
    const next = safeNext(body.next);
    if (str(body.credential) === '') return signInPage(request, reply, next, { kind: 'invalid', code: 'passkeys.needs_js' });
    const result = await service.authenticate(body, { ...meta(request), kind: 'web' });
    if (!result.ok) return signInPage(request, reply, next, result.error);
    await startWebSession(platform, request, reply, result.value);
    return reply.redirect(afterSignIn(result.value, next), 303);
  });
};
