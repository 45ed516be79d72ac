// Signing keys of the provider: created at first start, rotated by `keys rotate`. A retired
// key stays in the JWKS (verification only) for the retention period so tokens it signed
// stay verifiable; after that it is deleted.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'oidc-provider';
import type { Sealer } from './crypto.js';
import type { SsoQueries } from './sso.queries.js';

/**
 * A new RSA key, made on libuv's thread pool: finding its primes takes 40–230 ms of CPU here,
 * and `keys rotate` runs inside a running portal, which must go on answering meanwhile.
 */
const generateRsaKey = promisify(generateKeyPair);

export type SigningKeySummary = { kid: string; alg: string; createdAt: Date; retiredAt: Date | null };

export function createKeysService(deps: { queries: SsoQueries; sealer: Sealer; clock: () => Date; retentionSeconds: number }) {
  const { queries, sealer, clock } = deps;

  async function createKey(): Promise<string> {
    const { privateKey } = await generateRsaKey('rsa', { modulusLength: 2048 });
    const now = clock();
    const kid = `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('base64url')}`;
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    await queries.insertSigningKey({ kid, alg: 'RS256', privateJwkEncrypted: sealer.seal(JSON.stringify(jwk)), createdAt: now, retiredAt: null });
    return kid;
  }

  return {
    /** At start: a current key exists afterwards (two racing starts may both create one; both are then valid). */
    async ensureCurrentKey(): Promise<void> {
      const keys = await queries.listSigningKeys();
      if (!keys.some((k) => k.retiredAt === null)) await createKey();
    },

    /** A new current key; the others are retired (still published until the retention ends). */
    async rotate(): Promise<{ kid: string; retired: string[] }> {
      const before = (await queries.listSigningKeys()).filter((k) => k.retiredAt === null).map((k) => k.kid);
      const kid = await createKey();
      await queries.retireSigningKeys(kid, clock());
      return { kid, retired: before };
    },

    /** Drops keys retired longer ago than the retention period. */
    async pruneRetired(): Promise<number> {
      return queries.deleteSigningKeysRetiredBefore(new Date(clock().getTime() - deps.retentionSeconds * 1000));
    },

    async list(): Promise<SigningKeySummary[]> {
      return (await queries.listSigningKeys()).map(({ kid, alg, createdAt, retiredAt }) => ({ kid, alg, createdAt, retiredAt }));
    },

    /**
     * The private JWKS for the provider: the newest current key first (it signs), then
     * retired keys still within retention (they only verify what they signed before).
     */
    async jwks(): Promise<{ keys: JWK[]; fingerprint: string }> {
      const cutoff = clock().getTime() - deps.retentionSeconds * 1000;
      const rows = (await queries.listSigningKeys()).filter((k) => k.retiredAt === null || k.retiredAt.getTime() > cutoff);
      rows.sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null) || b.createdAt.getTime() - a.createdAt.getTime());
      const keys = rows.map((r) => {
        const jwk = JSON.parse(sealer.open(r.privateJwkEncrypted)) as JWK;
        // A retired key must never sign again, only verify.
        return r.retiredAt === null ? jwk : { ...jwk, key_ops: ['verify'] };
      });
      return { keys, fingerprint: rows.map((r) => `${r.kid}${r.retiredAt ? ':r' : ''}`).join(',') };
    },
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
