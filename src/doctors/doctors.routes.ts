// Browser routes of doctors' registration: the guide (public, the sign-in page links it)
// and the person's /account/doctor page. HTTP only: the rules live in doctors.service.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { STATUS_OF } from '../shared/failure.js';
import { requirePageSession } from '../signin/session.hooks.js';
import { bodyOf, clientIp, ctxOf, formErrors, sendPage } from '../web/http.js';
import { DoctorPage, DoctorsGuidePage } from './doctors.page.js';

/** The services this plugin uses (it receives only these). */
export const DOCTORS_ROUTES_SERVICES = ['doctors'] as const;

export const doctorsRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof DOCTORS_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.doctors;

  app.get('/doctors', async (request, reply) => sendPage(reply, DoctorsGuidePage({ ctx: ctxOf(request, reply) })));

  app.get<{ Querystring: { notice?: string } }>('/account/doctor', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const doctor = await service.viewOf(s.accountId);
    // The "recorded" notice only while the request waits (a reload after the outcome shows the outcome alone).
    const notice = request.query.notice === 'submitted' && doctor?.status === 'pending_verification' ? 'doctors.submitted' : undefined;
    return sendPage(reply, DoctorPage({ ctx: ctxOf(request, reply), doctor, values: {}, errors: {}, notice }));
  });

  app.post('/account/doctor', async (request, reply) => {
    const s = requirePageSession(request, reply);
    if (!s) return reply;
    const body = bodyOf(request);
    const result = await service.register(s.accountId, body, { ip: clientIp(request), lang: request.lang });
    if (result.ok) return reply.redirect('/account/doctor?notice=submitted', 303);
    if (result.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(result.error.retryAfterSeconds));
    const doctor = await service.viewOf(s.accountId);
    const values = { medicalCouncilNumber: typeof body.medicalCouncilNumber === 'string' ? body.medicalCouncilNumber : '' };
    return sendPage(
      reply,
      DoctorPage({ ctx: ctxOf(request, reply), doctor, values, errors: formErrors(result.error), errorParams: result.error.params }),
      STATUS_OF[result.error.kind],
    );
  });
};
