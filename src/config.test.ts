import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults: the two-command set-up needs no variables', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.sms.provider, 'outbox');
  assert.equal(c.registration.mobileCodeRequired, true);
  assert.ok(c.registries.csv.civilRegistry.endsWith('demo/civil-registry.csv'));
});

test('a bad value stops the start with one line naming the variable and what is allowed', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT="abc" is not a whole number \(allowed: 1\.\.65535\)$/],
    [{ PORT: '70000' }, /^PORT=70000 is out of range/],
    [{ SMS_PROVIDER: 'pigeon' }, /^SMS_PROVIDER="pigeon" is not allowed \(allowed: outbox, kavenegar, http\)$/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres: or postgresql:\/\/$/],
    [{ REGISTRATION_MOBILE_CODE: 'maybe' }, /^REGISTRATION_MOBILE_CODE="maybe" is not a switch/],
    [{ INSURED_REGISTRATION_GROUPS: 'voluntary,pilots' }, /unknown group "pilots"/],
    [{ NODE_ENV: 'production' }, /^SECRET_KEY must be set/],
    [{ SMS_PROVIDER: 'kavenegar' }, /needs KAVENEGAR_API_KEY and KAVENEGAR_SENDER/],
    [{ REGISTRY_MODE: 'http' }, /needs CIVIL_REGISTRY_URL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'), JSON.stringify(env));
  }
});

test('switches and lists', () => {
  const c = loadConfig({ REGISTRATION_MOBILE_CODE: 'off', INSURED_REGISTRATION_GROUPS: ' voluntary , drivers ', PUBLIC_URL: 'https://portal.example.ir/' });
  assert.equal(c.registration.mobileCodeRequired, false);
  assert.deepEqual(c.insured.groups, ['voluntary', 'drivers']);
  assert.equal(c.publicUrl, 'https://portal.example.ir');
});
