// The security headers are built once and rebuilt when the registered services change:
// the same policy as before on every kind of response, and a new service's origin is in
// form-action from the next response on (and gone after its removal).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { helmetHeaders } from '../src/web/securityHeaders.js';
import { createTestEnv, type TestEnv } from './support.js';

const POLICY =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';" +
  "worker-src 'self' blob:;object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'";

describe('security headers', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ startQueue: false });
  });
  after(() => env.close());

  test('pages, API answers, not-found pages and static files carry the same headers', async () => {
    for (const url of ['/signin', '/api/v1/me', '/no-such-page', '/healthz']) {
      const res = await env.app.inject({ method: 'GET', url });
      assert.equal(res.headers['content-security-policy'], POLICY, url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', url);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS on plain http');
    }
  });

  test('a service added or removed changes form-action from the next response on', async () => {
    const sso = env.platform.sso;
    const added = await sso.clients.add({
      clientId: 'payslip',
      redirectUris: ['https://payslip.example.ir/cb'],
      secret: 'test-client-secret-0123456789-abcdefghij',
      firstParty: true,
    });
    assert.ok(added.ok);
    const withService = await env.app.inject({ method: 'GET', url: '/signin' });
    assert.match(withService.headers['content-security-policy'] as string, /;form-action 'self' https:\/\/payslip\.example\.ir$/);
    await sso.clients.remove('payslip');
    const without = await env.app.inject({ method: 'GET', url: '/signin' });
    assert.equal(without.headers['content-security-policy'], POLICY);
  });

  test('helmet still validates the policy: a bad source stops the start, not a response', () => {
    assert.throws(() => helmetHeaders({ contentSecurityPolicy: { useDefaults: false, directives: { formAction: ["'self'; script-src *"] } } }));
  });
});
