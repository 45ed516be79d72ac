// JSON API of doctors' registration (API.md): registerDoctor.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { errorSchema } from '../registration/registration.api.js';
import { requireApiSession } from '../signin/signin.api.js';
import { bodyOf, clientIp, sendApiFailure } from '../web/http.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));

/** getMe's `doctor` (API.md), for account.api's response schema. */
export const doctorSchema = {
  type: ['object', 'null'],
  description: "null, or the medical council number the person added and its verification status",
  properties: {
    medicalCouncilNumber: { type: 'string' },
    specialty: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['pending_verification', 'verified', 'rejected'] },
  },
  required: ['medicalCouncilNumber', 'specialty', 'status'],
} as const;

/** The services this plugin uses (it receives only these). */
export const DOCTORS_API_ROUTES_SERVICES = ['doctors'] as const;

export const doctorsApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof DOCTORS_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.post(
    '/api/v1/me/doctor',
    {
      schema: {
        operationId: 'registerDoctor',
        tags: ['session'],
        summary: "Adds the signed-in person's medical council number; it is checked against the medical council registry and the outcome is sent by SMS",
        description:
          "400 bad number (fields.medicalCouncilNumber); 403 account not active (doctors.account_not_active, doctors.national_code_required); 409 already a doctor (doctors.already_doctor), a request still being checked (doctors.request_pending), or the number belongs to another account (doctors.number_taken); 429 too many requests. A verified doctor holds the permission `doctor`; the SMS is in the language of Accept-Language.",
        security: [{ session: [] }],
        body: {
          type: 'object',
          properties: { medicalCouncilNumber: { type: 'string', description: 'Up to 8 digits; Persian (۰-۹) or Arabic-Indic (٠-٩) digits are accepted.' } },
        },
        response: {
          202: { type: 'object', properties: { status: { type: 'string', enum: ['pending_verification'] } }, required: ['status'] },
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const s = requireApiSession(request, reply);
      if (!s) return reply;
      const result = await platform.doctors.register(s.accountId, bodyOf(request), { ip: clientIp(request), lang: request.lang });
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(202).send(result.value);
    },
  );
};
