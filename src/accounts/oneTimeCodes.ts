// The one library for one-time SMS codes (registration's mobile proof, sign-in by code, a
// new mobile number by the person or by staff): issue, verify, expire, limit tries. Where a
// code is stored is the caller's (a registration flow, an account code); how it is made,
// kept (an HMAC bound to its flow, never the code) and judged is here, once.
import type { Secrets } from '../security/secrets.js';
import { randomDigits } from '../security/secrets.js';
import { toLatinDigits } from '../identity/digits.js';
import { err, ok, type Result } from '../identity/result.js';

export const CODE_LENGTH = 6;

export type CodeProblem = 'required' | 'format' | 'attempts_exceeded' | 'expired' | 'wrong';

export type StoredCode = {
  /** HMAC of flow id and code; null when no code was sent (a decoy flow that can never succeed). */
  hash: string | null;
  expiresAt: Date | null;
  /** Attempts already counted (before this one). */
  attempts: number;
};

export type IssuedCode = { code: string; hash: string; expiresAt: Date };

export function createOneTimeCodes(deps: { secrets: Secrets; clock: () => Date }) {
  const { secrets, clock } = deps;
  const hashOf = (purpose: string, flowId: string, code: string) => secrets.hmac(purpose, `${flowId}:${code}`);

  return {
    /** A fresh code for a flow: the code goes into the SMS, only its hash is stored. */
    issue(purpose: string, flowId: string, ttlSeconds: number): IssuedCode {
      const code = randomDigits(CODE_LENGTH);
      return { code, hash: hashOf(purpose, flowId, code), expiresAt: new Date(clock().getTime() + ttlSeconds * 1000) };
    },

    /**
     * Judges a typed code. The attempt is counted (atomically, by `countAttempt`) before the
     * comparison, so parallel guesses can never exceed `maxAttempts`. A code's validity runs
     * from when the gateway accepted its SMS (`deliveredAt`) when that was later than issuing.
     */
    async verify(args: {
      purpose: string;
      flowId: string;
      input: unknown;
      stored: StoredCode;
      maxAttempts: number;
      ttlSeconds: number;
      countAttempt: () => Promise<number>;
      deliveredAt?: Date | null;
    }): Promise<Result<true, CodeProblem>> {
      const raw = typeof args.input === 'string' ? toLatinDigits(args.input).replace(/\s+/g, '') : '';
      if (raw === '') return err('required');
      if (!new RegExp(`^\\d{${CODE_LENGTH}}$`).test(raw)) return err('format');
      if (args.stored.attempts >= args.maxAttempts) return err('attempts_exceeded');
      const attempts = await args.countAttempt();
      if (attempts > args.maxAttempts) return err('attempts_exceeded');
      const issuedExpiry = args.stored.expiresAt?.getTime() ?? 0;
      const deliveredExpiry = args.deliveredAt ? args.deliveredAt.getTime() + args.ttlSeconds * 1000 : 0;
      if (Math.max(issuedExpiry, deliveredExpiry) <= clock().getTime()) return err('expired');
      if (!args.stored.hash || !secrets.equal(args.stored.hash, hashOf(args.purpose, args.flowId, raw))) {
        return err(attempts >= args.maxAttempts ? 'attempts_exceeded' : 'wrong');
      }
      return ok(true);
    },
  };
}

export type OneTimeCodes = ReturnType<typeof createOneTimeCodes>;
