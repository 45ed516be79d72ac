// HTTP helpers shared by every capability: the language of a request, the page context,
// HTML replies, and the JSON error shape of API.md.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_OF, type Failure } from '../shared/failure.js';
import { pageContext, type FieldErrors, type PageContext } from './context.js';
import { parseLang, t, type Lang } from './i18n.js';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
  }
  interface FastifyInstance {
    devHelpers: boolean;
    /** Compiles the route schemas not compiled yet (app.ts, web/lazySchemas.ts); resolves with those that fail. */
    warmSchemas(): Promise<{ route: string; error: unknown }[]>;
  }
}

export const LANG_COOKIE = 'lang';

/**
 * Pages: Persian unless the person chose English with the switch (the `lang` cookie).
 * Browsers' Accept-Language is not used for pages: many in Iran are set to English while
 * their users read Persian. The API follows Accept-Language (API.md).
 */
export function pageLang(request: FastifyRequest): Lang {
  return parseLang(request.cookies?.[LANG_COOKIE]) ?? 'fa';
}

export function ctxOf(request: FastifyRequest, reply: FastifyReply): PageContext {
  const path = request.url.split('?')[0] ?? '/';
  // `signedIn` is resolved by the session hook of signin/ (absent on requests it skips).
  const signedIn = !!(request as { signedIn?: unknown }).signedIn;
  return { ...pageContext(request.lang, reply.generateCsrf(), path, request.server.devHelpers), signedIn };
}

export async function sendPage(reply: FastifyReply, html: JSX.Element, status = 200) {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(await html);
}

/** The API error body: `{error: {code, message, fields}}`, with Retry-After on 429. */
export function sendApiFailure(reply: FastifyReply, lang: Lang, failure: Failure) {
  const status = STATUS_OF[failure.kind];
  if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
  return reply.status(status).send({
    error: {
      code: failure.code,
      message: t(lang, failure.code, failure.params),
      ...(failure.fields ? { fields: failure.fields } : {}),
      ...(failure.fieldDetails ? { details: failure.fieldDetails } : {}),
    },
  });
}

/**
 * Field errors of a failure for a form; errors not tied to a field go to `_form`. A limit or
 * a lock is not the person's mistake: it goes to `_limit`, shown in a notice of its own.
 */
export function formErrors(failure: Failure): FieldErrors {
  if (failure.fields && Object.keys(failure.fields).length > 0) return failure.fields;
  if (failure.kind === 'limited' || failure.kind === 'locked') return { [LIMIT_KEY]: failure.code };
  return { _form: failure.code };
}

/**
 * Fastify's trustProxy from TRUST_PROXY. A hop count is proxy-addr's `(addr, i) => i < hops`
 * (Fastify itself refuses plain numbers): the right-most `hops` entries — the balancers'
 * own — are believed, never the left-most one the client wrote. Address ranges go to
 * proxy-addr as they are; `false` ignores X-Forwarded-For.
 */
export function trustProxyOption(trust: false | number | string[]): false | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_addr: string, hop: number) => hop < trust;
  return trust;
}

/** The key of FieldErrors for a rate limit or lock (see ErrorSummary). */
export const LIMIT_KEY = '_limit';

/** Client address for limits and audit (behind a proxy, Fastify's trustProxy decides). */
export const clientIp = (request: FastifyRequest) => request.ip;

/** Request bodies are untrusted: treat anything that is not a plain object as empty. */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}
