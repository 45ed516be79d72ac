// HTTP of single sign-on: our interaction pages (`/interaction/:uid`: sign-in, consent),
// and the provider's endpoints (`/oidc/*`, discovery) handed to oidc-provider unparsed.
import { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { toLatinDigits } from '../identity/digits.js';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { pageContext } from '../web/context.js';
import { LANG_COOKIE, bodyOf, ctxOf, formErrors, pageLang, sendPage } from '../web/http.js';
import { parseLang, type MessageKey } from '../messages/index.js';
import { SignInPage, methodLinks } from '../signin/signin.page.js';
import { acrSatisfies, amrOf, requestedAcrs, type Acr } from './assurance.js';
import type { PortalSession, PortalSignIn } from './portal.js';
import { ROUTES } from './provider.js';
import { SsoAssurancePage, SsoConsentPage, SsoLogoutPage, SsoMessagePage } from './sso.page.js';

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

/** The services this plugin uses (it receives only these). */
export const SSO_ROUTES_SERVICES = ['clock', 'config', 'sso'] as const;

export const ssoRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof SSO_ROUTES_SERVICES)[number]>; portal: PortalSignIn }> = async (app, { platform, portal }) => {
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
      return session && !session.mustChangePassword
        ? { accountId: session.accountId, authTime: Math.floor(session.signedInAt.getTime() / 1000), amr: amrOf(session.authMethod) }
        : undefined;
    },
    clientIp: (req) => fastifyRequestOf.get(req)?.ip,
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

  type Details = NonNullable<Awaited<ReturnType<typeof details>>>;

  /** The login result: the real time of the sign-in, its methods (amr) and the account's level (acr). */
  async function finishLogin(request: FastifyRequest, reply: FastifyReply, session: PortalSession, acr: Acr) {
    const login = { accountId: session.accountId, ts: Math.floor(session.signedInAt.getTime() / 1000), amr: amrOf(session.authMethod), acr };
    const url = await provider().interactionResult(request.raw, reply.raw, { login }, { mergeWithLastSubmission: false });
    return reply.redirect(url, 303);
  }

  /**
   * Whether the browser's portal sign-in answers this login prompt, or the person must sign
   * in again: a sign-in made after the service asked always does; otherwise not when the
   * service asked for a fresh sign-in (`prompt=login`), nor when it is older than `max_age`.
   */
  function portalSignInAnswers(d: Details, session: PortalSession): boolean {
    const signedIn = session.signedInAt.getTime();
    const asked = typeof d.iat === 'number' ? d.iat * 1000 : Number.POSITIVE_INFINITY;
    if (signedIn >= asked) return true;
    if (d.prompt.reasons.includes('login_prompt')) return false;
    const maxAge = Number(d.params.max_age);
    if (d.params.max_age !== undefined && Number.isFinite(maxAge) && platform.clock().getTime() - signedIn > maxAge * 1000) return false;
    return true;
  }

  /** The services' `ui_locales` picks the language, unless the person chose one (the switch). */
  function applyUiLocales(request: FastifyRequest, reply: FastifyReply, d: Details) {
    if (request.cookies?.[LANG_COOKIE] || typeof d.params.ui_locales !== 'string') return;
    const lang = d.params.ui_locales
      .split(' ')
      .map((tag) => parseLang(tag.split('-')[0]?.toLowerCase()))
      .find((l) => l !== undefined);
    if (!lang) return;
    request.lang = lang;
    // The rest of the sign-in (the SMS code pages) stays in that language.
    reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, httpOnly: true });
  }

  /** `login_hint`: a national code (any digits) prefills the username; anything else is ignored. */
  function loginHint(d: Details): string | undefined {
    const hint = typeof d.params.login_hint === 'string' ? toLatinDigits(d.params.login_hint.trim()) : '';
    return /^\d{8,12}$/.test(hint) ? hint : undefined;
  }

  /** The one sign-in page (the same as /signin), posting to this interaction. */
  async function signInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    d: Details,
    o: { username?: string | undefined; errors?: ReturnType<typeof formErrors>; errorParams?: Record<string, string | number> | undefined; status?: number; captcha?: boolean; triesLeft?: number | undefined } = {},
  ) {
    const ctx = ctxOf(request, reply);
    const here = `/interaction/${d.uid}`;
    const page = SignInPage({
      ctx,
      values: { username: o.username ?? loginHint(d) ?? '' },
      errors: o.errors ?? {},
      errorParams: o.errorParams,
      captcha: o.captcha ?? false,
      triesLeft: o.triesLeft,
      next: here,
      entry: {
        action: here,
        intro: ctx.t('sso.signin_intro', { client: await clientName(d.params.client_id, request.lang) }),
        methods: methodLinks(here),
        cancel: { href: `${here}/abort`, label: ctx.t('sso.cancel') },
      },
    });
    return sendPage(reply, page, o.status ?? 200);
  }

  /** The account does not have the level the service asked for: say why, offer the way back. */
  async function assuranceUnmet(request: FastifyRequest, reply: FastifyReply, d: Details) {
    const name = await clientName(d.params.client_id, request.lang);
    return sendPage(reply, SsoAssurancePage({ ctx: ctxOf(request, reply), uid: d.uid, clientName: name }), 403);
  }

  /** Signed in (just now, or already): the level asked for, then back to the provider. */
  async function completeLogin(request: FastifyRequest, reply: FastifyReply, d: Details, session: PortalSession) {
    const acr = await sso.assurance(session.accountId);
    if (!acrSatisfies(acr, requestedAcrs(d.params.acr_values))) return assuranceUnmet(request, reply, d);
    return finishLogin(request, reply, session, acr);
  }

  app.get<{ Params: Params }>('/interaction/:uid', async (request, reply) => {
    const d = await details(request, reply);
    if (!d) return expired(request, reply);
    applyUiLocales(request, reply, d);
    const name = await clientName(d.params.client_id, request.lang);
    if (d.prompt.name === 'login') {
      const session = await portal.current(request);
      if (session?.mustChangePassword) return reply.redirect(portal.passwordChangeUrl(`/interaction/${d.uid}`), 303);
      if (session && portalSignInAnswers(d, session)) return completeLogin(request, reply, d, session);
      return signInPage(request, reply, d);
    }
    if (d.prompt.name === 'consent') {
      // The organization's own services never show a consent page (also with prompt=consent).
      if ((await sso.clients.get(String(d.params.client_id)))?.firstParty) return grantConsent(request, reply, d);
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
      const result = await portal.signIn(request, reply, { username, password, captcha: body.captcha });
      if (!result.ok) {
        if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
        return signInPage(request, reply, d, {
          username,
          errors: formErrors(result.error),
          errorParams: result.error.params,
          status: STATUS_OF[result.error.kind],
          // As on /signin: the captcha when the account-wide guard asks for it, the tries left.
          captcha: result.error.code === 'signin.captcha_required',
          triesLeft: (result.error as { remainingTries?: number }).remainingTries,
        });
      }
      // A forced change first; the change page brings the person back here.
      if (result.value.mustChangePassword) return reply.redirect(portal.passwordChangeUrl(`/interaction/${d.uid}`), 303);
      return completeLogin(request, reply, d, result.value);
    }
    if (d.prompt.name === 'consent') {
      if (body.decision !== 'allow') {
        const url = await provider().interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'the person did not allow access' }, { mergeWithLastSubmission: false });
        return reply.redirect(url, 303);
      }
      return grantConsent(request, reply, d);
    }
    return expired(request, reply);
  });

  /** What the service asked for is granted (the person allowed it, or the service is first-party). */
  async function grantConsent(request: FastifyRequest, reply: FastifyReply, d: Details) {
    const accountId = d.session?.accountId;
    if (!accountId) return expired(request, reply);
    const p = provider();
    const grant = (d.grantId ? await p.Grant.find(d.grantId) : undefined) ?? new p.Grant({ accountId, clientId: String(d.params.client_id) });
    const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    const url = await p.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply.redirect(url, 303);
  }

  // "Cancel": the service gets access_denied and the person goes back to it.
  app.get<{ Params: Params }>('/interaction/:uid/abort', async (request, reply) => {
    const d = await details(request, reply).catch(() => undefined);
    // The interaction cookie is scoped to /interaction/:uid; the abort path is below it.
    if (!d) return expired(request, reply);
    const url = await provider().interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'the person cancelled' }, { mergeWithLastSubmission: false });
    return reply.redirect(url, 303);
  });

  // The account lacks the level asked for (acr_values): the service hears it in the standard way.
  app.get<{ Params: Params }>('/interaction/:uid/unmet', async (request, reply) => {
    const d = await details(request, reply).catch(() => undefined);
    if (!d) return expired(request, reply);
    const url = await provider().interactionResult(
      request.raw,
      reply.raw,
      { error: 'unmet_authentication_requirements', error_description: 'the account’s identity was not verified in person at a branch' },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(url, 303);
  });

  await app.register(providerMount, { platform, publicUrl });
};

const SCOPE_LABELS = { openid: 1, profile: 1, phone: 1, national_id: 1, permissions: 1, doctor: 1, offline_access: 1 };

/**
 * The provider's endpoints, in their own scope: the body is left unparsed for the provider
 * and Fastify hands the raw request over. Host and scheme are pinned to PUBLIC_URL so the
 * endpoint URLs in discovery never follow a forged Host header.
 */
/** The services this plugin uses (it receives only these). */
export const PROVIDER_MOUNT_SERVICES = ['sso'] as const;

const providerMount: FastifyPluginAsync<{ platform: Pick<Platform, (typeof PROVIDER_MOUNT_SERVICES)[number]>; publicUrl: URL }> = async (scope: FastifyInstance, { platform, publicUrl }) => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let raw = request.raw;
    raw.headers.host = publicUrl.host;
    raw.headers['x-forwarded-host'] = publicUrl.host;
    raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    if (raw.method === 'POST' && CLIENT_AUTH_PATHS.has(request.url.split('?')[0]!)) {
      // The provider takes a secret in the body or the Authorization header alike; a service
      // may use only the method it was registered with. The body is read here, checked, and
      // handed on unchanged.
      const body = await readSmallBody(raw);
      if (body === undefined) return reply.code(413).send({ error: 'invalid_request', error_description: 'request body too large' });
      const refusal = await clientAuthRefusal(platform, raw, body);
      if (refusal) return reply.code(401).header('cache-control', 'no-store').send({ error: 'invalid_client', error_description: refusal });
      raw = replay(raw, body);
    }
    fastifyRequestOf.set(raw, request);
    reply.hijack();
    platform.sso.handle(raw, reply.raw);
  };
  scope.all(`${ROUTES.authorization.split('/auth')[0]}/*`, handler);
  scope.get('/.well-known/openid-configuration', handler);
};

/** Endpoints where a service authenticates (client_secret_basic or none). */
const CLIENT_AUTH_PATHS = new Set<string>([ROUTES.token, ROUTES.introspection, ROUTES.revocation, ROUTES.pushed_authorization_request]);
/** The provider's own limit for a request body. */
const BODY_LIMIT = 56 * 1024;

async function readSmallBody(raw: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** A request with the same head and socket whose body is `body` (already read from `raw`). */
function replay(raw: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(raw.socket);
  copy.method = raw.method!;
  copy.url = raw.url!;
  copy.httpVersion = raw.httpVersion;
  copy.httpVersionMajor = raw.httpVersionMajor;
  copy.httpVersionMinor = raw.httpVersionMinor;
  copy.headers = { ...raw.headers, 'content-length': String(body.length) };
  copy.rawHeaders = raw.rawHeaders;
  // The socket's parser already delivered this body: the copy never reads from the socket.
  copy._read = () => {};
  // Complete, like the original: a copy that ends is not an aborted request (which would
  // destroy the shared socket).
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

/** Why the way this request authenticates its client is refused (not the registered one), or undefined. */
async function clientAuthRefusal(platform: Pick<Platform, 'sso'>, raw: IncomingMessage, body: Buffer): Promise<string | undefined> {
  const type = String(raw.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const params = type === 'application/x-www-form-urlencoded' ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
  const authorization = raw.headers.authorization;
  let clientId = params.get('client_id') ?? undefined;
  let used: string;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    used = 'client_secret_basic';
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      try {
        clientId = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
      } catch {
        return undefined; // the provider answers a malformed header itself
      }
    }
  } else if (params.has('client_secret')) used = 'client_secret_post';
  else if (params.has('client_assertion')) return undefined; // not a method we register; the provider refuses it
  else used = 'none';
  if (!clientId) return undefined;
  const client = await platform.sso.clients.get(clientId);
  if (!client || client.authMethod === used) return undefined;
  return `the client is registered for ${client.authMethod} and must authenticate that way`;
}
