// What single sign-on needs from the portal's own sign-in (src/signin): who is signed in
// on this browser, signing in with the form, and ending the portal session. Wired in
// platform.ts so the provider never reaches into sign-in's tables.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Result } from '../identity/result.js';
import type { Failure } from '../shared/failure.js';

export type PortalSession = {
  accountId: string;
  /** A forced password change is pending: no service opens until it is done. */
  mustChangePassword: boolean;
  /** When the person signed in (proved who they are) for this session. */
  signedInAt: Date;
  /** How: `password`, `temporary_password`, `sms_code` (later passkeys). */
  authMethod: string;
};

export interface PortalSignIn {
  /** The portal session of this browser request, if any. */
  current(request: FastifyRequest): Promise<PortalSession | undefined>;
  /** Checks the sign-in form and starts a portal session (sets its cookie on `reply`). */
  signIn(request: FastifyRequest, reply: FastifyReply, form: { username: string; password: string; captcha?: unknown }): Promise<Result<PortalSession, Failure>>;
  /** Ends the portal session of this browser request (server side). */
  signOut(request: FastifyRequest): Promise<void>;
  /** `Set-Cookie` values that clear the portal session cookie in the browser. */
  clearCookies(): string[];
  /** Where a person with a forced change goes; `returnTo` is a local path to come back to. */
  passwordChangeUrl(returnTo: string): string;
}
