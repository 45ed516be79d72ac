// Self-hosted ALTCHA captcha (altcha-lib 2.x): signed PBKDF2 proof-of-work challenges,
// verified on the server, expiring (by our injected clock) and single-use (used
// challenges are kept in the database until they expire).
import { createChallenge, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ok, err, type Result } from '../identity/result.js';
import type { Secrets } from '../security/secrets.js';
import * as q from './captcha.queries.js';

export const CAPTCHA_ALGORITHM = 'PBKDF2/SHA-256';
export const CAPTCHA_ERRORS = ['captcha.required', 'captcha.invalid', 'captcha.expired', 'captcha.replayed'] as const;
export type CaptchaError = (typeof CAPTCHA_ERRORS)[number];

/** The payload the widget posts: base64 of JSON `{challenge, solution}`. */
type Payload = { challenge: Challenge; solution: Solution };

function decodePayload(input: string): Payload | null {
  if (input.length > 8192) return null;
  try {
    const value = JSON.parse(Buffer.from(input, 'base64').toString('utf8')) as unknown;
    if (!value || typeof value !== 'object') return null;
    const { challenge, solution } = value as Record<string, unknown>;
    if (!challenge || typeof challenge !== 'object' || !solution || typeof solution !== 'object') return null;
    const params = (challenge as Record<string, unknown>).parameters;
    if (!params || typeof params !== 'object') return null;
    return value as Payload;
  } catch {
    return null;
  }
}

export function createCaptchaService(deps: { db: Kysely<DB>; secrets: Secrets; clock: () => Date; cost: number; ttlSeconds: number }) {
  const { db, secrets, clock } = deps;
  const hmacSignatureSecret = secrets.hmac('altcha-signature', 'v2');
  return {
    /**
     * A new signed challenge. Its expiry travels in the signed `data.exp` (seconds), not
     * in `expiresAt`, because altcha-lib checks `expiresAt` against the machine clock and
     * ours is injected.
     */
    async challenge(): Promise<Challenge> {
      const exp = Math.floor(clock().getTime() / 1000) + deps.ttlSeconds;
      return createChallenge({
        algorithm: CAPTCHA_ALGORITHM,
        cost: deps.cost,
        deriveKey,
        data: { exp },
        hmacSignatureSecret,
      });
    },

    /** Checks a posted payload and uses it up: a second submission of it is a replay. */
    async verify(input: unknown): Promise<Result<void, CaptchaError>> {
      if (typeof input !== 'string' || input.trim() === '') return err('captcha.required');
      const payload = decodePayload(input.trim());
      if (!payload) return err('captcha.invalid');
      let verified = false;
      try {
        const r = await verifySolution({ challenge: payload.challenge, solution: payload.solution, deriveKey, hmacSignatureSecret });
        verified = r.verified;
      } catch {
        // An unknown algorithm or malformed parameters: a forged payload.
        verified = false;
      }
      if (!verified || payload.challenge.parameters.algorithm !== CAPTCHA_ALGORITHM) return err('captcha.invalid');
      const exp = payload.challenge.parameters.data?.exp;
      if (typeof exp !== 'number') return err('captcha.invalid');
      const expiresAt = new Date(exp * 1000);
      if (expiresAt <= clock()) return err('captcha.expired');
      const fresh = await q.recordCaptchaUse(db, secrets.hmac('altcha-used', payload.challenge.signature!), expiresAt);
      return fresh ? ok(undefined) : err('captcha.replayed');
    },

    purgeExpired: () => q.deleteExpiredCaptchaUses(db, clock()),
  };
}

export type CaptchaService = ReturnType<typeof createCaptchaService>;
