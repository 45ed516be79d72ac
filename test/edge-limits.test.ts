// The edge, issue 11: the client address behind proxies (TRUST_PROXY), the rate-limit table
// overridable by RATE_LIMITS with atomic counting, and limits that survive Redis going away.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestEnv, type TestEnv } from './support.js';
import { apiSignIn, insertAccount, PASSWORD } from './signin.support.js';

describe('TRUST_PROXY=1: only the entry the balancer wrote counts', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: { TRUST_PROXY: '1', RATE_LIMITS: 'signinFailuresPerIp=2/15m' }, startQueue: false });
  });
  after(() => env.close());

  const viaBalancer = (forged: string, username: string, password: string, client = '203.0.113.7') =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username, password },
      remoteAddress: '10.0.0.2',
      // The client wrote the left-most entry; the balancer appended the address it saw.
      headers: { 'x-forwarded-for': `${forged}, ${client}` },
    });

  test('a forged left-most X-Forwarded-For entry changes neither the limit key nor the recorded address', async () => {
    const a = await insertAccount(env.platform);
    const ok = await viaBalancer('198.51.100.1', a.nationalCode, PASSWORD);
    assert.equal(ok.statusCode, 200, ok.body);
    const session = await env.platform.db.selectFrom('sessions').select(['ip']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(session.ip, '203.0.113.7');
    // Two wrong passwords from the same client, each with a new forged address: the per-address budget (2) is spent.
    for (const forged of ['198.51.100.2', '198.51.100.3']) {
      assert.equal((await viaBalancer(forged, (await insertAccount(env.platform)).nationalCode, 'Wrong-password-77')).statusCode, 401);
    }
    const third = await viaBalancer('198.51.100.4', (await insertAccount(env.platform)).nationalCode, 'Wrong-password-77');
    assert.equal(third.statusCode, 429, third.body);
    // Another real client behind the same balancer is not affected.
    const other = await viaBalancer('198.51.100.4', a.nationalCode, PASSWORD, '203.0.113.8');
    assert.equal(other.statusCode, 200, other.body);
  });

  test('without a trusted hop the header is ignored', async () => {
    const direct = await createTestEnv({ env: {}, startQueue: false });
    try {
      const a = await insertAccount(direct.platform);
      const res = await direct.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: a.nationalCode, password: PASSWORD }, remoteAddress: '192.0.2.9', headers: { 'x-forwarded-for': '203.0.113.99' } });
      assert.equal(res.statusCode, 200, res.body);
      const session = await direct.platform.db.selectFrom('sessions').select(['ip']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(session.ip, '192.0.2.9');
    } finally {
      await direct.close();
    }
  });
});

describe('RATE_LIMITS and atomic counting', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: { RATE_LIMITS: 'signinFailuresPerIp=3/15m,signinPerUsername=100/15m,registrationStatusPerIp=5/1h' }, startQueue: false });
  });
  after(() => env.close());

  test('8 parallel wrong passwords from one address: no more than the 3 attempts the table allows are checked', async () => {
    const accounts = await Promise.all(Array.from({ length: 8 }, () => insertAccount(env.platform)));
    const answers = await Promise.all(accounts.map((a) => apiSignIn(env.app, a.nationalCode, 'Wrong-password-77', '192.0.2.50')));
    const checked = answers.filter((r) => r.statusCode === 401).length;
    const refused = answers.filter((r) => r.statusCode === 429).length;
    assert.equal(checked + refused, 8, answers.map((r) => r.statusCode).join(','));
    assert.equal(checked, 3);
    // The wrong passwords counted on the accounts themselves agree: only 3 were tried.
    const tried = await env.platform.db.selectFrom('accounts').select('failed_signins').where('id', 'in', accounts.map((a) => a.id)).execute();
    assert.equal(tried.reduce((n, r) => n + r.failed_signins, 0), 3);
  });

  test('8 parallel wrong passwords on one account from one address: no more than that pair\'s 3 attempts are checked', async () => {
    const pairEnv = await createTestEnv({ env: { RATE_LIMITS: 'signinFailuresPerAccountAndIp=3/15m,signinFailuresPerIp=100/15m,signinPerUsername=100/15m' }, startQueue: false });
    try {
      const a = await insertAccount(pairEnv.platform);
      const answers = await Promise.all(Array.from({ length: 8 }, () => apiSignIn(pairEnv.app, a.nationalCode, 'Wrong-password-77', '192.0.2.53')));
      assert.equal(answers.filter((r) => r.statusCode === 401).length, 3, answers.map((r) => r.statusCode).join(','));
      assert.equal(answers.filter((r) => r.statusCode === 429).length, 5);
      const row = await pairEnv.platform.db.selectFrom('accounts').select('failed_signins').where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(row.failed_signins, 3);
      // Another address still gets in with the right password (the account itself is not locked).
      assert.equal((await apiSignIn(pairEnv.app, a.nationalCode, PASSWORD, '192.0.2.54')).statusCode, 200);
    } finally {
      await pairEnv.close();
    }
  });

  test('a right password gives its point back: successes never use up the address budget', async () => {
    const a = await insertAccount(env.platform);
    for (let i = 0; i < 6; i++) assert.equal((await apiSignIn(env.app, a.nationalCode, PASSWORD, '192.0.2.51')).statusCode, 200);
  });

  test('8 parallel status look-ups against an override of 5 per hour: exactly 5 pass', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => env.app.inject({ method: 'POST', url: '/api/v1/registration/status', payload: { nationalCode: '0499370899', mobile: '09121234567' }, remoteAddress: '192.0.2.52' })),
    );
    assert.equal(answers.filter((r) => r.statusCode === 429).length, 3, answers.map((r) => `${r.statusCode}`).join(','));
  });
});

describe('Redis unreachable: a stricter in-process guard, never "no limits", never a 500', () => {
  let env: TestEnv;
  before(async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    env = await createTestEnv({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMITS: 'signinFailuresPerIp=4/15m' }, startQueue: false });
  });
  after(() => env.close());

  test('sign-in answers 401 and 200; the guard allows half the row; /metrics shows the fallback', async () => {
    const a = await insertAccount(env.platform);
    assert.equal((await apiSignIn(env.app, a.nationalCode, 'Wrong-password-77', '192.0.2.60')).statusCode, 401);
    assert.equal((await apiSignIn(env.app, a.nationalCode, PASSWORD, '192.0.2.60')).statusCode, 200);
    // 4 per address in the table, 2 in the guard: the third wrong password from one address is refused.
    const b = await insertAccount(env.platform);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await apiSignIn(env.app, b.nationalCode, 'Wrong-password-77', '192.0.2.61')).statusCode);
    assert.deepEqual(codes, [401, 401, 429]);
    const metrics = await env.app.inject({ method: 'GET', url: '/metrics' });
    const m = /dargah_rate_limit_fallback_total\{limit="signinFailuresPerIp"\} (\d+)/.exec(metrics.body);
    assert.ok(m && Number(m[1]) >= 5, metrics.body.slice(0, 200));
  });
});
