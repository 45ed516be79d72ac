// JSON API of central registration (API.md): startRegistration, verifyRegistrationMobile,
// completeRegistration, getRegistrationStatus, plus resending the mobile code.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { BIRTH_CERTIFICATE_SERIES_LETTERS } from '../identity/birthCertificate.js';
import { MOBILE_OPERATORS } from '../identity/mobile.js';
import type { Platform } from '../platform.js';
import { bodyOf, clientIp, sendApiFailure } from '../web/http.js';
import { COUNTRIES } from './countries.js';
import { SECURITY_QUESTIONS } from './securityQuestions.js';

/** Shared pieces of the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable error code (also the message key)' },
        message: { type: 'string', description: 'Localised text (Accept-Language: fa | en)' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'Field name → error code' },
        details: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Every problem of a field when there are several' },
      },
      required: ['code', 'message'],
    },
  },
} as const;

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const digitsNote = 'Persian (۰-۹) or Arabic-Indic (٠-٩) digits are accepted.';
const flowParams = { type: 'object', properties: { flowId: { type: 'string' } }, required: ['flowId'] } as const;

/** The services this plugin uses (it receives only these). */
export const REGISTRATION_API_ROUTES_SERVICES = ['registration'] as const;

export const registrationApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof REGISTRATION_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.registration;
  const meta = (request: FastifyRequest) => ({ ip: clientIp(request), lang: request.lang });

  app.post(
    '/api/v1/registration',
    {
      schema: {
        operationId: 'startRegistration',
        tags: ['registration'],
        summary: 'Step 1: national code, operator and mobile; sends a code by SMS',
        body: {
          type: 'object',
          properties: {
            nationalCode: { type: 'string', description: `10 digits, check digit validated. ${digitsNote}` },
            mobileOperator: { type: 'string', description: `One of ${MOBILE_OPERATORS.join(', ')}; a hint: a number is never refused for its operator` },
            mobile: { type: 'string', description: `09xxxxxxxxx, +989…, 00989…, 989… or 9xxxxxxxxx. ${digitsNote}` },
          },
        },
        response: {
          201: { type: 'object', properties: { flowId: { type: 'string' }, mobileCodeSent: { type: 'boolean' } }, required: ['flowId', 'mobileCodeSent'] },
          ...errors(400, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await service.start(bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(201).send(result.value);
    },
  );

  app.post<{ Params: { flowId: string } }>(
    '/api/v1/registration/:flowId/mobile-code',
    {
      schema: {
        operationId: 'verifyRegistrationMobile',
        tags: ['registration'],
        summary: 'Proves possession of the phone with the 6-digit SMS code',
        params: flowParams,
        body: { type: 'object', properties: { code: { type: 'string', description: `6 digits. ${digitsNote}` } } },
        response: { 200: { type: 'object', properties: {} }, ...errors(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const result = await service.verifyCode(request.params.flowId, bodyOf(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send({});
    },
  );

  app.post<{ Params: { flowId: string } }>(
    '/api/v1/registration/:flowId/mobile-code/resend',
    {
      schema: {
        operationId: 'resendRegistrationMobileCode',
        tags: ['registration'],
        summary: 'Sends a new code (the old one stops working); limited per flow and per mobile',
        params: flowParams,
        response: { 200: { type: 'object', properties: {} }, ...errors(404, 409, 429) },
      },
    },
    async (request, reply) => {
      const result = await service.resendCode(request.params.flowId, meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send({});
    },
  );

  app.post<{ Params: { flowId: string } }>(
    '/api/v1/registration/:flowId/details',
    {
      schema: {
        operationId: 'completeRegistration',
        tags: ['registration'],
        summary: 'Step 2: identity details, password and security question; creates the pending account',
        params: flowParams,
        body: {
          type: 'object',
          properties: {
            firstName: { type: 'string' },
            lastName: { type: 'string' },
            birthCertificateNumber: { type: 'string', description: '1–10 digits' },
            birthCertificateSerial: { type: 'string', description: '6 digits' },
            birthCertificateSeries: { type: 'string', description: `<letter>/<number>, e.g. الف/12; letters: ${BIRTH_CERTIFICATE_SERIES_LETTERS.join(' ')}` },
            birthDate: { type: 'string', description: 'Jalali YYYY-MM-DD, e.g. 1370-01-15' },
            gender: { type: 'string', description: 'male or female' },
            country: { type: 'string', description: `ISO 3166-1 alpha-2 code of the country of residence: ${COUNTRIES.join(', ')}` },
            city: { type: 'string' },
            email: { type: 'string', description: 'Optional' },
            password: { type: 'string', description: 'Latin letters, digits and & % $ # ! only; starts with a letter; upper, lower and digit; at least 8; no names or national code; not guessable' },
            passwordConfirmation: { type: 'string' },
            securityQuestion: { type: 'string', description: `Id of the chosen question: ${SECURITY_QUESTIONS.join(', ')}` },
            securityAnswer: { type: 'string' },
          },
        },
        response: {
          202: { type: 'object', properties: { status: { type: 'string', enum: ['pending_verification'] } }, required: ['status'] },
          ...errors(400, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await service.complete(request.params.flowId, bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(202).send(result.value);
    },
  );

  app.post(
    '/api/v1/registration/status',
    {
      schema: {
        operationId: 'getRegistrationStatus',
        tags: ['registration'],
        summary: 'State of a registration; unknown people and wrong mobiles both answer "none"',
        body: { type: 'object', properties: { nationalCode: { type: 'string' }, mobile: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string', enum: ['none', 'pending_verification', 'awaiting_branch_visit', 'active', 'rejected'] } },
            required: ['status'],
          },
          ...errors(400, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await service.status(bodyOf(request), meta(request));
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send(result.value);
    },
  );
};
