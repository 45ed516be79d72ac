import assert from 'node:assert/strict';
import { createHmac, createPrivateKey } from 'node:crypto';
import { test } from 'node:test';
import type { Secrets } from '../security/secrets.js';
import { createSealer } from './crypto.js';
import { createKeysService } from './keys.service.js';
import type { SigningKeyRow, SsoQueries } from './sso.queries.js';

const secrets = {
  hmac: (purpose: string, value: string) => createHmac('sha256', 'keys-test-secret').update(purpose).update('\0').update(value).digest('base64url'),
} as Secrets;

/** The signing-key statements of SsoQueries over an array (answered without touching the event loop). */
function keyTable() {
  const rows: SigningKeyRow[] = [];
  const queries = {
    async listSigningKeys() {
      return rows.map((r) => ({ ...r }));
    },
    async insertSigningKey(row: SigningKeyRow) {
      rows.push({ ...row });
    },
    async retireSigningKeys(exceptKid: string, now: Date) {
      for (const r of rows) if (r.kid !== exceptKid && r.retiredAt === null) r.retiredAt = now;
    },
    async deleteSigningKeysRetiredBefore(before: Date) {
      const kept = rows.filter((r) => r.retiredAt === null || r.retiredAt >= before);
      const deleted = rows.length - kept.length;
      rows.splice(0, rows.length, ...kept);
      return deleted;
    },
  } as Partial<SsoQueries> as SsoQueries;
  return { rows, queries };
}

test('making a signing key leaves the event loop free: a running portal keeps answering while `keys rotate` runs in it', async () => {
  const { queries } = keyTable();
  const keys = createKeysService({ queries, sealer: createSealer(secrets, 'signing-keys'), clock: () => new Date('2026-12-02T10:00:00Z'), retentionSeconds: 3600 });
  // Turns of the event loop while the key is made (a request's callbacks run in such turns).
  // The table answers in microtasks, so any turn comes from the key generation alone: an RSA
  // key made on the main thread (40–230 ms here) holds every request until it is done.
  let turns = 0;
  let done = false;
  const turn = () => {
    if (done) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  const rotated = await keys.rotate();
  done = true;
  assert.ok(turns > 0, 'the event loop turned while the key was made');

  // The key itself: a 2048-bit RSA key for RS256, sealed at rest, published as the current one.
  const { keys: published } = await keys.jwks();
  assert.equal(published.length, 1);
  const [jwk] = published;
  assert.equal(jwk!.kid, rotated.kid);
  assert.equal(jwk!.alg, 'RS256');
  assert.equal(jwk!.use, 'sig');
  assert.match(rotated.kid, /^20261202-[\w-]{8}$/);
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  assert.equal(key.asymmetricKeyType, 'rsa');
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
});

test('rotate: the new key signs, the former one only verifies until the retention ends, then it is pruned', async () => {
  const { queries, rows } = keyTable();
  let now = new Date('2026-12-02T10:00:00Z');
  const keys = createKeysService({ queries, sealer: createSealer(secrets, 'signing-keys'), clock: () => now, retentionSeconds: 3600 });
  await keys.ensureCurrentKey();
  await keys.ensureCurrentKey();
  assert.equal(rows.length, 1, 'a current key exists: none is added');
  const first = rows[0]!.kid;
  assert.doesNotMatch(rows[0]!.privateJwkEncrypted, /"d"/, 'the private key is sealed at rest');
  now = new Date('2026-12-02T10:30:00Z');
  const { kid, retired } = await keys.rotate();
  assert.deepEqual(retired, [first]);
  const { keys: published, fingerprint } = await keys.jwks();
  assert.deepEqual(
    published.map((k) => [k.kid, k.key_ops]),
    [
      [kid, undefined],
      [first, ['verify']],
    ],
  );
  assert.equal(fingerprint, `${kid},${first}:r`);
  now = new Date('2026-12-02T11:31:00Z');
  assert.equal(await keys.pruneRetired(), 1);
  assert.deepEqual((await keys.list()).map((k) => k.kid), [kid]);
});
