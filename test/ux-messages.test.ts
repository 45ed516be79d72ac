// What people are told: no unfilled «{placeholder}» in any error, the solar year asked for
// when a Gregorian one is typed, a Persian keyboard named on sign-in, an operator that does
// not fit the number's prefix pointed out, limits in a notice of their own, the time step 2
// gives and what it keeps when that time runs out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInErrors } from '../src/signin/signin.routes.js';
import { browser, createTestEnv, lastCodeTo, type TestEnv } from './support.js';
import { insertAccount } from './signin.support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
const MARYAM = { nationalCode: '1282871242', mobile: '09351925705' };

async function toStep2(b: ReturnType<typeof browser>, person: { nationalCode: string; mobile: string }, operator = 'mci') {
  await b.get('/register');
  const started = await b.post('/register', { ...person, mobileOperator: operator });
  assert.equal(started.statusCode, 303, started.body.slice(0, 500));
  const flowUrl = String(started.headers.location);
  const codePage = await b.get(flowUrl);
  const code = await lastCodeTo(env.platform, person.mobile);
  const confirmed = await b.post(`${flowUrl}/code`, { code });
  assert.equal(confirmed.statusCode, 303);
  return { flowUrl, codePage: codePage.body };
}

const details = (over: Record<string, string> = {}) => ({
  firstName: 'علی', lastName: 'رضایی', birthCertificateNumber: '1234', birthCertificateSerial: '123456',
  birthCertificateSeriesLetter: 'الف', birthCertificateSeriesNumber: '12', birthDay: '15', birthMonth: '1', birthYear: '1360',
  gender: 'male', country: 'IR', province: 'تهران', city: 'تهران', email: '', password: 'Tavana#Sahel92', passwordConfirmation: 'Tavana#Sahel92',
  securityQuestion: 'first_school', securityAnswer: 'دبستان فردوسی', ...over,
});

describe('error texts', () => {
  for (const lang of ['fa', 'en'] as const) {
    test(`a password with Persian letters, a space or @ gets a filled-in message (${lang})`, async () => {
      const b = browser(env.app);
      await b.get(`/register?lang=${lang}`);
      const { flowUrl } = await toStep2(b, lang === 'fa' ? ALI : MARYAM, lang === 'fa' ? 'mci' : 'irancell');
      await b.get(flowUrl);
      for (const password of ['Tavana#Sahelگ92', 'Tavana Sahel92', 'Tavana@Sahel92']) {
        const res = await b.post(`${flowUrl}/details`, details({ password, passwordConfirmation: password }));
        assert.equal(res.statusCode, 400);
        assert.doesNotMatch(res.body, /\{\w+\}/, `no unfilled placeholder for ${JSON.stringify(password)}`);
        assert.match(res.body, /&amp; % \$ # !/, 'the allowed symbols are named');
        assert.match(res.body, /id="error-summary"/);
      }
    });
  }

  test('a Gregorian birth year is answered "use the solar year", in both languages and in the API', async () => {
    const b = browser(env.app);
    const { flowUrl } = await toStep2(b, { nationalCode: '0636676595', mobile: '09123636577' });
    const res = await b.post(`${flowUrl}/details`, details({ birthYear: '1970', birthMonth: '3', birthDay: '12' }));
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /شمسی/);
    assert.doesNotMatch(res.body, /بعد از امروز/);
    const api = await env.app.inject({
      method: 'POST',
      url: '/api/v1/registration/x/details',
      headers: { 'accept-language': 'en' },
      payload: {},
    });
    assert.ok(api.statusCode >= 400);
    const { t } = await import('../src/web/i18n.js');
    assert.match(t('en', 'birth_date.gregorian'), /solar \(Jalali\)/);
  });

  test('an operator that does not fit the prefix is pointed out, not silently taken', async () => {
    const b = browser(env.app);
    await b.get('/register');
    // 0935… was issued by Irancell; the person picks Hamrah-e Avval.
    const started = await b.post('/register', { nationalCode: '7847653079', mobile: '09124859161', mobileOperator: 'irancell' });
    assert.equal(started.statusCode, 303);
    const page = await b.get(String(started.headers.location));
    assert.match(page.body, /در اصل متعلق به همراه اول است/);
    assert.match(page.body, /ایرانسل را انتخاب کرده‌اید/);
    assert.match(page.body, /۰۹۱۲۴۸۵۹۱۶۱/, 'the number in Persian digits');
  });

  test('the code page shows the mobile in Persian digits and no operator warning when it fits', async () => {
    const b = browser(env.app);
    await b.get('/register');
    const started = await b.post('/register', { nationalCode: '3864391784', mobile: '09984507015', mobileOperator: 'shatel' });
    const page = await b.get(String(started.headers.location));
    assert.doesNotMatch(page.body, /در اصل متعلق/);
    assert.match(page.body, /۰۹۹۸۴۵۰۷۰۱۵/);
    assert.doesNotMatch(page.body.replace(/<[^>]+>/g, ''), /09984507015/);
  });
});

describe('sign-in', () => {
  test('a password typed on a Persian keyboard (digits only, or letters) is named as such, whether or not the account exists', async () => {
    const a = await insertAccount(env.platform);
    for (const [username, password] of [
      [a.nationalCode, '۱۲۳۴۵۶۷۸'],
      [a.nationalCode, 'لخقلاثو۴۲'],
      ['0014789663', '۱۲۳۴۵۶۷۸'],
    ] as const) {
      const b = browser(env.app);
      await b.get('/signin');
      const res = await b.post('/signin', { username, password });
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /صفحه‌کلید شما روی فارسی است/);
      assert.match(res.body, /نام کاربری یا گذرواژه نادرست است/);
    }
    const b = browser(env.app);
    await b.get('/signin?lang=en');
    await b.get('/signin');
    const en = await b.post('/signin', { username: a.nationalCode, password: '۱۲۳۴۵۶۷۸' });
    assert.match(en.body, /keyboard is set to Persian/);
    // A wrong Latin password gets no keyboard hint.
    const latin = await b.post('/signin', { username: a.nationalCode, password: 'Wrong#Pass11' });
    assert.doesNotMatch(latin.body, /keyboard is set to Persian/);
  });

  test('the keyboard hint goes beside the password, only for a refused password', () => {
    const wrong = { kind: 'unauthenticated' as const, code: 'signin.invalid_credentials' as const };
    assert.equal(signInErrors(wrong, '۱۲۳۴۵۶۷۸').password, 'signin.persian_keyboard');
    assert.equal(signInErrors(wrong, 'Wrong#Pass11').password, undefined);
    assert.equal(signInErrors({ kind: 'limited', code: 'signin.limited' }, '۱۲۳۴').password, undefined);
  });
});

describe('limits', () => {
  test('a rate limit is a notice of its own, not under «please correct»', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/recovery/sms');
    const perCode = env.config.rateLimits.recoverySmsPerNationalCode.points;
    let last;
    for (let i = 0; i <= perCode; i++) last = await b.post('/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile });
    assert.equal(last!.statusCode, 429);
    assert.match(last!.body, /id="limit-notice"/);
    assert.doesNotMatch(last!.body, /لطفاً موارد زیر را اصلاح کنید/);
    assert.doesNotMatch(last!.body, /id="error-summary"/);
    // Bad input beside a limit still gets the summary (the limit keeps its own box).
    const both = await b.post('/recovery/sms', { nationalCode: '1', mobile: a.mobile });
    assert.equal(both.statusCode, 400);
    assert.match(both.body, /id="error-summary"/);
  });
});

describe('registration time', () => {
  test('step 2 says how long the person has; after it expires what was typed comes back (never the password)', async () => {
    const b = browser(env.app);
    const { flowUrl } = await toStep2(b, ALI);
    const page = await b.get(flowUrl);
    assert.match(page.body, /۳۰ دقیقه فرصت دارید/);
    env.clock.advance(31 * 60_000);
    // A browser sends the read-only fields of step 1 too.
    const late = await b.post(
      `${flowUrl}/details`,
      details({ firstName: 'کاوه', securityAnswer: 'دبستان سعدی', ro_nationalCode: '۰۰۱۴۷۸۹۶۶۳', ro_mobile: '۰۹۱۲۸۸۹۰۸۲۲', ro_mobileOperatorCode: 'mci' }),
    );
    assert.equal(late.statusCode, 303);
    assert.match(String(late.headers.location), /^\/register\?expired=1/);
    const start = await b.get(String(late.headers.location));
    assert.match(start.body, /مهلت ۳۰ دقیقه‌ای/);
    assert.match(start.body, /به جز گذرواژه/);
    assert.match(start.body, new RegExp(`value="${ALI.nationalCode}"`), 'step 1 is filled in again');
    // Start again: step 2 comes back filled in, without the password.
    const again = await b.post('/register', { ...ALI, mobileOperator: 'mci' });
    assert.equal(again.statusCode, 303, again.body.slice(0, 300));
    const flow2 = String(again.headers.location);
    await b.post(`${flow2}/code`, { code: await lastCodeTo(env.platform, ALI.mobile) });
    const filled = await b.get(flow2);
    assert.match(filled.body, /value="کاوه"/);
    assert.match(filled.body, /value="دبستان سعدی"/);
    assert.doesNotMatch(filled.body, /Tavana#Sahel92/);
    assert.match(filled.body, /دوباره در فرم قرار گرفت/);
  });
});
