// JSON API of the signed-in person (API.md): getMe.
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import { errorSchema } from '../registration/registration.api.js';
import { requireApiSession } from '../signin/signin.api.js';
import { sendApiFailure } from '../web/http.js';
import { doctorSchema } from '../doctors/doctors.api.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));

/** The services this plugin uses (it receives only these). */
export const ACCOUNT_API_ROUTES_SERVICES = ['account', 'doctors'] as const;

export const accountApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof ACCOUNT_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.get(
    '/api/v1/me',
    {
      schema: {
        operationId: 'getMe',
        tags: ['session'],
        summary: 'The signed-in person',
        description: '403 session.password_change_required while a password change is pending; 401 without a valid session.',
        security: [{ session: [] }],
        response: {
          200: {
            type: 'object',
            properties: {
              nationalCode: { type: ['string', 'null'], description: 'null for foreign nationals' },
              foreignNationalId: { type: ['string', 'null'] },
              firstName: { type: ['string', 'null'] },
              lastName: { type: ['string', 'null'] },
              mobile: { type: ['string', 'null'] },
              status: { type: 'string', enum: ['active'] },
              permissions: { type: 'array', items: { type: 'string' } },
              doctor: doctorSchema,
            },
            required: ['nationalCode', 'firstName', 'lastName', 'mobile', 'status', 'permissions'],
          },
          ...errors(401, 403),
        },
      },
    },
    async (request, reply) => {
      const s = requireApiSession(request, reply);
      if (!s) return reply;
      // Both from copies once warm; read together the first time (one wait, not two).
      const [p, doctor] = await Promise.all([platform.account.profile(s.accountId), platform.doctors.summaryOf(s.accountId)]);
      if (!p) return sendApiFailure(reply, request.lang, { kind: 'unauthenticated', code: 'session.required' });
      return reply.status(200).send({
        nationalCode: p.nationalCode,
        foreignNationalId: p.foreignNationalId,
        firstName: p.firstName,
        lastName: p.lastName,
        mobile: p.mobile,
        status: p.status,
        permissions: p.permissions,
        doctor,
      });
    },
  );
};
