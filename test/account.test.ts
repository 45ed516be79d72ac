// The person's own pages: profile, email, security question, mobile number, sessions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, createTestEnv, lastCodeTo, lastSmsTo, type TestEnv } from './support.js';
import { apiSignIn, bearer, insertAccount, lastRecoverySms, NEW_PASSWORD, nextMobile, type TestAccount } from './signin.support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

async function signedIn(a: TestAccount) {
  const b = browser(env.app);
  await b.get('/signin');
  const res = await b.post('/signin', { username: a.nationalCode, password: a.password });
  assert.equal(res.statusCode, 303);
  return b;
}

describe('profile', () => {
  test('identity is shown read-only, with links to what can change', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /مریم/);
    assert.match(page.body, /کاظمی/);
    assert.match(page.body, /۱۶ فروردین ۱۳۶۹/, 'birth date in Jalali');
    for (const href of ['/account/password', '/account/email', '/account/security-question', '/account/mobile', '/account/sessions']) {
      assert.ok(page.body.includes(`href="${href}"`), href);
    }
    assert.doesNotMatch(page.body, /<input[^>]+name="firstName"/, 'no identity inputs');
    assert.match(page.body, /action="\/signout"/);
  });
});

describe('email', () => {
  test('bad email refused next to the field; good one saved; empty removes it', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await b.get('/account/email');
    const bad = await b.post('/account/email', { email: 'not-an-email' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="email-error"/);
    assert.match(bad.body, /value="not-an-email"/);
    const ok = await b.post('/account/email', { email: 'maryam@example.ir' });
    assert.equal(ok.headers.location, '/account?notice=saved');
    const row = await env.platform.db.selectFrom('accounts').select('email').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.email, 'maryam@example.ir');
    await b.get('/account/email');
    await b.post('/account/email', { email: '' });
    const cleared = await env.platform.db.selectFrom('accounts').select('email').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(cleared.email, null);
  });
});

describe('password page', () => {
  test('asks for the current password and lists every broken rule', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/password');
    assert.match(page.body, /name="currentPassword"/);
    assert.match(page.body, /data-vk-for="newPassword"/);
    const bad = await b.post('/account/password', { currentPassword: '', newPassword: '1a', newPasswordConfirmation: '1a' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="currentPassword-error"/);
    assert.match(bad.body, /<ul class="error-message" id="newPassword-error">/);
    const ok = await b.post('/account/password', { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(ok.headers.location, '/account?notice=password_changed');
    assert.equal((await b.get('/account')).statusCode, 200, 'this session stays');
  });
});

describe('security question', () => {
  test('needs the current password; the new answer then recovers the account', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await b.get('/account/security-question');
    const empty = await b.post('/account/security-question', {});
    assert.equal(empty.statusCode, 400);
    for (const f of ['securityQuestion', 'securityAnswer', 'currentPassword']) assert.match(empty.body, new RegExp(`id="${f}-error"`), f);
    const wrongPw = await b.post('/account/security-question', { securityQuestion: 'favourite_book', securityAnswer: 'شاهنامه', currentPassword: 'Wrong!Pass1' });
    assert.equal(wrongPw.statusCode, 400);
    assert.match(wrongPw.body, /گذرواژه فعلی نادرست است/);
    const ok = await b.post('/account/security-question', { securityQuestion: 'favourite_book', securityAnswer: 'شاهنامه', currentPassword: a.password });
    assert.equal(ok.statusCode, 303);
    const q = await env.app.inject({ method: 'POST', url: '/api/v1/recovery/question', payload: { nationalCode: a.nationalCode } });
    assert.deepEqual(q.json(), { question: 'favourite_book' });
    const done = await env.app.inject({
      method: 'POST',
      url: '/api/v1/recovery/question/answer',
      payload: { nationalCode: a.nationalCode, answer: 'شاهنامه', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
    });
    assert.equal(done.statusCode, 200);
  });
});

describe('mobile number', () => {
  // The simulated ownership registry says 09128890822 belongs to 0014789663.
  const owned = { nationalCode: '0014789663', mobile: '09128890822' };

  test('a number not in the person’s name is refused; the ownership service being down is said so', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await b.get('/account/mobile');
    const bad = await b.post('/account/mobile', { mobile: '12', currentPassword: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="mobile-error"/);
    assert.match(bad.body, /id="currentPassword-error"/);
    const same = await b.post('/account/mobile', { mobile: a.mobile, currentPassword: a.password });
    assert.match(same.body, /همان شماره ثبت‌شده/);
    const notOwned = await b.post('/account/mobile', { mobile: nextMobile(), currentPassword: a.password });
    assert.equal(notOwned.statusCode, 400);
    assert.match(notOwned.body, /به نام شما ثبت نشده/);
  });

  test('a code to the new number; the change is told to the old number', async () => {
    const a = await insertAccount(env.platform, { nationalCode: owned.nationalCode });
    const b = await signedIn(a);
    await b.get('/account/mobile');
    const start = await b.post('/account/mobile', { mobile: '۰۹۱۲۸۸۹۰۸۲۲', currentPassword: a.password });
    assert.equal(start.statusCode, 303, start.body.slice(0, 300));
    const flowUrl = start.headers.location as string;
    const code = await lastCodeTo(env.platform, owned.mobile);
    const page = await b.get(flowUrl);
    assert.match(page.body, /۰۹۱۲۸۸۹۰۸۲۲/);
    const wrong = await b.post(flowUrl, { code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /id="code-error"/);
    const ok = await b.post(flowUrl, { code });
    assert.equal(ok.headers.location, '/account?notice=mobile_changed');
    const row = await env.platform.db.selectFrom('accounts').select(['mobile', 'mobile_operator']).where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.mobile, owned.mobile);
    assert.equal(row.mobile_operator, 'mci');
    assert.match((await lastSmsTo(env.platform, a.mobile))!, /0912\*\*\*0822/);
    assert.equal((await b.post(flowUrl, { code })).statusCode, 404, 'used once');
    // SMS recovery now goes to the new number only.
    await env.app.inject({ method: 'POST', url: '/api/v1/recovery/sms', payload: { nationalCode: a.nationalCode, mobile: owned.mobile } });
    assert.ok(await lastRecoverySms(env.platform, owned.mobile));
  });

  test('codes expire; five changes a day per account', async () => {
    const other = await createTestEnv();
    try {
      const a = await insertAccount(other.platform, { nationalCode: owned.nationalCode });
      const b = browser(other.app);
      await b.get('/signin');
      await b.post('/signin', { username: a.nationalCode, password: a.password });
      await b.get('/account/mobile');
      const flowUrl = (await b.post('/account/mobile', { mobile: owned.mobile, currentPassword: a.password })).headers.location as string;
      const code = await lastCodeTo(other.platform, owned.mobile);
      await b.get(flowUrl);
      other.clock.advance(181_000);
      const expired = await b.post(flowUrl, { code });
      assert.equal(expired.statusCode, 400);
      assert.match(expired.body, /مهلت این کد/);
      await b.get('/account/mobile');
      const limit = other.config.rateLimits.mobileChangePerAccount.points;
      for (let i = 1; i < limit; i++) assert.equal((await b.post('/account/mobile', { mobile: owned.mobile, currentPassword: a.password })).statusCode, 303);
      await b.get('/account/mobile');
      const refused = await b.post('/account/mobile', { mobile: owned.mobile, currentPassword: a.password });
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
    } finally {
      await other.close();
    }
  });

  test('ownership service unavailable → 503 with a clear message', async () => {
    const faults: { mobileOwnership?: 'unavailable' } = {};
    const other = await createTestEnv({ platform: { registryFaults: faults } });
    try {
      const a = await insertAccount(other.platform, { nationalCode: owned.nationalCode });
      const b = browser(other.app);
      await b.get('/signin');
      await b.post('/signin', { username: a.nationalCode, password: a.password });
      faults.mobileOwnership = 'unavailable';
      await b.get('/account/mobile');
      const res = await b.post('/account/mobile', { mobile: owned.mobile, currentPassword: a.password });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /در دسترس نیست/);
    } finally {
      await other.close();
    }
  });
});

describe('sessions', () => {
  test('the person lists their sessions and ends one or all others, never someone else’s', async () => {
    const a = await insertAccount(env.platform);
    const stranger = await insertAccount(env.platform);
    const b = await signedIn(a);
    const api1 = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    const api2 = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    const strangerToken = (await apiSignIn(env.app, stranger.nationalCode, stranger.password)).json().sessionToken as string;
    const list = await b.get('/account/sessions');
    assert.equal(list.statusCode, 200);
    const ids = [...list.body.matchAll(/action="\/account\/sessions\/([0-9a-f-]{36})\/end"/g)].map((m) => m[1]!);
    assert.equal(ids.length, 2, 'two other sessions can be ended');
    assert.match(list.body, /همین دستگاه/);
    const strangerSession = await env.platform.db.selectFrom('sessions').select('id').where('account_id', '=', stranger.id).executeTakeFirstOrThrow();
    const denied = await b.post(`/account/sessions/${strangerSession.id}/end`, {});
    assert.equal(denied.statusCode, 404);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(strangerToken) })).statusCode, 200);
    await b.get('/account/sessions');
    const ended = await b.post(`/account/sessions/${ids[0]}/end`, {});
    assert.equal(ended.headers.location, '/account/sessions?notice=session_ended');
    const alive = await Promise.all([api1, api2].map((t) => env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(t) })));
    assert.deepEqual(alive.map((r) => r.statusCode).sort(), [200, 401]);
    await b.get('/account/sessions');
    await b.post('/account/sessions/end-others', {});
    for (const t of [api1, api2]) assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(t) })).statusCode, 401);
    assert.equal((await b.get('/account')).statusCode, 200, 'this session stays');
  });
});
