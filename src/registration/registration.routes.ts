// Browser routes of central registration: forms in, redirects or re-rendered forms out.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toLatinDigits } from '../identity/digits.js';
import type { Platform } from '../platform.js';
import type { Failure } from '../shared/failure.js';
import type { MessageKey } from '../web/i18n.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import { STATUS_OF } from '../shared/failure.js';
import { CodePage, DetailsPage, FlowProblemPage, StartPage, StatusPage, SubmittedPage } from './registration.page.js';

type Params = { flowId: string };

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
  const part = (s: string | undefined) => toLatinDigits((s ?? '').trim());
  const [day, month, year] = [part(body.birthDay), part(body.birthMonth), part(body.birthYear)];
  const birthDate = day || month || year ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` : '';
  const letter = (body.birthCertificateSeriesLetter ?? '').trim();
  const number = part(body.birthCertificateSeriesNumber);
  const birthCertificateSeries = letter || number ? `${letter}/${number}` : '';
  return { ...body, birthDate, birthCertificateSeries };
}

export const registrationRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  const service = platform.registration;
  const settings = platform.config.registration;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });

  const flowProblem = (request: FastifyRequest, reply: FastifyReply, failure: Failure) =>
    sendPage(reply, FlowProblemPage({ ctx: ctxOf(request, reply), message: failure.code }), STATUS_OF[failure.kind]);

  app.get('/register', async (request, reply) => sendPage(reply, StartPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.post('/register', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.start(body, meta(request));
    if (result.ok) return reply.redirect(`/register/flow/${result.value.flowId}`, 303);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(
      reply,
      StartPage({ ctx: ctxOf(request, reply), values: formValues(body), errors: formErrors(result.error), errorParams: result.error.params }),
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
      case 'details':
        return sendPage(reply, DetailsPage({ ctx, flow: flow.value, values: {}, errors: {}, passwordProblems: [], passwordMin: service.passwordPolicy.minLength }));
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
      CodePage({ ctx: ctxOf(request, reply), flow: flow.value, errors: { _form: result.error.code }, errorParams: result.error.params, ttlMinutes: Math.ceil(settings.mobileCodeTtlSeconds / 60) }),
      STATUS_OF[result.error.kind],
    );
  });

  app.post<{ Params: Params }>('/register/flow/:flowId/details', async (request, reply) => {
    const { flowId } = request.params;
    const values = formValues(bodyOf(request));
    const body = bodyOf(request);
    const input = { ...detailsFromForm(values), password: body.password, passwordConfirmation: body.passwordConfirmation };
    const result = await service.complete(flowId, input, meta(request));
    if (result.ok) return reply.redirect(`/register/flow/${flowId}`, 303);
    const failure = result.error;
    const flow = await service.getFlow(flowId);
    if (!flow.ok || failure.kind !== 'invalid') return flowProblem(request, reply, failure);
    return sendPage(
      reply,
      DetailsPage({
        ctx: ctxOf(request, reply),
        flow: flow.value,
        values,
        errors: formErrors(failure),
        passwordProblems: failure.fieldDetails?.password ?? [],
        passwordMin: service.passwordPolicy.minLength,
      }),
      400,
    );
  });

  app.get('/register/status', async (request, reply) => sendPage(reply, StatusPage({ ctx: ctxOf(request, reply), values: {}, errors: {} })));

  app.post('/register/status', async (request, reply) => {
    const body = bodyOf(request);
    const result = await service.status(body, meta(request));
    const ctx = ctxOf(request, reply);
    if (result.ok) return sendPage(reply, StatusPage({ ctx, values: formValues(body), errors: {}, status: result.value.status }));
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    return sendPage(reply, StatusPage({ ctx, values: formValues(body), errors: formErrors(result.error), errorParams: result.error.params }), STATUS_OF[result.error.kind]);
  });
};
