// Encryption at rest of SSO secrets (signing keys, client secrets) under a key derived
// from the server secret: a copy of the database alone does not reveal them.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { Secrets } from '../security/secrets.js';

export type Sealer = { seal(plain: string): string; open(sealed: string): string };

export function createSealer(secrets: Secrets, purpose: string): Sealer {
  // An HMAC under the server secret is a pseudo-random 256-bit key for this purpose, imported
  // once: a client secret is opened on every token, userinfo and introspection request.
  const raw = Buffer.from(secrets.hmac('sso-encryption', purpose), 'base64url');
  if (raw.length !== 32) throw new Error('derived key has the wrong length');
  const key = createSecretKey(raw);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
