// HTTP of single sign-on: our interaction pages (`/interaction/:uid`: sign-in, consent),
// and the provider's endpoints (`/oidc/*`, discovery) handed to oidc-provider unparsed.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { toLatinDigits } from '../identity/digits.js';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { pageContext } from '../web/context.js';
import { bodyOf, ctxOf, formErrors, pageLang, sendPage } from '../web/http.js';
import type { MessageKey } from '../web/i18n.js';
import type { PortalSignIn } from './portal.js';
import { ROUTES } from './provider.js';
import { SsoConsentPage, SsoLogoutPage, SsoMessagePage, SsoSignInPage } from './sso.page.js';

type Params = { uid: string };

// The provider sees raw Node requests; the Fastify request behind one is kept here so
// the pages it renders get the language and the portal session is read the usual way.
const fastifyRequestOf = new WeakMap<IncomingMessage, FastifyRequest>();

const PROVIDER_ERRORS: Partial<Record<string, MessageKey>> = {
  server_error: 'sso.error_server',
  temporarily_unavailable: 'sso.error_server',
  // An expired or already used interaction cookie.
  session_not_found: 'sso.error_expired',
  invalid_request: 'sso.error_request',
};

export const ssoRoutes: FastifyPluginAsync<{ platform: Platform; portal: PortalSignIn }> = async (app, { platform, portal }) => {
  const { sso, config } = platform;
  const publicUrl = new URL(config.publicUrl);

  /** Page context for pages the provider renders (no forms of ours on them: no CSRF token). */
  const koaPageContext = (ctx: KoaContextWithOIDC) => {
    const request = fastifyRequestOf.get(ctx.req);
    const lang = request ? pageLang(request) : 'fa';
    // The header offers "my account" rather than "sign in" while the portal session is alive
    // (the sign-out confirmation is shown to a signed-in person).
    return { ...pageContext(lang, '', ctx.path, app.devHelpers), signedIn: !!request?.signedIn };
  };
  const koaHtml = async (ctx: KoaContextWithOIDC, html: JSX.Element) => {
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = await html;
  };

  await sso.start({
    portalAccount: async (req) => {
      const request = fastifyRequestOf.get(req);
      const session = request ? await portal.current(request) : undefined;
      return session && !session.mustChangePassword ? session.accountId : undefined;
    },
    async renderError(ctx, out) {
      const code = PROVIDER_ERRORS[out.error] ?? 'sso.error_request';
      await koaHtml(ctx, SsoMessagePage({ ctx: koaPageContext(ctx), title: 'error.title', text: code, warning: true }));
    },
    async logoutSource(ctx, form) {
      await koaHtml(ctx, SsoLogoutPage({ ctx: koaPageContext(ctx), formHtml: form }));
    },
    async postLogoutSuccessSource(ctx) {
      await koaHtml(ctx, SsoMessagePage({ ctx: koaPageContext(ctx), title: 'sso.logged_out_title', text: 'sso.logged_out_text' }));
    },
    // Signing out through a service ends the portal session of this browser too.
    async middleware(ctx, next) {
      await next();
      if (ctx.oidc?.route === 'end_session_confirm' && ctx.status === 303) {
        const request = fastifyRequestOf.get(ctx.req);
        if (request) await portal.signOut(request);
        for (const cookie of portal.clearCookies()) ctx.append('set-cookie', cookie);
      }
    },
  });
  app.addHook('onClose', async () => sso.stop());

  const provider = () => sso.provider();

  /** The client's display name (its registered name or id). */
  async function clientName(clientId: unknown, lang: 'fa' | 'en'): Promise<string> {
    const client = typeof clientId === 'string' ? await sso.clients.get(clientId) : undefined;
    return client?.name ?? client?.clientId ?? (lang === 'fa' ? 'سامانه' : 'the service');
  }

  async function details(request: FastifyRequest, reply: FastifyReply) {
    try {
      const d = await provider().interactionDetails(request.raw, reply.raw);
      return d.uid === (request.params as Params).uid ? d : undefined;
    } catch {
      return undefined;
    }
  }

  const expired = (request: FastifyRequest, reply: FastifyReply) =>
    sendPage(reply, SsoMessagePage({ ctx: ctxOf(request, reply), title: 'error.title', text: 'sso.error_expired', warning: true }), 400);

  async function finishLogin(request: FastifyRequest, reply: FastifyReply, accountId: string) {
    const url = await provider().interactionResult(request.raw, reply.raw, { login: { accountId, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    return reply.redirect(url, 303);
  }

  app.get<{ Params: Params }>('/interaction/:uid', async (request, reply) => {
    const d = await details(request, reply);
    if (!d) return expired(request, reply);
    const name = await clientName(d.params.client_id, request.lang);
    if (d.prompt.name === 'login') {
      const session = await portal.current(request);
      if (session?.mustChangePassword) return reply.redirect(portal.passwordChangeUrl(`/interaction/${d.uid}`), 303);
      if (session) return finishLogin(request, reply, session.accountId);
      return sendPage(reply, SsoSignInPage({ ctx: ctxOf(request, reply), uid: d.uid, clientName: name, errors: {} }));
    }
    if (d.prompt.name === 'consent') {
      const scopes = String(d.params.scope ?? 'openid').split(' ').filter((s) => s in SCOPE_LABELS);
      return sendPage(reply, SsoConsentPage({ ctx: ctxOf(request, reply), uid: d.uid, clientName: name, scopes }));
    }
    return expired(request, reply);
  });

  app.post<{ Params: Params }>('/interaction/:uid', async (request, reply) => {
    const d = await details(request, reply);
    if (!d) return expired(request, reply);
    const body = bodyOf(request);
    if (d.prompt.name === 'login') {
      const username = typeof body.username === 'string' ? toLatinDigits(body.username.trim()) : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const result = await portal.signIn(request, reply, { username, password });
      if (!result.ok) {
        if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
        const page = SsoSignInPage({
          ctx: ctxOf(request, reply),
          uid: d.uid,
          clientName: await clientName(d.params.client_id, request.lang),
          username,
          errors: formErrors(result.error),
          ...(result.error.params ? { errorParams: result.error.params } : {}),
        });
        return sendPage(reply, page, STATUS_OF[result.error.kind]);
      }
      // A forced change first; the change page brings the person back here.
      if (result.value.mustChangePassword) return reply.redirect(portal.passwordChangeUrl(`/interaction/${d.uid}`), 303);
      return finishLogin(request, reply, result.value.accountId);
    }
    if (d.prompt.name === 'consent') {
      if (body.decision !== 'allow') {
        const url = await provider().interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'the person did not allow access' }, { mergeWithLastSubmission: false });
        return reply.redirect(url, 303);
      }
      const accountId = d.session?.accountId;
      if (!accountId) return expired(request, reply);
      const p = provider();
      const grant = d.grantId ? await p.Grant.find(d.grantId) : new p.Grant({ accountId, clientId: String(d.params.client_id) });
      if (!grant) return expired(request, reply);
      const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      const url = await p.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return reply.redirect(url, 303);
    }
    return expired(request, reply);
  });

  // "Cancel": the service gets access_denied and the person goes back to it.
  app.get<{ Params: Params }>('/interaction/:uid/abort', async (request, reply) => {
    const d = await details(request, reply).catch(() => undefined);
    // The interaction cookie is scoped to /interaction/:uid; the abort path is below it.
    if (!d) return expired(request, reply);
    const url = await provider().interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'the person cancelled' }, { mergeWithLastSubmission: false });
    return reply.redirect(url, 303);
  });

  await app.register(providerMount, { platform, publicUrl });
};

const SCOPE_LABELS = { openid: 1, profile: 1, phone: 1, national_id: 1, permissions: 1, offline_access: 1 };

/**
 * The provider's endpoints, in their own scope: the body is left unparsed for the provider
 * and Fastify hands the raw request over. Host and scheme are pinned to PUBLIC_URL so the
 * endpoint URLs in discovery never follow a forged Host header.
 */
const providerMount: FastifyPluginAsync<{ platform: Platform; publicUrl: URL }> = async (scope: FastifyInstance, { platform, publicUrl }) => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    raw.headers.host = publicUrl.host;
    raw.headers['x-forwarded-host'] = publicUrl.host;
    raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    fastifyRequestOf.set(raw, request);
    reply.hijack();
    platform.sso.handle(raw, reply.raw);
  };
  scope.all(`${ROUTES.authorization.split('/auth')[0]}/*`, handler);
  scope.get('/.well-known/openid-configuration', handler);
};
