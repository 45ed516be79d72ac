// Browser routes of insured registration: terms → form (with the no-JavaScript branch
// search) → success page; the ALTCHA widget bundle served from node_modules.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import { createPageResults } from '../web/result.js';
import type { Lang } from '../messages/index.js';
import { t } from '../messages/index.js';
import type { BranchView } from './branches.service.js';
import { branchName, FormPage, SuccessGonePage, SuccessPage, TermsPage } from './insured.page.js';
import { isChecked } from './insured.service.js';

/**
 * The widget's strict-CSP build: script and stylesheet as separate files (the
 * self-contained dist/main bundle injects inline styles, which our CSP refuses).
 * Workers still start from blob: URLs (CSP `worker-src blob:`).
 */
const ALTCHA_DIST = createRequire(import.meta.url).resolve('altcha').replace(/dist[\\/].*$/, 'dist/');
const ALTCHA_FILES = {
  'altcha.min.js': 'text/javascript; charset=utf-8',
  'altcha.css': 'text/css; charset=utf-8',
  // The strict-CSP build has no bundled workers: insured.js registers this one (same origin).
  'altcha-pbkdf2-worker.js': 'text/javascript; charset=utf-8',
} as const;
const ALTCHA_PATHS: Record<keyof typeof ALTCHA_FILES, string> = {
  'altcha.min.js': 'external/altcha.min.js',
  'altcha.css': 'external/altcha.css',
  'altcha-pbkdf2-worker.js': 'workers/pbkdf2.js',
};

/** The terms: configured text, else the catalog's; paragraphs split at blank lines. */
export function termsParagraphs(platform: Pick<Platform, 'config'>, lang: Lang): string[] {
  const configured = lang === 'fa' ? platform.config.insured.termsFa : platform.config.insured.termsEn;
  return (configured ?? t(lang, 'insured.terms_text')).split(/\n\s*\n|\\n\\n/).map((p) => p.trim()).filter(Boolean);
}

/** String fields of the form, for re-filling it. */
function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf' && k !== 'captcha') out[k] = v;
  return out;
}

type SuccessResult = { username: string; initialPassword: 'identifier' | 'sms'; days: number };

/** The services this plugin uses (it receives only these). */
export const INSURED_ROUTES_SERVICES = ['branches', 'clock', 'config', 'insured', 'limiter', 'secrets'] as const;

export const insuredRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof INSURED_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.insured;
  const branches = platform.branches;
  const pageResults = createPageResults(platform.secrets, { secure: platform.config.publicUrl.startsWith('https:'), now: platform.clock });
  const DONE_PATH = '/insured/register/done';
  const vendor = new Map<string, Buffer>();
  app.get<{ Params: { file: string } }>('/static/vendor/:file', async (request, reply) => {
    const file = request.params.file;
    if (!Object.hasOwn(ALTCHA_FILES, file)) return reply.callNotFound();
    let body = vendor.get(file);
    if (!body) vendor.set(file, (body = await readFile(ALTCHA_DIST + ALTCHA_PATHS[file as keyof typeof ALTCHA_FILES])));
    return reply.header('content-type', ALTCHA_FILES[file as keyof typeof ALTCHA_FILES]).header('cache-control', 'public, max-age=86400').send(body);
  });

  app.get('/insured/register', async (request, reply) =>
    sendPage(reply, TermsPage({ ctx: ctxOf(request, reply), paragraphs: termsParagraphs(platform, request.lang) })),
  );

  // Terms accepted (a GET form): show the registration form; otherwise the terms again.
  app.get<{ Querystring: Record<string, string | undefined> }>('/insured/register/form', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    if (!isChecked(request.query.acceptTerms)) {
      return sendPage(reply, TermsPage({ ctx, paragraphs: termsParagraphs(platform, request.lang), error: true }), 400);
    }
    return sendPage(reply, FormPage({ ctx, values: {}, errors: {}, branchResults: null, selectedBranch: null, mobileRequired: service.mobileRequired }));
  });

  const selectedBranch = async (code: string | undefined): Promise<BranchView | null> =>
    code && /^\d{1,10}$/.test(code) ? ((await branches.find(code)) ?? null) : null;

  app.get(DONE_PATH, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const done = pageResults.read<SuccessResult>(request, DONE_PATH);
    if (!done || typeof done.username !== 'string' || typeof done.days !== 'number') return sendPage(reply, SuccessGonePage({ ctx }));
    return sendPage(reply, SuccessPage({ ctx, username: done.username, initialPassword: done.initialPassword === 'sms' ? 'sms' : 'identifier', days: done.days }));
  });

  app.post('/insured/register', async (request: FastifyRequest, reply) => {
    const body = bodyOf(request);
    const values = formValues(body);
    const ctx = ctxOf(request, reply);
    if (!isChecked(body.acceptTerms)) {
      return sendPage(reply, TermsPage({ ctx, paragraphs: termsParagraphs(platform, request.lang), error: true }), 400);
    }
    // Without JavaScript the branch is found by a search submit: show the matches to pick from.
    if (values.intent === 'search_branch') {
      const byIp = await platform.limiter.consume('branchSearchPerIp', clientIp(request));
      const results = byIp.allowed ? await branches.search(values.branchQuery) : [];
      return sendPage(reply, FormPage({ ctx, values, errors: {}, branchResults: results, selectedBranch: null, mobileRequired: service.mobileRequired }));
    }
    const result = await service.register(body, { ip: clientIp(request), lang: request.lang });
    if (result.ok) {
      // The outcome is shown by a page of its own: reloading it never submits the form again.
      const done: SuccessResult = { username: result.value.username, initialPassword: result.value.initialPassword, days: result.value.initialPasswordDays };
      pageResults.keep(reply, DONE_PATH, done);
      return reply.redirect(DONE_PATH, 303);
    }
    const failure = result.error;
    if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
    const selected = await selectedBranch(values.branchCode);
    return sendPage(
      reply,
      FormPage({
        ctx,
        values: { ...values, ...(selected ? { branchQuery: branchName(ctx, selected) } : {}) },
        errors: formErrors(failure),
        errorParams: failure.params,
        branchResults: null,
        selectedBranch: selected,
        mobileRequired: service.mobileRequired,
      }),
      STATUS_OF[failure.kind],
    );
  });
};
