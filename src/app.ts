// Builds the Fastify app: infrastructure plugins first (cookies, forms, headers, CSRF,
// static files), then the capability routes, then errors. No business rules here.
import { withSecurityQuestionEnum } from './registration/securityQuestions.js';
import path from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { createAccessLog, lazyRequestLogger, type AccessLog } from './observability/logger.js';
import { projectRoot } from './shared/projectRoot.js';
import type { Logger as PinoLogger } from 'pino';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { lazySchemas } from './web/lazySchemas.js';
import { devHelpersEnabled } from './config.js';
import { insuredApiRoutes, INSURED_API_ROUTES_SERVICES } from './insured/insured.api.js';
import { insuredRoutes, INSURED_ROUTES_SERVICES } from './insured/insured.routes.js';
import { devRoutes, DEV_ROUTES_SERVICES } from './notifications/dev.routes.js';
import type { Platform } from './platform.js';
import { registrationApiRoutes, REGISTRATION_API_ROUTES_SERVICES } from './registration/registration.api.js';
import { registrationRoutes, REGISTRATION_ROUTES_SERVICES } from './registration/registration.routes.js';
import { accountApiRoutes, ACCOUNT_API_ROUTES_SERVICES } from './account/account.api.js';
import { accountRoutes, ACCOUNT_ROUTES_SERVICES } from './account/account.routes.js';
import { recoveryApiRoutes, RECOVERY_API_ROUTES_SERVICES } from './recovery/recovery.api.js';
import { recoveryRoutes, RECOVERY_ROUTES_SERVICES } from './recovery/recovery.routes.js';
import { installSessionHooks } from './signin/session.hooks.js';
import { signinApiRoutes, SIGNIN_API_ROUTES_SERVICES } from './signin/signin.api.js';
import { signinRoutes, SIGNIN_ROUTES_SERVICES } from './signin/signin.routes.js';
import { createPortalSignIn } from './sso/portal.signin.js';
import { ssoRoutes, SSO_ROUTES_SERVICES } from './sso/sso.routes.js';
import { ErrorPage } from './web/error.page.js';
import { installSecurityHeaders } from './web/securityHeaders.js';
import { homeRoutes, HOME_ROUTES_SERVICES } from './web/home.routes.js';
import { bodyOf, ctxOf, LANG_COOKIE, pageLang, sendPage, trustProxyOption } from './web/http.js';
import { langFromAcceptLanguage, parseLang, t } from './messages/index.js';
import { localPathOr } from './web/redirect.js';
import { installEdge, isDataException, metricsAccess } from './web/edge.js';
import { verificationDevRoutes, VERIFICATION_DEV_ROUTES_SERVICES } from './verification/verification.routes.js';
import { backofficeRoutes, BACKOFFICE_ROUTES_SERVICES } from './backoffice/backoffice.routes.js';
import { passkeyRoutes, PASSKEY_ROUTES_SERVICES } from './passkeys/passkeys.routes.js';
import { doctorsRoutes, DOCTORS_ROUTES_SERVICES } from './doctors/doctors.routes.js';
import { doctorsApiRoutes, DOCTORS_API_ROUTES_SERVICES } from './doctors/doctors.api.js';

const root = projectRoot;

/**
 * What a route plugin receives: only the services it names (its `*_SERVICES` list), never
 * the whole platform, so a plugin's reach is what it declares.
 */
function servicesOf<K extends keyof Platform>(platform: Platform, keys: readonly K[]): Pick<Platform, K> {
  return Object.fromEntries(keys.map((k) => [k, platform[k]])) as Pick<Platform, K>;
}

/**
 * Fastify's request log lines: no separate "incoming request" line; the completion line
 * carries the request (method and shortened path) and goes through the access logger.
 * A route's own log level (e.g. warn for /healthz) still silences it.
 */
class OneLinePerRequest extends LogController {
  constructor(private readonly access: AccessLog) {
    super();
  }
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error) return reply.log.error({ req: request, res: { statusCode: reply.statusCode }, err: error, responseTime: reply.elapsedTime }, 'request errored');
    if (!(reply.log as unknown as PinoLogger).isLevelEnabled('info')) return;
    this.access.write({ reqId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime });
  }
}

export async function buildApp(platform: Platform): Promise<FastifyInstance> {
  const { config, logger, metrics } = platform;
  const accessLog = createAccessLog(logger as PinoLogger);
  // Route schemas compile on first use or just after the process listens (web/lazySchemas.ts).
  const schemas = lazySchemas();
  const app = Fastify({
    schemaController: { compilersFactory: schemas.compilersFactory },
    loggerInstance: logger as FastifyBaseLogger,
    // Behind load balancers the client address comes from X-Forwarded-For, through the
    // configured hops or address ranges only (TRUST_PROXY; proxy-addr semantics).
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    // One log line per request, not two: each line costs its redaction.
    logController: new OneLinePerRequest(accessLog),
    // request.log makes its child (the request id) only when the request logs something.
    childLoggerFactory: (parent, bindings, options) => lazyRequestLogger(parent as PinoLogger, bindings, options) as unknown as FastifyBaseLogger,
  });
  app.addHook('onClose', (_app, done) => {
    accessLog.close();
    done();
  });
  app.decorate('warmSchemas', () => schemas.warm());
  app.addHook('onListen', (done) => {
    void schemas.warm().then((failures) => {
      for (const f of failures) logger.error({ err: f.error, route: f.route }, 'a route schema does not compile');
    });
    done();
  });
  // Copies of sessions and profiles are used once this process hears of every account change (db/changes.ts).
  await platform.changes.start();
  app.decorate('devHelpers', devHelpersEnabled(config));
  app.decorateRequest('lang', 'fa');

  await app.register(cookie, { secret: platform.secrets.cookieSecret });
  await app.register(formbody);
  // Hostile bytes, __Host- cookie names, Permissions-Policy, no-store on personal answers (web/edge.ts).
  installEdge(app, config);
  // Built once, and again only when the registered services (the form-action list) change.
  installSecurityHeaders(app, () => platform.sso.formActionSources(), (formAction) => ({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // 'self' and the registered services: a sign-in form's redirects end at the service.
        formAction: formAction.split(' '),
        ...(config.publicUrl.startsWith('https:') ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.publicUrl.startsWith('https:') ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  }));
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: '_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: true, secure: config.publicUrl.startsWith('https:') },
    getToken: (req) => (bodyOf(req)._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(fastifyStatic, {
    root: path.join(root, 'src', 'web', 'static'),
    prefix: '/static/',
    maxAge: '1h',
  });
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', 'vazirmatn', 'fonts', 'webfonts'),
    prefix: '/static/fonts/',
    decorateReply: false,
    maxAge: '30d',
    immutable: true,
  });
  // The WebAuthn browser library (passkeys), served from the package: no third-party script host.
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle'),
    prefix: '/static/webauthn/',
    decorateReply: false,
    maxAge: '1h',
    allowedPath: (pathName) => pathName === '/index.umd.min.js',
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Dargah API',
        version: '1',
        description: 'Citizen account portal: registration, status, sign-in and recovery. Errors: {error:{code,message,fields}}.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'sessionToken from POST /api/v1/session' } },
      },
    },
    hideUntagged: true,
  });

  // Language: API by Accept-Language; pages by cookie; `?lang=` on a page switches it.
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    if (url.startsWith('/api/')) {
      request.lang = langFromAcceptLanguage(request.headers['accept-language']);
      return done();
    }
    const asked = request.method === 'GET' ? parseLang((request.query as Record<string, unknown> | undefined)?.lang) : undefined;
    if (asked) {
      reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, httpOnly: true });
      const params = new URLSearchParams(url.split('?')[1] ?? '');
      params.delete('lang');
      const rest = params.toString();
      reply.redirect(localPathOr(`${url.split('?')[0]}${rest ? `?${rest}` : ''}`, '/'), 303);
      return;
    }
    request.lang = pageLang(request);
    done();
  });

  // Every form post carries the CSRF token (the API is cookie-less and exempt).
  app.addHook('preHandler', (request, reply, done) => {
    const m = request.method;
    if ((m === 'POST' || m === 'PUT' || m === 'DELETE' || m === 'PATCH') && !request.url.startsWith('/api/') && !request.url.startsWith('/dev/verification') && !request.url.startsWith('/oidc/')) {
      return app.csrfProtection(request, reply, done);
    }
    done();
  });

  // Sessions (cookie or bearer) and the required-action gate, before any route runs.
  installSessionHooks(app, platform);

  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  // Error and not-found handlers first: encapsulated route plugins inherit them when registered.
  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith('/api/')) {
      return reply.status(404).send({ error: { code: 'request.not_found', message: t(request.lang, 'request.not_found') } });
    }
    return sendPage(reply, ErrorPage({ ctx: ctxOf(request, reply), message: t(request.lang, 'request.not_found') }), 404);
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const lang = request.lang ?? 'fa';
    const api = request.url.startsWith('/api/');
    let status = 500;
    let code: 'request.csrf' | 'request.invalid' | 'request.internal' = 'request.internal';
    if (error.code?.startsWith('FST_CSRF')) {
      status = 403;
      code = 'request.csrf';
    } else if (isDataException(error)) {
      // A value the database refused as malformed (SQLSTATE class 22) that a check let through: a bad request, not an outage.
      request.log.warn({ err: error }, 'database refused a value of the request');
      status = 400;
      code = 'request.invalid';
    } else if (error.validation || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
      status = error.statusCode && error.statusCode !== 500 ? error.statusCode : 400;
      code = 'request.invalid';
    } else {
      request.log.error({ err: error }, 'request failed');
    }
    if (api) return reply.status(status).send({ error: { code, message: t(lang, code) } });
    return sendPage(reply, ErrorPage({ ctx: ctxOf(request, reply), message: t(lang, code) }), status);
  });

  // Liveness: the process runs (never asks the database; a balancer or supervisor restarts on failure).
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  // Readiness: every dependency this process needs answers; 503 while one is down, so a balancer stops sending.
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    const r = await platform.readiness();
    return reply.status(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'unavailable', database: r.database, ...(r.redis === undefined ? {} : { redis: r.redis }) });
  });
  app.get('/metrics', { logLevel: 'warn', onRequest: metricsAccess(config) }, async (_req, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/api/openapi.json', async () => withSecurityQuestionEnum(app.swagger()));

  await app.register(homeRoutes, { platform: servicesOf(platform, HOME_ROUTES_SERVICES) });
  await app.register(registrationRoutes, { platform: servicesOf(platform, REGISTRATION_ROUTES_SERVICES) });
  await app.register(registrationApiRoutes, { platform: servicesOf(platform, REGISTRATION_API_ROUTES_SERVICES) });
  await app.register(signinRoutes, { platform: servicesOf(platform, SIGNIN_ROUTES_SERVICES) });
  await app.register(signinApiRoutes, { platform: servicesOf(platform, SIGNIN_API_ROUTES_SERVICES) });
  await app.register(accountRoutes, { platform: servicesOf(platform, ACCOUNT_ROUTES_SERVICES) });
  await app.register(accountApiRoutes, { platform: servicesOf(platform, ACCOUNT_API_ROUTES_SERVICES) });
  await app.register(passkeyRoutes, { platform: servicesOf(platform, PASSKEY_ROUTES_SERVICES) });
  await app.register(recoveryRoutes, { platform: servicesOf(platform, RECOVERY_ROUTES_SERVICES) });
  await app.register(recoveryApiRoutes, { platform: servicesOf(platform, RECOVERY_API_ROUTES_SERVICES) });
  await app.register(ssoRoutes, { platform: servicesOf(platform, SSO_ROUTES_SERVICES), portal: createPortalSignIn(platform) });
  await app.register(backofficeRoutes, { platform: servicesOf(platform, BACKOFFICE_ROUTES_SERVICES) });
  await app.register(insuredRoutes, { platform: servicesOf(platform, INSURED_ROUTES_SERVICES) });
  await app.register(insuredApiRoutes, { platform: servicesOf(platform, INSURED_API_ROUTES_SERVICES) });
  await app.register(doctorsRoutes, { platform: servicesOf(platform, DOCTORS_ROUTES_SERVICES) });
  await app.register(doctorsApiRoutes, { platform: servicesOf(platform, DOCTORS_API_ROUTES_SERVICES) });
  if (app.devHelpers) {
    await app.register(devRoutes, { platform: servicesOf(platform, DEV_ROUTES_SERVICES) });
    await app.register(verificationDevRoutes, { platform: servicesOf(platform, VERIFICATION_DEV_ROUTES_SERVICES) });
  }

  return app;
}
