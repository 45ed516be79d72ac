// Sign-in, sessions, lockouts and the forced password change, through HTTP (app.inject).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { createPasswordHasher } from '../src/security/passwords.js';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { browser, createTestEnv, lastCodeTo, lastSmsTo, type TestEnv } from './support.js';
import { apiSignIn, bearer, insertAccount, NEW_PASSWORD, PASSWORD, smsCountTo } from './signin.support.js';

const MIN = 60_000;
let env: TestEnv;
let ipSeq = 0;
/** A fresh client address per test, so per-address limits of one test do not leak into another. */
const freshIp = () => `10.0.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

describe('the sign-in page', () => {
  test('has the contract form, the method selector, links and security tips', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/signin' });
    assert.equal(res.statusCode, 200);
    const form = /<form method="post" action="\/signin"[\s\S]*?<\/form>/.exec(res.body)?.[0] ?? '';
    assert.match(form, /name="username"/);
    assert.match(form, /name="password"[^>]*type="password"|type="password"[^>]*name="password"/);
    assert.equal((form.match(/type="submit"/g) ?? []).length, 1, 'exactly one submit button');
    for (const href of ['/register', '/help/registration', '/insured/register', '/recovery', '/signin/code']) {
      assert.ok(res.body.includes(`href="${href}"`), `link ${href}`);
    }
    assert.match(res.body, /مرورگرهای مطمئن/);
    assert.match(res.body, /صفحه‌کلید مجازی/);
    assert.match(res.body, /<script src="\/static\/keyboard.js"/);
    assert.match(res.body, /class="vk-mount" data-vk-for="password"/);
    const guide = await env.app.inject({ method: 'GET', url: '/help/registration' });
    assert.equal(guide.statusCode, 200);
    assert.match(guide.body, /قواعد گذرواژه/);
    const js = await env.app.inject({ method: 'GET', url: '/static/keyboard.js' });
    assert.equal(js.statusCode, 200);
    for (const s of ['&%$#!', 'aria-expanded', 'aria-pressed', 'Escape']) assert.ok(js.body.includes(s), s);
  });

  test('home page leads to sign-in', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/' });
    assert.match(res.body, /class="signin-cta"/);
    assert.match(res.body, /href="\/signin"/);
  });

  test('a form post without the CSRF token is refused', async () => {
    const b = browser(env.app);
    await b.get('/signin');
    const res = await b.post('/signin', { username: '0499370899', password: PASSWORD }, { csrf: null });
    assert.equal(res.statusCode, 403);
  });
});

describe('browser sessions', () => {
  test('sign-in sets an HttpOnly SameSite=Lax cookie, stores only a hash, and opens /account', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin');
    const res = await b.post('/signin', { username: [...a.nationalCode].map((d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]).join(''), password: a.password });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account');
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith('dargah_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i);
    const token = b.jar.get('dargah_session')!;
    const rows = await env.platform.db.selectFrom('sessions').select(['token_hash']).where('account_id', '=', a.id).execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.token_hash, token);
    assert.ok(!rows[0]!.token_hash.includes(token));
    const page = await b.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /مریم/);
    assert.match(page.body, /href="\/account"/, 'the header links to the account');
  });

  test('a new session id at every sign-in; the old cookie stops working', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin');
    await b.post('/signin', { username: a.nationalCode, password: a.password });
    const first = b.jar.get('dargah_session')!;
    await b.get('/signin?next=/account'); // signed in: redirected, but we still need a CSRF token
    await b.get('/help/registration');
    const again = await env.app.inject({ method: 'GET', url: '/signin/code' , headers: { cookie: `dargah_session=${first}; _csrf=${b.jar.get('_csrf')}` } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(again.body)![1]!;
    const res = await env.app.inject({
      method: 'POST',
      url: '/signin',
      payload: new URLSearchParams({ _csrf: csrf, username: a.nationalCode, password: a.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `dargah_session=${first}; _csrf=${b.jar.get('_csrf')}` },
    });
    assert.equal(res.statusCode, 303);
    const second = /dargah_session=([^;]+)/.exec(([] as string[]).concat(res.headers['set-cookie'] as string[]).join('\n'))![1]!;
    assert.notEqual(second, first);
    const old = await env.app.inject({ method: 'GET', url: '/account', headers: { cookie: `dargah_session=${first}` } });
    assert.equal(old.statusCode, 303);
    assert.match(old.headers.location as string, /^\/signin/);
    const fresh = await env.app.inject({ method: 'GET', url: '/account', headers: { cookie: `dargah_session=${second}` } });
    assert.equal(fresh.statusCode, 200);
  });

  test('pages of the account need a session and come back after sign-in; next must be local', async () => {
    const a = await insertAccount(env.platform);
    const res = await env.app.inject({ method: 'GET', url: '/account/sessions' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/signin?next=%2Faccount%2Fsessions');
    const b = browser(env.app);
    await b.get('/signin?next=%2Faccount%2Fsessions');
    const ok = await b.post('/signin', { username: a.nationalCode, password: a.password, next: '/account/sessions' });
    assert.equal(ok.headers.location, '/account/sessions');
    const b2 = browser(env.app);
    await b2.get('/signin');
    for (const evil of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const r = await b2.post('/signin', { username: a.nationalCode, password: a.password, next: evil });
      assert.equal(r.headers.location, '/account', evil);
      await b2.get('/signin/code');
    }
  });

  test('the cookie is Secure when PUBLIC_URL is https', async () => {
    const secureEnv = await createTestEnv({ env: { PUBLIC_URL: 'https://portal.example' } });
    try {
      const a = await insertAccount(secureEnv.platform);
      const b = browser(secureEnv.app);
      await b.get('/signin');
      const res = await b.post('/signin', { username: a.nationalCode, password: a.password });
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith('__Host-dargah_session='))!;
      assert.match(cookie, /Secure/);
    } finally {
      await secureEnv.close();
    }
  });

  test('sign-out ends the session and clears the cookie', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin');
    await b.post('/signin', { username: a.nationalCode, password: a.password });
    const token = b.jar.get('dargah_session')!;
    await b.get('/account');
    const out = await b.post('/signout', {});
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/signin?notice=signed_out');
    const after = await env.app.inject({ method: 'GET', url: '/account', headers: { cookie: `dargah_session=${token}` } });
    assert.equal(after.statusCode, 303);
    const row = await env.platform.db.selectFrom('sessions').select(['end_reason']).where('account_id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.end_reason, 'signed_out');
  });
});

describe('API sign-in', () => {
  test('bad input is reported per field, all at once', async () => {
    const empty = await env.app.inject({ method: 'POST', url: '/api/v1/session', payload: {} });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(empty.json().error.fields, { username: 'signin.username_required', password: 'signin.password_required' });
    const bad = await env.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: '0684159415', password: 'x' } });
    assert.deepEqual(bad.json().error.fields, { username: 'signin.username_format' });
    const long = await env.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: '0684159414', password: 'a'.repeat(300) } });
    assert.deepEqual(long.json().error.fields, { password: 'signin.password_too_long' });
    const en = await env.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'abc' }, headers: { 'accept-language': 'en' } });
    assert.match(en.json().error.message, /not valid/);
  });

  test('the page shows the errors next to the fields and keeps the username', async () => {
    const b = browser(env.app);
    await b.get('/signin');
    const res = await b.post('/signin', { username: '12345', password: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="username-error"/);
    assert.match(res.body, /id="password-error"/);
    assert.match(res.body, /value="12345"/);
    assert.match(res.body, /href="#username"/);
  });

  test('sign-in, me and sign-out with a bearer token', async () => {
    const a = await insertAccount(env.platform);
    const res = await apiSignIn(env.app, a.nationalCode, a.password);
    assert.equal(res.statusCode, 200);
    const { sessionToken, requiredActions } = res.json();
    assert.deepEqual(requiredActions, []);
    const me = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(sessionToken) });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json(), {
      nationalCode: a.nationalCode,
      foreignNationalId: null,
      firstName: 'مریم',
      lastName: 'کاظمی',
      mobile: a.mobile,
      status: 'active',
      permissions: [],
      doctor: null,
    });
    // A bearer token is not a cookie, and a cookie is not a bearer token.
    const asCookie = await env.app.inject({ method: 'GET', url: '/account', headers: { cookie: `dargah_session=${sessionToken}` } });
    assert.equal(asCookie.statusCode, 303);
    const out = await env.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(sessionToken) });
    assert.equal(out.statusCode, 204);
    const gone = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(sessionToken) });
    assert.equal(gone.statusCode, 401);
    assert.equal(gone.json().error.code, 'session.required');
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer('x'.repeat(43)) })).statusCode, 401);
  });

  test('foreign nationals sign in with their 12-digit identifier', async () => {
    const a = await insertAccount(env.platform, { foreignNationalId: '912345678901' });
    const res = await apiSignIn(env.app, '۹۱۲۳۴۵۶۷۸۹۰۱', a.password);
    assert.equal(res.statusCode, 200);
  });

  test('wrong password and unknown username answer alike; unknown usernames cost an argon2 verification', async () => {
    const a = await insertAccount(env.platform);
    const wrong = await apiSignIn(env.app, a.nationalCode, 'Wrong!Pass1', freshIp());
    const original = env.platform.hasher.verifyDummy;
    let dummies = 0;
    env.platform.hasher.verifyDummy = async (p) => {
      dummies++;
      return original(p);
    };
    try {
      const unknown = await apiSignIn(env.app, '0067749828', 'Wrong!Pass1', freshIp());
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.deepEqual(wrong.json(), unknown.json());
      assert.equal(wrong.json().error.code, 'signin.invalid_credentials');
      assert.equal(dummies, 1);
    } finally {
      env.platform.hasher.verifyDummy = original;
    }
  });

  test('accounts not yet active get their state (403) only with the right password', async () => {
    const pending = await insertAccount(env.platform, { status: 'pending_verification' });
    const branch = await insertAccount(env.platform, { status: 'awaiting_branch_visit' });
    const disabled = await insertAccount(env.platform, { disabled: true });
    const p = await apiSignIn(env.app, pending.nationalCode, pending.password);
    assert.equal(p.statusCode, 403);
    assert.equal(p.json().error.code, 'signin.account_pending_verification');
    const b = await apiSignIn(env.app, branch.nationalCode, branch.password);
    assert.equal(b.statusCode, 403);
    assert.equal(b.json().error.code, 'signin.account_awaiting_branch_visit');
    const d = await apiSignIn(env.app, disabled.nationalCode, disabled.password);
    assert.equal(d.statusCode, 403);
    assert.equal(d.json().error.code, 'signin.account_disabled');
    const wrong = await apiSignIn(env.app, pending.nationalCode, 'Not!ThePass9');
    assert.equal(wrong.statusCode, 401);
    const page = browser(env.app);
    await page.get('/signin');
    const html = await page.post('/signin', { username: branch.nationalCode, password: branch.password });
    assert.equal(html.statusCode, 403);
    assert.match(html.body, /نزدیک‌ترین شعبه/);
  });

  test('a stored hash with older parameters is upgraded at sign-in', async () => {
    const a = await insertAccount(env.platform);
    const old = createPasswordHasher({ memoryCost: 9216, timeCost: 1, parallelism: 1 });
    await env.platform.db.updateTable('accounts').set({ password_hash: await old.hash(a.password) }).where('id', '=', a.id).execute();
    assert.equal((await apiSignIn(env.app, a.nationalCode, a.password)).statusCode, 200);
    const row = await env.platform.db.selectFrom('accounts').select('password_hash').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.match(row.password_hash!, /m=8192,t=1,p=1/);
  });
});

describe('guessing: per address, then a captcha — never a lockout', () => {
  let guarded: TestEnv;
  before(async () => {
    // A low captcha threshold and a cheap captcha keep the test short; the rules are the same.
    guarded = await createTestEnv({ env: { SIGNIN_CAPTCHA_AFTER_FAILURES: '12', CAPTCHA_COST: '20' } });
  });
  after(() => guarded.close());

  async function solvedCaptcha(): Promise<string> {
    const res = await guarded.app.inject({ method: 'GET', url: '/api/v1/captcha' });
    const challenge = res.json() as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }

  test('a stranger\'s wrong passwords refuse the stranger\'s address only: the owner signs in from another (the lockout defect)', async () => {
    const a = await insertAccount(guarded.platform);
    const stranger = freshIp();
    const share = guarded.config.rateLimits.signinFailuresPerAccountAndIp.points;
    for (let i = 1; i <= share; i++) {
      const r = await apiSignIn(guarded.app, a.nationalCode, `Wrong!Pass${i}`, stranger);
      assert.equal(r.statusCode, 401, `attempt ${i}`);
    }
    const refused = await apiSignIn(guarded.app, a.nationalCode, a.password, stranger);
    assert.equal(refused.statusCode, 429, 'this address has used its share, even with the right password');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const owner = await apiSignIn(guarded.app, a.nationalCode, a.password, freshIp());
    assert.equal(owner.statusCode, 200, 'the owner, elsewhere, is not locked out');
    const row = await guarded.platform.db.selectFrom('accounts').select(['locked_until']).where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.locked_until, null, 'the account is never locked');
  });

  test('a right password gives this address its whole share back and clears the account-wide count', async () => {
    const a = await insertAccount(guarded.platform);
    const ip = freshIp();
    const share = guarded.config.rateLimits.signinFailuresPerAccountAndIp.points;
    for (let i = 1; i < share; i++) assert.equal((await apiSignIn(guarded.app, a.nationalCode, `Wrong!Pass${i}`, ip)).statusCode, 401, `attempt ${i}`);
    const failures = () => guarded.platform.db.selectFrom('accounts').select(['failed_signins']).where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal((await failures()).failed_signins, share - 1);
    assert.equal((await apiSignIn(guarded.app, a.nationalCode, a.password, ip)).statusCode, 200);
    assert.equal((await failures()).failed_signins, 0, 'the account-wide count starts again');
    // The whole share again from the same address: every try is checked (401), none refused.
    for (let i = 1; i <= share; i++) assert.equal((await apiSignIn(guarded.app, a.nationalCode, `Wrong!Pass${i}`, ip)).statusCode, 401, `after the success, attempt ${i}`);
    assert.equal((await apiSignIn(guarded.app, a.nationalCode, a.password, ip)).statusCode, 429, 'and the share is counted again');
  });

  test('the page warns how many tries this device has left', async () => {
    const a = await insertAccount(guarded.platform);
    const b = browser(guarded.app);
    await b.get('/signin');
    let page = await b.post('/signin', { username: a.nationalCode, password: 'Wrong!Pass1' });
    assert.equal(page.statusCode, 401);
    for (let i = 0; i < 7; i++) page = await b.post('/signin', { username: a.nationalCode, password: 'Wrong!Pass1' });
    assert.match(page.body, /تلاش دیگر باقی مانده است/);
  });

  test('many failures from many addresses ask for a captcha (401 signin.captcha_required); with one the owner signs in', async () => {
    const a = await insertAccount(guarded.platform);
    const threshold = 12;
    for (let i = 0; i < threshold; i++) assert.equal((await apiSignIn(guarded.app, a.nationalCode, 'Wrong!Pass1', freshIp())).statusCode, 401);
    const asked = await apiSignIn(guarded.app, a.nationalCode, a.password, freshIp());
    assert.equal(asked.statusCode, 401);
    assert.equal(asked.json().error.code, 'signin.captcha_required');
    const withCaptcha = await guarded.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: a.nationalCode, password: a.password, captcha: await solvedCaptcha() }, remoteAddress: freshIp() });
    assert.equal(withCaptcha.statusCode, 200, withCaptcha.body);
    // A success clears the account-wide count: no captcha next time.
    assert.equal((await apiSignIn(guarded.app, a.nationalCode, a.password, freshIp())).statusCode, 200);
  });

  test('eight parallel guesses from one address never check more passwords than the share', async () => {
    const a = await insertAccount(guarded.platform);
    const ip = freshIp();
    const share = guarded.config.rateLimits.signinFailuresPerAccountAndIp.points;
    const results = await Promise.all(Array.from({ length: share + 8 }, (_, i) => apiSignIn(guarded.app, a.nationalCode, `Wrong!Pass${i}`, ip)));
    const checked = results.filter((r) => r.statusCode === 401).length;
    assert.ok(checked <= share + 1, `${checked} passwords checked with a share of ${share}`);
  });

  test('per address: 30 wrong passwords (any usernames), then 429 with Retry-After; other addresses are not affected', async () => {
    const ip = freshIp();
    const limit = guarded.config.rateLimits.signinFailuresPerIp.points;
    for (let i = 0; i < limit; i++) {
      const username = String(100000000000 + i);
      assert.equal((await apiSignIn(guarded.app, username, 'Wrong!Pass1', ip)).statusCode, 401);
    }
    const refused = await apiSignIn(guarded.app, '0499370899', PASSWORD, ip);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().error.code, 'signin.limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal((await apiSignIn(guarded.app, '200000000000', 'Wrong!Pass1', freshIp())).statusCode, 401);
  });

  test('per username and address: 10 attempts in the window, then 429; another address is not affected', async () => {
    const limit = guarded.config.rateLimits.signinPerUsername.points;
    const ip = freshIp();
    for (let i = 0; i < limit; i++) assert.equal((await apiSignIn(guarded.app, '300000000000', 'Wrong!Pass1', ip)).statusCode, 401);
    assert.equal((await apiSignIn(guarded.app, '300000000000', 'Wrong!Pass1', ip)).statusCode, 429);
    assert.equal((await apiSignIn(guarded.app, '300000000000', 'Wrong!Pass1', freshIp())).statusCode, 401);
  });

  test('an account locked before the lockout was retired keeps its lock until it ends (staff may lift it)', async () => {
    const a = await insertAccount(guarded.platform);
    await guarded.platform.db.updateTable('accounts').set({ locked_until: new Date(guarded.clock.now().getTime() + 5 * MIN) }).where('id', '=', a.id).execute();
    const locked = await apiSignIn(guarded.app, a.nationalCode, a.password, freshIp());
    assert.equal(locked.statusCode, 423);
    guarded.clock.advance(5 * MIN + 1000);
    assert.equal((await apiSignIn(guarded.app, a.nationalCode, a.password, freshIp())).statusCode, 200);
  });
});

describe('current-password checks count as failed sign-ins', () => {
  test('wrong current passwords on /account/password, the API and the mobile change: refused after the share (the guessing defect)', async () => {
    const a = await insertAccount(env.platform);
    const ip = freshIp();
    const token = (await apiSignIn(env.app, a.nationalCode, a.password, ip)).json().sessionToken as string;
    const share = env.config.rateLimits.signinFailuresPerAccountAndIp.points;
    const statuses: number[] = [];
    for (let i = 0; i < share + 2; i++) {
      const r = await env.app.inject({
        method: 'POST',
        url: '/api/v1/session/password',
        headers: bearer(token),
        payload: { currentPassword: `Wrong!Pass${i}`, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
        remoteAddress: ip,
      });
      statuses.push(r.statusCode);
    }
    assert.ok(statuses.slice(0, share).every((s) => s === 400), statuses.join(','));
    assert.equal(statuses.at(-1), 429, 'refused once the share is used');
    const right = await env.app.inject({
      method: 'POST',
      url: '/api/v1/session/password',
      headers: bearer(token),
      payload: { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
      remoteAddress: ip,
    });
    assert.equal(right.statusCode, 429, 'even the right one waits: the guesser cannot tell');

    // The pages count into the same share.
    const b = await insertAccount(env.platform);
    const page = browser(env.app);
    await page.get('/signin');
    await page.post('/signin', { username: b.nationalCode, password: b.password });
    await page.get('/account/mobile');
    let last = 0;
    for (let i = 0; i < share + 1; i++) last = (await page.post('/account/mobile', { mobile: '09128890822', currentPassword: `Wrong!Pass${i}` })).statusCode;
    assert.equal(last, 429);
  });
});

describe('timeouts', () => {
  test('idle timeout (30 min) and absolute timeout (12 h) from configuration, by the injected clock', async () => {
    const a = await insertAccount(env.platform);
    const token = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    const me = () => env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    env.clock.advance(29 * MIN);
    assert.equal((await me()).statusCode, 200);
    // Activity keeps it alive until the absolute end (12 h after sign-in).
    let elapsed = 29;
    while (elapsed + 20 < 12 * 60) {
      env.clock.advance(20 * MIN);
      elapsed += 20;
      assert.equal((await me()).statusCode, 200, `after ${elapsed} min`);
    }
    env.clock.advance((12 * 60 - elapsed) * MIN);
    assert.equal((await me()).statusCode, 401, 'absolute timeout');

    const token2 = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    env.clock.advance(30 * MIN + 1000);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token2) })).statusCode, 401, 'idle timeout');
  });

  test('the timeouts are configuration', async () => {
    const short = await createTestEnv({ env: { SESSION_IDLE_MINUTES: '5', SESSION_ABSOLUTE_HOURS: '1' } });
    try {
      const a = await insertAccount(short.platform);
      const token = (await apiSignIn(short.app, a.nationalCode, a.password)).json().sessionToken as string;
      short.clock.advance(5 * MIN + 1000);
      assert.equal((await short.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode, 401);
    } finally {
      await short.close();
    }
  });
});

describe('forced password change', () => {
  test('API: requiredActions, every other call refused (403) until the change, then allowed', async () => {
    const a = await insertAccount(env.platform, { mustChangePassword: true });
    const res = await apiSignIn(env.app, a.nationalCode, a.password);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().requiredActions, ['change_password']);
    const token = res.json().sessionToken as string;
    const me = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    assert.equal(me.statusCode, 403);
    assert.equal(me.json().error.code, 'session.password_change_required');
    const change = (body: Record<string, string>) =>
      env.app.inject({ method: 'POST', url: '/api/v1/session/password', headers: bearer(token), payload: body });
    const missing = await change({});
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(Object.keys(missing.json().error.fields).sort(), ['currentPassword', 'newPassword', 'newPasswordConfirmation']);
    const weak = await change({ currentPassword: a.password, newPassword: 'abc', newPasswordConfirmation: 'abc' });
    assert.equal(weak.json().error.fields.newPassword, 'password.too_short');
    assert.ok(weak.json().error.details.newPassword.length > 1);
    const personal = await change({ currentPassword: a.password, newPassword: `Kaz#${a.nationalCode}x`, newPasswordConfirmation: `Kaz#${a.nationalCode}x` });
    assert.equal(personal.json().error.fields.newPassword, 'password.contains_personal_info');
    const mismatch = await change({ currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD + 'x' });
    assert.equal(mismatch.json().error.fields.newPasswordConfirmation, 'account.password_mismatch');
    const wrongCurrent = await change({ currentPassword: 'Wrong!Pass1', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(wrongCurrent.json().error.fields.currentPassword, 'account.current_password_wrong');
    const same = await change({ currentPassword: a.password, newPassword: a.password, newPasswordConfirmation: a.password });
    assert.equal(same.json().error.fields.newPassword, 'account.password_same_as_current');
    const done = await change({ currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(done.statusCode, 200);
    // The session continues under a new token; the old one stops working (the rotation defect).
    const rotated = done.json().sessionToken as string;
    assert.ok(rotated && rotated !== token);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode, 401);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(rotated) })).statusCode, 200);
    assert.equal((await apiSignIn(env.app, a.nationalCode, a.password)).statusCode, 401);
    const again = await apiSignIn(env.app, a.nationalCode, NEW_PASSWORD);
    assert.deepEqual(again.json().requiredActions, []);
    assert.match((await lastSmsTo(env.platform, a.mobile))!, /گذرواژه حساب شما/);
  });

  test('pages: everything redirects to the change page (sign-out still works), then the person goes on', async () => {
    const a = await insertAccount(env.platform, { mustChangePassword: true });
    const b = browser(env.app);
    await b.get('/signin?next=%2Faccount%2Femail');
    const res = await b.post('/signin', { username: a.nationalCode, password: a.password, next: '/account/email' });
    assert.equal(res.headers.location, '/account/password?next=%2Faccount%2Femail');
    for (const url of ['/account', '/', '/register', '/account/sessions', '/recovery']) {
      const r = await b.get(url);
      assert.equal(r.statusCode, 303, url);
      assert.match(r.headers.location as string, /^\/account\/password/, url);
    }
    const page = await b.get('/account/password?next=%2Faccount%2Femail');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /ابتدا باید گذرواژه خود را تغییر دهید/);
    assert.match(page.body, /name="currentPassword"/);
    const bad = await b.post('/account/password', { currentPassword: a.password, newPassword: 'short', newPasswordConfirmation: '', next: '/account/email' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="newPassword-error"/);
    assert.match(bad.body, /id="newPasswordConfirmation-error"/);
    const ok = await b.post('/account/password', { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD, next: '/account/email' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/account/email');
    assert.equal((await b.get('/account')).statusCode, 200);
  });

  test('sign-out works while the change is pending', async () => {
    const a = await insertAccount(env.platform, { mustChangePassword: true });
    const res = await apiSignIn(env.app, a.nationalCode, a.password);
    const token = res.json().sessionToken as string;
    assert.equal((await env.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) })).statusCode, 204);
  });
});

describe('password change ends the other sessions', () => {
  test('other sessions end, this one stays, an SMS notice goes out', async () => {
    const a = await insertAccount(env.platform);
    const t1 = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    const t2 = (await apiSignIn(env.app, a.nationalCode, a.password)).json().sessionToken as string;
    const before = await smsCountTo(env.platform, a.mobile);
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/session/password',
      headers: bearer(t1),
      payload: { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
    });
    assert.equal(res.statusCode, 200);
    const rotated = res.json().sessionToken as string;
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(rotated) })).statusCode, 200, 'this session continues under its new token');
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(t1) })).statusCode, 401);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(t2) })).statusCode, 401);
    assert.equal(await smsCountTo(env.platform, a.mobile), before + 1);
    const audit = await env.platform.db.selectFrom('audit_events').select(['event', 'data']).where('account_id', '=', a.id).where('event', '=', 'account.password_changed').executeTakeFirstOrThrow();
    assert.equal((audit.data as { retired: { sessions: number } }).retired.sessions, 1);
  });
});

describe('one-time SMS code sign-in', () => {
  test('a code to the registered mobile signs in once', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin/code');
    const start = await b.post('/signin/code', { username: a.nationalCode });
    assert.equal(start.statusCode, 303);
    const flowUrl = start.headers.location as string;
    assert.match(flowUrl, /^\/signin\/code\/[A-Za-z0-9_-]{43}$/);
    const code = await lastCodeTo(env.platform, a.mobile);
    const page = await b.get(flowUrl);
    assert.equal(page.statusCode, 200);
    const empty = await b.post(flowUrl, { code: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="code-error"/);
    const wrongFormat = await b.post(flowUrl, { code: '12' });
    assert.match(wrongFormat.body, /۶ رقم/);
    const wrong = await b.post(flowUrl, { code: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    const ok = await b.post(flowUrl, { code: [...code].map((d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]).join('') });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/account');
    assert.equal((await b.get('/account')).statusCode, 200);
    const row = await env.platform.db.selectFrom('sessions').select('auth_method').where('account_id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.auth_method, 'sms_code');
    const reuse = await b.post(flowUrl, { code });
    assert.equal(reuse.statusCode, 404);
  });

  test('unknown usernames get the same answer and no SMS', async () => {
    const b = browser(env.app);
    await b.get('/signin/code');
    const start = await b.post('/signin/code', { username: '0963695398' });
    assert.equal(start.statusCode, 303);
    assert.match(start.headers.location as string, /^\/signin\/code\//);
    const page = await b.get(start.headers.location as string);
    assert.equal(page.statusCode, 200);
    const attempt = await b.post(start.headers.location as string, { code: '123456' });
    assert.equal(attempt.statusCode, 400);
    const bad = await b.post('/signin/code', { username: '12' });
    assert.equal(bad.statusCode, 400);
  });

  test('codes expire and allow five wrong tries', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin/code');
    const flowUrl = (await b.post('/signin/code', { username: a.nationalCode })).headers.location as string;
    const code = await lastCodeTo(env.platform, a.mobile);
    const wrong = code === '000000' ? '111111' : '000000';
    await b.get(flowUrl);
    for (let i = 0; i < 4; i++) assert.equal((await b.post(flowUrl, { code: wrong })).statusCode, 400);
    assert.equal((await b.post(flowUrl, { code: wrong })).statusCode, 429);
    assert.equal((await b.post(flowUrl, { code })).statusCode, 429, 'even the right code after the limit');

    await b.get('/signin/code');
    const flow2 = (await b.post('/signin/code', { username: a.nationalCode })).headers.location as string;
    const code2 = await lastCodeTo(env.platform, a.mobile);
    await b.get(flow2);
    env.clock.advance(181_000);
    const expired = await b.post(flow2, { code: code2 });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /مهلت این رمز/);
  });

  test('per username and address: five codes a day; the owner at another address still gets one (the lockout defect)', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin/code');
    const limit = env.config.rateLimits.signinCodePerUsernameAndIp.points;
    for (let i = 0; i < limit; i++) assert.equal((await b.post('/signin/code', { username: a.nationalCode })).statusCode, 303);
    await b.get('/signin/code');
    const refused = await b.post('/signin/code', { username: a.nationalCode });
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const owner = await env.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: a.nationalCode, password: a.password }, remoteAddress: freshIp() });
    assert.equal(owner.statusCode, 200, 'password sign-in is untouched');
    const api = browser(env.app);
    const page = await api.get('/signin/code');
    assert.equal(page.statusCode, 200);
    const other = await env.app.inject({
      method: 'POST',
      url: '/signin/code',
      payload: new URLSearchParams({ username: a.nationalCode, _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...api.jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      remoteAddress: freshIp(),
    });
    assert.equal(other.statusCode, 303, 'another address still gets a code');
  });

  test('a code sent during an SMS outage: the page says "sending", and its time counts from when the gateway took it', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin/code');
    const flowUrl = (await b.post('/signin/code', { username: a.nationalCode })).headers.location as string;
    // The gateway has not taken the SMS yet (its delivery job has not run).
    assert.match((await b.get(flowUrl)).body, /در حال ارسال است/);
    env.clock.advance((env.config.signin.codeTtlSeconds + 60) * 1000);
    await env.platform.queue.runDue(SMS_QUEUE.name);
    const page = await b.get(flowUrl);
    assert.equal(page.statusCode, 200, 'still open: the code arrived only now');
    assert.doesNotMatch(page.body, /در حال ارسال است/);
    const code = await lastCodeTo(env.platform, a.mobile);
    const done = await b.post(flowUrl, { code });
    assert.equal(done.statusCode, 303, done.body);
  });

  test('a forced change also follows a code sign-in', async () => {
    const a = await insertAccount(env.platform, { foreignNationalId: '912345678903', mustChangePassword: true });
    const b = browser(env.app);
    await b.get('/signin/code');
    const flowUrl = (await b.post('/signin/code', { username: a.nationalCode })).headers.location as string;
    await b.get(flowUrl);
    const ok = await b.post(flowUrl, { code: await lastCodeTo(env.platform, a.mobile) });
    assert.equal(ok.headers.location, '/account/password');
  });
});
