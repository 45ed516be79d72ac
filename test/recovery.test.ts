// Password recovery by security question and by SMS (tracking code + temporary password).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';
import { apiSignIn, bearer, insertAccount, lastRecoverySms, NEW_PASSWORD, nextMobile, nextNationalCode, PASSWORD, smsCountTo } from './signin.support.js';

const HOUR = 3600_000;
let env: TestEnv;
let ipSeq = 0;
const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

const post = (url: string, payload: Record<string, unknown>, ip = freshIp()) =>
  env.app.inject({ method: 'POST', url, payload, remoteAddress: ip });

describe('recovery by security question', () => {
  test('the question of the account; unknown codes get a stable decoy question', async () => {
    const a = await insertAccount(env.platform, { securityQuestion: 'favourite_book' });
    const res = await post('/api/v1/recovery/question', { nationalCode: a.nationalCode });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { question: 'favourite_book' });
    const unknown = nextNationalCode();
    const q1 = await post('/api/v1/recovery/question', { nationalCode: unknown });
    const q2 = await post('/api/v1/recovery/question', { nationalCode: unknown });
    assert.equal(q1.statusCode, 200);
    assert.deepEqual(q1.json(), q2.json());
    const bad = await post('/api/v1/recovery/question', { nationalCode: '123' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.fields, { nationalCode: 'signin.username_format' });
  });

  test('a person who chose no question is told so and pointed to SMS recovery (not a made-up question)', async () => {
    // Insured (SAMT) accounts are created without a security question.
    const a = await insertAccount(env.platform);
    await env.platform.db.updateTable('accounts').set({ security_question: null, security_answer_hash: null }).where('id', '=', a.id).execute();
    const res = await post('/api/v1/recovery/question', { nationalCode: a.nationalCode });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'recovery.no_question');
    const b = browser(env.app);
    await b.get('/recovery/question');
    const page = await b.post('/recovery/question', { nationalCode: a.nationalCode });
    assert.equal(page.statusCode, 409);
    assert.match(page.body, /سؤال امنیتی انتخاب نشده است/);
    // Unknown national codes still get the decoy.
    assert.equal((await post('/api/v1/recovery/question', { nationalCode: nextNationalCode() })).statusCode, 200);
  });

  test('bad input is reported per field, all at once', async () => {
    const res = await post('/api/v1/recovery/question/answer', {});
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.fields, {
      nationalCode: 'signin.username_required',
      answer: 'security_answer.required',
      newPassword: 'password.required',
      newPasswordConfirmation: 'account.password_confirmation_required',
    });
    const mismatch = await post('/api/v1/recovery/question/answer', { nationalCode: nextNationalCode(), answer: 'xx', newPassword: NEW_PASSWORD, newPasswordConfirmation: 'other' });
    assert.deepEqual(mismatch.json().error.fields, { newPasswordConfirmation: 'account.password_mismatch' });
  });

  test('the answer is compared after normalisation; success sets the password, ends sessions, unlocks, tells by SMS', async () => {
    const a = await insertAccount(env.platform, { securityAnswer: 'دبستان فردوسی' });
    const token = (await apiSignIn(env.app, a.nationalCode, a.password, freshIp())).json().sessionToken as string;
    await env.platform.db.updateTable('accounts').set({ locked_until: new Date(env.clock.now().getTime() + HOUR) }).where('id', '=', a.id).execute();
    const wrong = await post('/api/v1/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'دبستان سعدی', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(wrong.json().error.fields, { answer: 'recovery.answer_wrong' });
    // Arabic yeh, a ZWNJ instead of a space, extra spaces and punctuation: the same answer.
    const ok = await post('/api/v1/recovery/question/answer', {
      nationalCode: a.nationalCode,
      answer: '  دبستان\u200Cفردوسي!! ',
      newPassword: NEW_PASSWORD,
      newPasswordConfirmation: NEW_PASSWORD,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode, 401, 'sessions ended');
    assert.equal((await apiSignIn(env.app, a.nationalCode, a.password, freshIp())).statusCode, 401);
    assert.equal((await apiSignIn(env.app, a.nationalCode, NEW_PASSWORD, freshIp())).statusCode, 200, 'unlocked, new password');
    assert.match((await lastSmsTo(env.platform, a.mobile))!, /گذرواژه حساب شما/);
  });

  test('personal information in the new password is refused only once the answer is right', async () => {
    const a = await insertAccount(env.platform);
    const pw = `Kaz#${a.nationalCode}x`;
    const wrong = await post('/api/v1/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'نادرست', newPassword: pw, newPasswordConfirmation: pw });
    assert.deepEqual(wrong.json().error.fields, { answer: 'recovery.answer_wrong' });
    const right = await post('/api/v1/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'دبستان فردوسی', newPassword: pw, newPasswordConfirmation: pw });
    assert.deepEqual(right.json().error.fields, { newPassword: 'password.contains_personal_info' });
  });

  test('five tries a day per national code, then 429 even for the right answer', async () => {
    const a = await insertAccount(env.platform);
    const limit = env.config.rateLimits.recoveryAnswerPerAccount.points;
    for (let i = 0; i < limit; i++) {
      const r = await post('/api/v1/recovery/question/answer', { nationalCode: a.nationalCode, answer: `غلط ${i}`, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
      assert.equal(r.statusCode, 400);
    }
    const refused = await post('/api/v1/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'دبستان فردوسی', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().error.code, 'recovery.answer_tries_exceeded');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal((await apiSignIn(env.app, a.nationalCode, PASSWORD, freshIp())).statusCode, 200, 'the password is unchanged');
  });

  test('the pages: national code → the question → answer and new password', async () => {
    const a = await insertAccount(env.platform, { securityQuestion: 'childhood_friend', securityAnswer: 'رضا' });
    const b = browser(env.app);
    const choice = await b.get('/recovery');
    assert.match(choice.body, /href="\/recovery\/question"/);
    assert.match(choice.body, /href="\/recovery\/sms"/);
    await b.get('/recovery/question');
    const bad = await b.post('/recovery/question', { nationalCode: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="nationalCode-error"/);
    const asked = await b.post('/recovery/question', { nationalCode: a.nationalCode });
    assert.equal(asked.statusCode, 303);
    const step2 = await b.get(String(asked.headers.location));
    assert.equal(step2.statusCode, 200);
    assert.match(step2.body, /صمیمی‌ترین دوست/);
    const wrong = await b.post('/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'علی', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /id="answer-error"/);
    assert.match(wrong.body, /صمیمی‌ترین دوست/, 'the question is asked again');
    const changed = await b.post('/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'رضا', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(changed.statusCode, 303);
    const done = await b.get(String(changed.headers.location));
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /گذرواژه شما تغییر کرد/);
  });
});

describe('recovery by SMS', () => {
  test('a tracking code and a temporary password that forces a password change', async () => {
    const a = await insertAccount(env.platform);
    const res = await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), {});
    const sms = await lastRecoverySms(env.platform, a.mobile);
    assert.match((await lastSmsTo(env.platform, a.mobile))!, /کد رهگیری \d{8} گذرواژه موقت \d{8}/);
    // The own password keeps working: a stranger who knows the pair cannot lock the owner out.
    assert.equal((await apiSignIn(env.app, a.nationalCode, a.password, freshIp())).statusCode, 200);
    const signIn = await apiSignIn(env.app, a.nationalCode, sms.password, freshIp());
    assert.equal(signIn.statusCode, 200);
    assert.deepEqual(signIn.json().requiredActions, ['change_password']);
    const token = signIn.json().sessionToken as string;
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode, 403);
    // No current password is asked right after a temporary-password sign-in.
    const change = await env.app.inject({ method: 'POST', url: '/api/v1/session/password', headers: bearer(token), payload: { newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD } });
    assert.equal(change.statusCode, 200, change.body);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(change.json().sessionToken) })).statusCode, 200);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode, 401, 'a new session id after the forced change');
    assert.equal((await apiSignIn(env.app, a.nationalCode, sms.password, freshIp())).statusCode, 401, 'the temporary password is spent once a new password is set');
    assert.equal((await apiSignIn(env.app, a.nationalCode, NEW_PASSWORD, freshIp())).statusCode, 200);
    assert.equal((await apiSignIn(env.app, a.nationalCode, a.password, freshIp())).statusCode, 401);
  });

  test('the same answer whether or not national code and mobile match; no SMS when they do not', async () => {
    const a = await insertAccount(env.platform);
    const other = nextMobile();
    const before = await smsCountTo(env.platform, a.mobile);
    const mismatch = await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: other });
    const unknown = await post('/api/v1/recovery/sms', { nationalCode: nextNationalCode(), mobile: a.mobile });
    const pending = await insertAccount(env.platform, { status: 'pending_verification' });
    const notActive = await post('/api/v1/recovery/sms', { nationalCode: pending.nationalCode, mobile: pending.mobile });
    for (const r of [mismatch, unknown, notActive]) {
      assert.equal(r.statusCode, 202);
      assert.equal(r.body, '{}');
    }
    assert.equal(await smsCountTo(env.platform, a.mobile), before);
    assert.equal(await smsCountTo(env.platform, other), 0);
    assert.equal(await smsCountTo(env.platform, pending.mobile), 0);
    const bad = await post('/api/v1/recovery/sms', { nationalCode: '1', mobile: '0912' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.fields, { nationalCode: 'signin.username_format', mobile: 'mobile.format' });
  });

  test('only the latest tracking code’s password works', async () => {
    const a = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const first = await lastRecoverySms(env.platform, a.mobile);
    env.clock.advance(60_000);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const second = await lastRecoverySms(env.platform, a.mobile);
    assert.notEqual(first.trackingCode, second.trackingCode);
    assert.equal((await apiSignIn(env.app, a.nationalCode, first.password, freshIp())).statusCode, 401);
    assert.equal((await apiSignIn(env.app, a.nationalCode, second.password, freshIp())).statusCode, 200);
  });

  test('the temporary password keeps working until a new password is set (closed tab, other browser); only the latest works', async () => {
    const a = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const first = await lastRecoverySms(env.platform, a.mobile);
    // The defect: the first sign-in spent it, although the SMS says it is valid for 24 hours.
    assert.equal((await apiSignIn(env.app, a.nationalCode, first.password, freshIp())).statusCode, 200);
    assert.equal((await apiSignIn(env.app, a.nationalCode, first.password, freshIp())).statusCode, 200, 'a second sign-in before the change works');
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const second = await lastRecoverySms(env.platform, a.mobile);
    assert.equal((await apiSignIn(env.app, a.nationalCode, first.password, freshIp())).statusCode, 401, 'an older one stops working');
    const signIn = await apiSignIn(env.app, a.nationalCode, second.password, freshIp());
    assert.equal(signIn.statusCode, 200);
    const change = await env.app.inject({ method: 'POST', url: '/api/v1/session/password', headers: bearer(signIn.json().sessionToken), payload: { newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD } });
    assert.equal(change.statusCode, 200);
    assert.equal((await apiSignIn(env.app, a.nationalCode, second.password, freshIp())).statusCode, 401, 'spent by the new password');
  });

  test('a staff reset retires an SMS-recovery temporary password (the staff-reset defect)', async () => {
    const a = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const sms = await lastRecoverySms(env.platform, a.mobile);
    const staff = { kind: 'staff' as const, staff: { id: '00000000-0000-4000-8000-000000000009', username: 'desk9', role: 'admin' as const, branchCode: null }, ip: '10.9.9.9', reason: 'at the counter', walkIn: null };
    await env.platform.db.transaction().execute(async (trx) =>
      env.platform.accounts.resetPasswordByStaff(trx, staff, (await env.platform.accounts.lockForUpdate(trx, a.id))!, await env.platform.hasher.hash('Tstaff2345'), 'Tstaff2345'),
    );
    assert.equal((await apiSignIn(env.app, a.nationalCode, sms.password, freshIp())).statusCode, 401);
  });

  test('it expires after 24 hours (configurable)', async () => {
    const a = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const sms = await lastRecoverySms(env.platform, a.mobile);
    env.clock.advance(24 * HOUR - 1000);
    const b = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: b.nationalCode, mobile: b.mobile });
    const smsB = await lastRecoverySms(env.platform, b.mobile);
    assert.equal((await apiSignIn(env.app, a.nationalCode, sms.password, freshIp())).statusCode, 200, 'just before expiry');
    env.clock.advance(24 * HOUR + 1000);
    assert.equal((await apiSignIn(env.app, b.nationalCode, smsB.password, freshIp())).statusCode, 401, 'expired');

    const short = await createTestEnv({ env: { RECOVERY_SMS_TTL_HOURS: '2' } });
    try {
      const c = await insertAccount(short.platform);
      await short.app.inject({ method: 'POST', url: '/api/v1/recovery/sms', payload: { nationalCode: c.nationalCode, mobile: c.mobile } });
      const smsC = await lastRecoverySms(short.platform, c.mobile);
      assert.match((await lastSmsTo(short.platform, c.mobile))!, /۲ ساعت/);
      short.clock.advance(2 * HOUR + 1000);
      assert.equal((await apiSignIn(short.app, c.nationalCode, smsC.password)).statusCode, 401);
    } finally {
      await short.close();
    }
  });

  test('a password change retires a pending temporary password', async () => {
    const a = await insertAccount(env.platform);
    await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    const sms = await lastRecoverySms(env.platform, a.mobile);
    const token = (await apiSignIn(env.app, a.nationalCode, a.password, freshIp())).json().sessionToken as string;
    await env.app.inject({ method: 'POST', url: '/api/v1/session/password', headers: bearer(token), payload: { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD } });
    assert.equal((await apiSignIn(env.app, a.nationalCode, sms.password, freshIp())).statusCode, 401);
  });

  test('daily limits per national code, per mobile and per address', async () => {
    const limits = env.config.rateLimits;
    const a = await insertAccount(env.platform);
    // Requests with a wrong mobile never use up the owner's quota (the lockout defect).
    for (let i = 0; i < limits.recoverySmsPerNationalCode.points + 2; i++) {
      assert.equal((await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: nextMobile() }, freshIp())).statusCode, 202);
    }
    for (let i = 0; i < limits.recoverySmsPerNationalCode.points; i++) {
      assert.equal((await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile }, freshIp())).statusCode, 202, `owner's request ${i + 1}`);
    }
    const byCode = await post('/api/v1/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile }, freshIp());
    assert.equal(byCode.statusCode, 429);
    assert.equal(byCode.json().error.code, 'recovery.limited');
    assert.ok(Number(byCode.headers['retry-after']) > 0);

    // A number that belongs to nobody asked for: no SMS, nothing counted against it.
    const mobile = nextMobile();
    for (let i = 0; i < limits.recoverySmsPerMobile.points + 2; i++) {
      assert.equal((await post('/api/v1/recovery/sms', { nationalCode: nextNationalCode(), mobile })).statusCode, 202);
    }
    assert.equal(await smsCountTo(env.platform, mobile), 0);

    const ip = freshIp();
    for (let i = 0; i < limits.recoverySmsPerIp.points; i++) {
      assert.equal((await post('/api/v1/recovery/sms', { nationalCode: nextNationalCode(), mobile: nextMobile() }, ip)).statusCode, 202);
    }
    assert.equal((await post('/api/v1/recovery/sms', { nationalCode: nextNationalCode(), mobile: nextMobile() }, ip)).statusCode, 429);
  });

  test('the page answers the same for a match and a mismatch; a temporary-password sign-in goes to the change page without the current password', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/recovery/sms');
    const match = await b.post('/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    await b.get('/recovery/sms');
    const mismatch = await b.post('/recovery/sms', { nationalCode: a.nationalCode, mobile: nextMobile() });
    assert.equal(match.statusCode, 303);
    assert.equal(mismatch.statusCode, 303);
    assert.equal(match.headers.location, mismatch.headers.location, 'the same page for a match and a mismatch');
    const sms = await lastRecoverySms(env.platform, a.mobile);
    await b.get('/signin');
    const signIn = await b.post('/signin', { username: a.nationalCode, password: sms.password });
    assert.equal(signIn.headers.location, '/account/password');
    const page = await b.get('/account/password');
    assert.doesNotMatch(page.body, /name="currentPassword"/);
    const done = await b.post('/account/password', { newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.equal(done.statusCode, 303);
    assert.equal((await b.get('/account')).statusCode, 200);
  });
});
