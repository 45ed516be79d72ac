// The server secret and keys derived from it (cookie signing, lookup HMACs, code HMACs).
import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useAuditKey } from '../audit/audit.js';

/** Development convenience: without SECRET_KEY a random one is kept in DATA_DIR. */
export function resolveSecretKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

export type Secrets = ReturnType<typeof createSecrets>;

export function createSecrets(secretKey: string) {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', secretKey, 'dargah', purpose, 32));
  // A KeyObject made once: createHmac with raw bytes would import the key on every call.
  const hmacKey = createSecretKey(derive('hmac'));
  // The audit chain's HMAC key: derived here, held in memory only, never written to the database.
  const auditKey = derive('audit-chain');
  useAuditKey(auditKey);
  return {
    auditKey,
    cookieSecret: derive('cookie').toString('base64url'),
    /** Keyed hash for values we look up but must not store or log in clear (codes, keys). */
    hmac(purpose: string, value: string): string {
      return createHmac('sha256', hmacKey).update(purpose).update('\0').update(value).digest('base64url');
    },
    equal(a: string, b: string): boolean {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length === y.length && timingSafeEqual(x, y);
    },
  };
}

/** A random identifier with 256 bits of entropy, safe in URLs. */
export const randomId = () => randomBytes(32).toString('base64url');

/** A uniformly random numeric code (no modulo bias). */
export function randomDigits(length: number): string {
  let out = '';
  while (out.length < length) {
    const b = randomBytes(1)[0]!;
    if (b < 250) out += String(b % 10);
  }
  return out;
}
