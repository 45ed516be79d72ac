// JSON API of sessions (API.md): signIn, changePassword, signOut. Cookie-less: the
// session token goes back as `sessionToken` and comes in as `Authorization: Bearer`.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../platform.js';
import { errorSchema } from '../registration/registration.api.js';
import { bodyOf, clientIp, sendApiFailure } from '../web/http.js';
import type { SignedInAccount } from './sessions.service.js';
import { userAgentOf } from './signin.web.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const digitsNote = 'Persian (۰-۹) or Arabic-Indic (٠-٩) digits are accepted.';

/** For API routes: the signed-in person of the bearer token, or a 401 already sent. */
export function requireApiSession(request: FastifyRequest, reply: FastifyReply): SignedInAccount | null {
  if (request.signedIn) return request.signedIn;
  void sendApiFailure(reply, request.lang, { kind: 'unauthenticated', code: 'session.required' });
  return null;
}

/** The services this plugin uses (it receives only these). */
export const SIGNIN_API_ROUTES_SERVICES = ['account', 'sessions', 'signin'] as const;

export const signinApiRoutes: FastifyPluginAsync<{ platform: Pick<Platform, (typeof SIGNIN_API_ROUTES_SERVICES)[number]> }> = async (app, { platform }) => {
  app.post(
    '/api/v1/session',
    {
      schema: {
        operationId: 'signIn',
        tags: ['session'],
        summary: 'Signs in with username (national code or foreign national identifier) and password',
        description:
          '401 wrong username or password; 403 account not active (code signin.account_pending_verification, signin.account_awaiting_branch_visit, signin.account_disabled); 423 locked after too many wrong passwords; 429 too many attempts. With the temporary password of an SMS recovery, requiredActions is ["change_password"].',
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', description: `National code (10 digits) or foreign national identifier (12 digits). ${digitsNote}` },
            password: { type: 'string' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              sessionToken: { type: 'string', description: 'Send as Authorization: Bearer <sessionToken>' },
              requiredActions: { type: 'array', items: { type: 'string', enum: ['change_password'] } },
            },
            required: ['sessionToken', 'requiredActions'],
          },
          ...errors(400, 401, 403, 423, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await platform.signin.signIn(bodyOf(request), {
        ip: clientIp(request),
        lang: request.lang,
        userAgent: userAgentOf(request),
        kind: 'api',
      });
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send({ sessionToken: result.value.session.token, requiredActions: result.value.requiredActions });
    },
  );

  app.post(
    '/api/v1/session/password',
    {
      schema: {
        operationId: 'changePassword',
        tags: ['session'],
        summary: 'Changes the password; ends every other session and sends an SMS notice',
        description:
          'currentPassword is not required right after signing in with a temporary password (SMS recovery). A wrong currentPassword counts as a failed sign-in (429 after too many from one address). The session continues under a new token, returned as sessionToken: the old token stops working.',
        security: [{ session: [] }],
        body: {
          type: 'object',
          properties: {
            currentPassword: { type: 'string' },
            newPassword: { type: 'string', description: 'Latin letters, digits and & % $ # ! only; starts with a letter; upper, lower and digit; at least 8; no names or national code; not guessable' },
            newPasswordConfirmation: { type: 'string' },
          },
        },
        response: { 200: { type: 'object', properties: { sessionToken: { type: 'string' } } }, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const s = requireApiSession(request, reply);
      if (!s) return reply;
      const result = await platform.account.changePassword(
        { accountId: s.accountId, sessionId: s.sessionId, authMethod: s.authMethod },
        bodyOf(request),
        { ip: clientIp(request), lang: request.lang },
      );
      if (!result.ok) return sendApiFailure(reply, request.lang, result.error);
      return reply.status(200).send(result.value.rotated ? { sessionToken: result.value.rotated.token } : {});
    },
  );

  app.delete(
    '/api/v1/session',
    {
      schema: {
        operationId: 'signOut',
        tags: ['session'],
        summary: 'Ends the session of the bearer token',
        security: [{ session: [] }],
        response: { 204: { type: 'null', description: 'Signed out' }, ...errors(401) },
      },
    },
    async (request, reply) => {
      const s = requireApiSession(request, reply);
      if (!s) return reply;
      await platform.sessions.end(s.sessionId, 'signed_out');
      // No single sign-on to end here: services open only through a browser's portal
      // session (cookie), never through an API session, and the person's browsers keep
      // their own portal sessions — ending all their SSO sessions would sign those out of
      // every service while the portal still shows them signed in.
      return reply.status(204).send();
    },
  );
};
