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

test('TRUST_PROXY: false by default, a hop count or address ranges; the old `true` is refused naming the safe forms', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,fd00::/8,loopback' }).trustProxy, ['10.0.0.0/8', '192.168.1.5', 'fd00::/8', 'loopback']);
  for (const bad of ['true', 'TRUE', 'yes']) {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: bad }),
      (e: unknown) => e instanceof ConfigError && /^TRUST_PROXY=.* X-Forwarded-For; use false, a hop count such as 1, or the balancers' address ranges/.test(e.message),
      bad,
    );
  }
  for (const bad of ['10.0.0.0/33', 'balancer.local', '10.0.0.0/8/1', '99']) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), (e: unknown) => e instanceof ConfigError && e.message.startsWith('TRUST_PROXY') && e.message.includes('hop count'), bad);
  }
});

test('RATE_LIMITS overrides rows by name; an unknown name or a bad value stops the start naming it', () => {
  const c = loadConfig({ RATE_LIMITS: 'registrationStartPerIp=200/1h, signinFailuresPerIp=10/15m,recoverySmsPerIp=5/1d,captchaPerIp=3/30s' });
  assert.deepEqual(c.rateLimits.registrationStartPerIp, { points: 200, durationSeconds: 3600, blockSeconds: 0 });
  assert.deepEqual(c.rateLimits.signinFailuresPerIp, { points: 10, durationSeconds: 900, blockSeconds: 900 });
  assert.deepEqual(c.rateLimits.recoverySmsPerIp, { points: 5, durationSeconds: 86400, blockSeconds: 0 });
  assert.deepEqual(c.rateLimits.captchaPerIp, { points: 3, durationSeconds: 30, blockSeconds: 0 });
  // Rows not named keep the shipped values.
  assert.equal(c.rateLimits.branchSearchPerIp.points, 600);
  assert.equal(loadConfig({}).rateLimits.registrationStartPerIp.points, 20);
  const cases: [string, RegExp][] = [
    ['registrationStartsPerIp=5/1h', /^RATE_LIMITS has an unknown limit "registrationStartsPerIp" \(allowed: registrationStartPerIp, /],
    ['registrationStartPerIp=5', /^RATE_LIMITS has a bad value "registrationStartPerIp=5"/],
    ['registrationStartPerIp=5/1w', /^RATE_LIMITS has a bad value "registrationStartPerIp=5\/1w"/],
    ['registrationStartPerIp=0/1h', /^RATE_LIMITS has a bad value "registrationStartPerIp=0\/1h"/],
    ['registrationStartPerIp=-1/1h', /^RATE_LIMITS has a bad value/],
    ['registrationStartPerIp=5/60d', /^RATE_LIMITS has a bad value/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => loadConfig({ RATE_LIMITS: value }), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'), value);
  }
});

test('METRICS_TOKEN: optional, at least 16 characters', () => {
  assert.equal(loadConfig({}).metricsToken, undefined);
  assert.equal(loadConfig({ METRICS_TOKEN: 'a-long-enough-scrape-token' }).metricsToken, 'a-long-enough-scrape-token');
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN is too short/);
});
