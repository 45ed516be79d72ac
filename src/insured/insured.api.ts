// JSON API of insured registration (API.md): registerInsured, getCaptcha, and the branch
// search behind the form's suggestions.
import type { FastifyPluginAsync } from 'fastify';
import { errorSchema } from '../registration/registration.api.js';
import type { Platform } from '../platform.js';
import { bodyOf, clientIp, sendApiFailure } from '../web/http.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const digitsNote = 'Persian (۰-۹) or Arabic-Indic (٠-٩) digits are accepted.';

const branchSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: 'string' }, province: { type: 'string' }, city: { type: 'string' }, nameEn: { type: ['string', 'null'], description: 'English name, when the branch list has one' } },
  required: ['code', 'name', 'province', 'city'],
} as const;

/** The services this plugin uses (it receives only these). */
export const INSURED_API_ROUTES_SERVICES = ['branches', 'captcha', 'insured', 'limiter'] as const;

export const insuredApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof INSURED_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  const service = platform.insured;

  app.post(
    '/api/v1/insured-registration',
    {
      schema: {
        operationId: 'registerInsured',
        tags: ['insured'],
        summary: 'Insured-person (SAMT) registration: checked against the insurance records; creates an active account whose initial password must be changed',
        description:
          'Refusals: 400 with `fields` (terms not accepted, bad identifier, unknown branch, bad insurance number, captcha missing/invalid/expired/replayed, insurance number or branch not matching the records), 403 `insured.group_closed` (the insurance group is not open to online registration), 409 `insured.already_registered`, 429, 503 (insurance records unavailable).',
        body: {
          type: 'object',
          properties: {
            acceptTerms: { type: 'boolean', description: 'Must be true: the registration terms were shown and accepted' },
            isForeignNational: { type: 'boolean', description: 'true: foreignNationalId instead of nationalCode' },
            nationalCode: { type: 'string', description: `10 digits, check digit validated. ${digitsNote}` },
            foreignNationalId: { type: 'string', description: `12 digits (foreign nationals without one get it at a branch). ${digitsNote}` },
            branchCode: { type: 'string', description: 'Code of the branch holding the insurance record (see GET /api/v1/branches)' },
            insuranceNumber: { type: 'string', description: `Up to 10 digits (zero-padded to 10). ${digitsNote}` },
            mobile: { type: 'string', description: 'Optional (required when the initial password is sent by SMS); password recovery works only through it' },
            email: { type: 'string', description: 'Optional' },
            captcha: { type: 'string', description: 'ALTCHA payload: base64 of JSON {challenge, solution} for a challenge from GET /api/v1/captcha; single-use' },
          },
        },
        response: {
          201: { type: 'object', properties: { username: { type: 'string', description: 'The national code or foreign national identifier' } }, required: ['username'] },
          ...errors(400, 403, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await service.register(bodyOf(request), { ip: clientIp(request), lang: request.lang });
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(201).send({ username: result.value.username });
    },
  );

  app.get(
    '/api/v1/captcha',
    {
      schema: {
        operationId: 'getCaptcha',
        tags: ['insured'],
        summary: 'A new ALTCHA proof-of-work challenge (PBKDF2/SHA-256, signed, expiring, single-use)',
        response: {
          200: {
            type: 'object',
            properties: {
              parameters: {
                type: 'object',
                additionalProperties: true,
                properties: {
                  algorithm: { type: 'string' },
                  nonce: { type: 'string' },
                  salt: { type: 'string' },
                  cost: { type: 'integer' },
                  keyLength: { type: 'integer' },
                  keyPrefix: { type: 'string' },
                  data: { type: 'object', additionalProperties: true, description: '`exp`: expiry, seconds since the epoch' },
                },
                required: ['algorithm', 'nonce', 'salt', 'cost', 'keyLength', 'keyPrefix'],
              },
              signature: { type: 'string' },
            },
            required: ['parameters', 'signature'],
          },
          ...errors(429),
        },
      },
    },
    async (request, reply) => {
      const byIp = await platform.limiter.consume('captchaPerIp', clientIp(request));
      if (!byIp.allowed) {
        const s = byIp.retryAfterSeconds;
        return sendApiFailure(reply, request.lang, { kind: 'limited', code: 'insured.rate_limited', retryAfterSeconds: s, params: { minutes: Math.max(1, Math.ceil(s / 60)) } });
      }
      return reply.header('cache-control', 'no-store').send(await platform.captcha.challenge());
    },
  );

  app.get<{ Querystring: { q?: string } }>(
    '/api/v1/branches',
    {
      schema: {
        operationId: 'searchBranches',
        tags: ['insured'],
        summary: 'Branches whose name, province, city or code contains every typed word (at most 10)',
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 100 } } },
        response: {
          200: { type: 'object', properties: { branches: { type: 'array', items: branchSchema } }, required: ['branches'] },
          ...errors(429),
        },
      },
    },
    async (request, reply) => {
      const byIp = await platform.limiter.consume('branchSearchPerIp', clientIp(request));
      if (!byIp.allowed) {
        const s = byIp.retryAfterSeconds;
        return sendApiFailure(reply, request.lang, { kind: 'limited', code: 'insured.rate_limited', retryAfterSeconds: s, params: { minutes: Math.max(1, Math.ceil(s / 60)) } });
      }
      return reply.send({ branches: await platform.branches.search(request.query.q ?? '') });
    },
  );
};
