import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import type { Secrets } from '../security/secrets.js';
import { createSealer } from './crypto.js';

const secrets = {
  hmac: (purpose: string, value: string) => createHmac('sha256', 'sealer-test-secret').update(purpose).update('\0').update(value).digest('base64url'),
} as Secrets;

test('a secret sealed before the key was imported once still opens; seal and open agree; a changed byte is refused', () => {
  const sealer = createSealer(secrets, 'client-secrets');
  // Sealed by the former code (a raw key buffer with every call) under the same secret.
  assert.equal(sealer.open('v1.HwtffvVBnSfCz2LU.Cwrv_U6UKmhYIHkz27Fdeg.UbBT5gsYdBs7j0vCRbt9Sczb59Wu6T90TA'), 'the service secret ۱۲۳');
  const sealed = sealer.seal('another secret');
  assert.notEqual(sealer.seal('another secret'), sealed, 'a fresh nonce each time');
  assert.equal(sealer.open(sealed), 'another secret');
  const [version, iv, tag, body] = sealed.split('.');
  const flipped = body!.startsWith('A') ? `B${body!.slice(1)}` : `A${body!.slice(1)}`;
  assert.throws(() => sealer.open([version, iv, tag, flipped].join('.')));
  // Another purpose is another key.
  assert.throws(() => createSealer(secrets, 'signing-keys').open(sealed));
});
