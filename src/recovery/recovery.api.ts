// JSON API of password recovery (API.md): startQuestionRecovery, completeQuestionRecovery, startSmsRecovery.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { errorSchema } from '../registration/registration.api.js';
import { SECURITY_QUESTIONS } from '../registration/securityQuestions.js';
import { bodyOf, clientIp, sendApiFailure } from '../web/http.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const digitsNote = 'Persian (۰-۹) or Arabic-Indic (٠-٩) digits are accepted.';
const nationalCode = { type: 'string', description: `National code (or the 12-digit foreign national identifier). ${digitsNote}` } as const;

/** The services this plugin uses (it receives only these). */
export const RECOVERY_API_ROUTES_SERVICES = ['recovery'] as const;

export const recoveryApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof RECOVERY_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.recovery;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });

  app.post(
    '/api/v1/recovery/question',
    {
      schema: {
        operationId: 'startQuestionRecovery',
        tags: ['recovery'],
        summary: 'The security question of a national code',
        description: 'Unknown national codes get a question too (always the same one for the same code), so the answer does not tell who has an account.',
        body: { type: 'object', properties: { nationalCode } },
        response: {
          200: { type: 'object', properties: { question: { type: 'string', enum: [...SECURITY_QUESTIONS] } }, required: ['question'] },
          ...errors(400, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await service.startQuestion(bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send({ question: result.value.question });
    },
  );

  app.post(
    '/api/v1/recovery/question/answer',
    {
      schema: {
        operationId: 'completeQuestionRecovery',
        tags: ['recovery'],
        summary: 'Answer and new password; ends every session and sends an SMS notice',
        description: 'The answer is compared after normalisation (digits, Arabic/Persian letter forms, spaces, punctuation, case). Tries per national code are limited per day (429).',
        body: {
          type: 'object',
          properties: {
            nationalCode,
            answer: { type: 'string' },
            newPassword: { type: 'string' },
            newPasswordConfirmation: { type: 'string' },
          },
        },
        response: { 200: { type: 'object', properties: {} }, ...errors(400, 429) },
      },
    },
    async (request, reply) => {
      const result = await service.completeQuestion(bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send({});
    },
  );

  app.post(
    '/api/v1/recovery/sms',
    {
      schema: {
        operationId: 'startSmsRecovery',
        tags: ['recovery'],
        summary: 'Sends a tracking code and a temporary password to the registered mobile',
        description:
          'The same 202 whether or not the national code and mobile match. Only the newest request’s temporary password works, once, until it expires (RECOVERY_SMS_TTL_HOURS); signing in with it requires a password change. Limited per day per national code, mobile and address (429).',
        body: { type: 'object', properties: { nationalCode, mobile: { type: 'string', description: `09xxxxxxxxx. ${digitsNote}` } } },
        response: { 202: { type: 'object', properties: {} }, ...errors(400, 429) },
      },
    },
    async (request, reply) => {
      const result = await service.startSms(bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(202).send({});
    },
  );
};
