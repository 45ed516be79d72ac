// Browser routes of central registration: forms in, redirects or re-rendered forms out.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toLatinDigits } from '../identity/digits.js';
import type { Platform } from '../platform.js';
import type { Failure } from '../shared/failure.js';
import type { MessageKey } from '../messages/index.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import { createPageResults } from '../web/result.js';
import { STATUS_OF } from '../shared/failure.js';
import type { RegistrationStatus } from './registration.service.js';
import { passwordMessageParams } from '../identity/password.js';
import { choosePlace } from './places.js';
import { CodePage, DetailsPage, FlowProblemPage, StartPage, StatusPage, SubmittedPage } from './registration.page.js';

type Params = { flowId: string };

const REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['none', 'pending_verification', 'awaiting_branch_visit', 'active', 'rejected'];

/** Only string fields of a form, for re-filling it (passwords are never echoed). */
function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' && k !== '_csrf' && !k.toLowerCase().includes('password')) out[k] = v;
  }
  return out;
}

/** Step 2 sends the birth date and certificate series in parts; the service takes them whole. */
export function detailsFromForm(body: Record<string, string>): Record<string, unknown> {
  const place = placeFromForm(body);
  const part = (s: string | undefined) => toLatinDigits((s ?? '').trim());
  const [day, month, year] = [part(body.birthDay), part(body.birthMonth), part(body.birthYear)];
  const birthDate = day || month || year ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` : '';
  const letter = (body.birthCertificateSeriesLetter ?? '').trim();
  const number = part(body.birthCertificateSeriesNumber);
  const birthCertificateSeries = letter || number ? `${letter}/${number}` : '';
  return { ...body, birthDate, birthCertificateSeries, city: place.ok ? place.city : '' };
}

/**
 * The place of residence: in Iran a city picked from its province's list (checked here, the
 * service only sees a valid name); abroad the city as typed.
 */
export function placeFromForm(body: Record<string, string>): { ok: true; city: string } | { ok: false; field: 'province' | 'city'; error: MessageKey } {
  const country = (body.country ?? '').trim().toUpperCase();
  if (country !== '' && country !== 'IR') return { ok: true, city: body.cityAbroad ?? body.city ?? '' };
  const chosen = choosePlace(body.province, body.city);
  return chosen.ok ? { ok: true, city: chosen.city } : chosen;
}

/** What step 2 keeps of an expired flow: everything typed but the passwords (formValues drops those). */
const KEPT_DETAILS = 'kept-details';
const KEPT_SECONDS = 2 * 60 * 60;

/** The services this plugin uses (it receives only these). */
export const REGISTRATION_ROUTES_SERVICES = ['clock', 'config', 'registration', 'secrets'] as const;

export const registrationRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof REGISTRATION_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.registration;
  const settings = platform.config.registration;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });
  const pageResults = createPageResults(platform.secrets, { secure: platform.config.publicUrl.startsWith('https:'), now: platform.clock });
  const STATUS_RESULT_PATH = '/register/status/result';
  const passwordParams = passwordMessageParams(service.passwordPolicy);
  const timing = { flowMinutes: settings.flowTtlMinutes };
  const keptDetails = (request: FastifyRequest) => pageResults.read<{ values?: Record<string, unknown> }>(request, '/register', KEPT_DETAILS)?.values;

  const flowProblem = (request: FastifyRequest, reply: FastifyReply, failure: Failure) =>
    sendPage(reply, FlowProblemPage({ ctx: ctxOf(request, reply), message: failure.code }), STATUS_OF[failure.kind]);

  app.get<{ Querystring: { expired?: string } }>('/register', async (request, reply) => {
    const kept = request.query.expired ? keptDetails(request) : undefined;
    const values: Record<string, string> = {};
    if (kept) {
      const str = (v: unknown) => (typeof v === 'string' ? toLatinDigits(v) : '');
      values.nationalCode = str(kept.ro_nationalCode);
      values.mobile = str(kept.ro_mobile);
      values.mobileOperator = str(kept.ro_mobileOperatorCode);
    }
    return sendPage(
      reply,
      StartPage({ ctx: ctxOf(request, reply), values, errors: {}, ...timing, ...(request.query.expired ? { expired: { kept: !!kept } } : {}) }),
    );
  });

  app.post('/register', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.start(body, meta(request));
    if (result.ok) return reply.redirect(`/register/flow/${result.value.flowId}`, 303);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(
      reply,
      StartPage({ ctx: ctxOf(request, reply), values: formValues(body), errors: formErrors(result.error), errorParams: result.error.params, ...timing }),
      STATUS_OF[result.error.kind],
    );
  });

  app.get<{ Params: Params; Querystring: { resent?: string } }>('/register/flow/:flowId', async (request, reply) => {
    const flow = await service.getFlow(request.params.flowId);
    if (!flow.ok) return flowProblem(request, reply, flow.error);
    const ctx = ctxOf(request, reply);
    switch (flow.value.state) {
      case 'mobile_code':
        return sendPage(
          reply,
          CodePage({
            ctx,
            flow: flow.value,
            errors: {},
            ttlMinutes: Math.ceil(settings.mobileCodeTtlSeconds / 60),
            ...(request.query.resent ? { notice: 'registration.code_resent' as MessageKey } : {}),
          }),
        );
      case 'details': {
        // What was typed before this person's earlier flow expired fills the form again.
        const kept = keptDetails(request);
        const values: Record<string, string> = {};
        if (kept && typeof kept.ro_nationalCode === 'string' && toLatinDigits(kept.ro_nationalCode) === flow.value.nationalCode) {
          for (const [k, v] of Object.entries(kept)) if (typeof v === 'string' && !k.startsWith('ro_')) values[k] = v;
        }
        return sendPage(
          reply,
          DetailsPage({ ctx, flow: flow.value, values, errors: {}, passwordProblems: [], passwordParams, ...timing, restored: Object.keys(values).length > 0 }),
        );
      }
      case 'completed':
        return sendPage(reply, SubmittedPage({ ctx }));
    }
  });

  app.post<{ Params: Params }>('/register/flow/:flowId/code', async (request, reply) => {
    const { flowId } = request.params;
    const result = await service.verifyCode(flowId, bodyOf(request));
    if (result.ok) return reply.redirect(`/register/flow/${flowId}`, 303);
    const failure = result.error;
    const flow = await service.getFlow(flowId);
    if (!flow.ok || failure.kind !== 'invalid') return flowProblem(request, reply, failure);
    return sendPage(
      reply,
      CodePage({ ctx: ctxOf(request, reply), flow: flow.value, errors: formErrors(failure), ttlMinutes: Math.ceil(settings.mobileCodeTtlSeconds / 60) }),
      400,
    );
  });

  app.post<{ Params: Params }>('/register/flow/:flowId/resend', async (request, reply) => {
    const { flowId } = request.params;
    const result = await service.resendCode(flowId, meta(request));
    if (result.ok) return reply.redirect(`/register/flow/${flowId}?resent=1`, 303);
    const flow = await service.getFlow(flowId);
    if (!flow.ok || flow.value.state !== 'mobile_code') return flowProblem(request, reply, result.error);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(
      reply,
      CodePage({ ctx: ctxOf(request, reply), flow: flow.value, errors: formErrors({ ...result.error, fields: {} }), errorParams: result.error.params, ttlMinutes: Math.ceil(settings.mobileCodeTtlSeconds / 60) }),
      STATUS_OF[result.error.kind],
    );
  });

  app.post<{ Params: Params }>('/register/flow/:flowId/details', async (request, reply) => {
    const { flowId } = request.params;
    const values = formValues(bodyOf(request));
    const body = bodyOf(request);
    const place = placeFromForm(values);
    const input = { ...detailsFromForm(values), password: body.password, passwordConfirmation: body.passwordConfirmation };
    // A city not from the list: the service refuses the empty city with the other errors; the
    // field then says what is wrong with the choice.
    const result = await service.complete(flowId, input, meta(request));
    if (result.ok) {
      pageResults.drop(reply, '/register', KEPT_DETAILS);
      return reply.redirect(`/register/flow/${flowId}`, 303);
    }
    const failure = result.error;
    if (failure.code === 'registration.flow_expired') {
      // Time ran out: what was typed (never the passwords) waits for the next attempt.
      pageResults.keep(reply, '/register', { values }, { ttlSeconds: KEPT_SECONDS, key: KEPT_DETAILS });
      return reply.redirect('/register?expired=1', 303);
    }
    const flow = await service.getFlow(flowId);
    if (!flow.ok || failure.kind !== 'invalid') return flowProblem(request, reply, failure);
    const errors = formErrors(failure);
    if (!place.ok) {
      delete errors._form;
      delete errors.city;
      errors[place.field] = place.error;
    }
    return sendPage(
      reply,
      DetailsPage({
        ctx: ctxOf(request, reply),
        flow: flow.value,
        values,
        errors,
        passwordProblems: failure.fieldDetails?.password ?? [],
        passwordParams,
        ...timing,
      }),
      400,
    );
  });

  app.get('/register/status', async (request, reply) => sendPage(reply, StatusPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.get(STATUS_RESULT_PATH, async (request, reply) => {
    const kept = pageResults.read<{ status?: unknown }>(request, STATUS_RESULT_PATH);
    const status = REGISTRATION_STATUSES.find((s) => s === kept?.status);
    if (!status) return reply.redirect('/register/status', 303);
    return sendPage(reply, StatusPage({ ctx: ctxOf(request, reply), values: {}, errors: {}, status }));
  });

  app.post('/register/status', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.status(body, meta(request));
    const ctx = ctxOf(request, reply);
    if (result.ok) {
      // The answer is a page of its own: Back and reload never post the form again.
      pageResults.keep(reply, STATUS_RESULT_PATH, { status: result.value.status });
      return reply.redirect(STATUS_RESULT_PATH, 303);
    }
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(reply, StatusPage({ ctx, values: formValues(body), errors: formErrors(result.error), errorParams: result.error.params }), STATUS_OF[result.error.kind]);
  });
};
