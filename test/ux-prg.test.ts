// Every page a POST completes is reached by a 303 redirect to a page that can be reloaded:
// the same content twice, nothing repeated (no second SMS, no "code already used").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { browser, createTestEnv, lastCodeTo, type TestEnv } from './support.js';
import { insertAccount, NEW_PASSWORD, smsCountTo } from './signin.support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv({ env: { CAPTCHA_COST: '20' } });
});
after(async () => {
  await env?.close();
});

/** Strips the per-response CSRF token so two renderings of one page can be compared. */
const stable = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');

/** POST → 303 → GET 200 → GET again: same page. Returns the page. */
async function postRedirectGet(agent: ReturnType<typeof browser>, url: string, form: Record<string, string>, expected: string | RegExp) {
  const posted = await agent.post(url, form);
  assert.equal(posted.statusCode, 303, `${url}: ${posted.statusCode} ${posted.body.slice(0, 300)}`);
  const target = String(posted.headers.location);
  if (typeof expected === 'string') assert.equal(target.split('?')[0], expected);
  else assert.match(target, expected);
  const first = await agent.get(target);
  assert.equal(first.statusCode, 200, `${target}: ${first.body.slice(0, 300)}`);
  const again = await agent.get(target);
  assert.equal(again.statusCode, 200);
  assert.equal(stable(again.body), stable(first.body), `${target} shows the same page on reload`);
  return { target, body: first.body };
}

async function solvedCaptcha(): Promise<string> {
  const res = await env.app.inject({ method: 'GET', url: '/api/v1/captcha' });
  const challenge = res.json() as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

describe('post/redirect/get', () => {
  test('registration: step 1, code, step 2 and the submitted page; the status answer', async () => {
    const agent = browser(env.app);
    await agent.get('/register');
    const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
    const step1 = await postRedirectGet(agent, '/register', { ...ALI, mobileOperator: 'mci' }, /^\/register\/flow\/[\w-]{43}$/);
    const smsAfterStep1 = await smsCountTo(env.platform, ALI.mobile);
    const flowUrl = step1.target;
    const code = await lastCodeTo(env.platform, ALI.mobile);
    await postRedirectGet(agent, `${flowUrl}/code`, { code }, flowUrl);
    const details = {
      firstName: 'علی', lastName: 'رضایی', birthCertificateNumber: '1234', birthCertificateSerial: '123456',
      birthCertificateSeriesLetter: 'الف', birthCertificateSeriesNumber: '12', birthDay: '15', birthMonth: '1', birthYear: '1360',
      gender: 'male', country: 'IR', province: 'تهران', city: 'تهران', email: '', password: 'Tavana#Sahel92', passwordConfirmation: 'Tavana#Sahel92',
      securityQuestion: 'first_school', securityAnswer: 'دبستان فردوسی',
    };
    const submitted = await postRedirectGet(agent, `${flowUrl}/details`, details, flowUrl);
    assert.match(submitted.body, /ثبت شد|submitted/i);
    assert.equal(await smsCountTo(env.platform, ALI.mobile), smsAfterStep1, 'reloading sends no SMS');

    await agent.get('/register/status');
    const status = await postRedirectGet(agent, '/register/status', ALI, '/register/status/result');
    assert.match(status.body, /در حال بررسی/);
    // Opened without an answer kept for it, the result page sends the person to the form.
    const fresh = await browser(env.app).get('/register/status/result');
    assert.equal(fresh.statusCode, 303);
  });

  test('insured registration: the success page reloads without "code already used"', async () => {
    const agent = browser(env.app);
    await agent.get('/insured/register/form?acceptTerms=1');
    const form = { acceptTerms: '1', nationalCode: '0074367463', insuranceNumber: '6545679641', branchCode: '112', mobile: '', email: '', intent: 'register', captcha: await solvedCaptcha() };
    const done = await postRedirectGet(agent, '/insured/register', form, '/insured/register/done');
    assert.match(done.body, /ثبت‌نام با موفقیت انجام شد/);
    assert.match(done.body, /۰۰۷۴۳۶۷۴۶۳/, 'the username in Persian digits');
    assert.doesNotMatch(done.body, /قبلاً استفاده شده/);
    // Another browser (no result kept) gets a page that explains, not someone else's result.
    const other = await browser(env.app).get('/insured/register/done');
    assert.equal(other.statusCode, 200);
    assert.doesNotMatch(other.body, /۰۰۷۴۳۶۷۴۶۳/);
  });

  test('SMS recovery: reloading the "sent" page sends no other SMS', async () => {
    const a = await insertAccount(env.platform);
    const agent = browser(env.app);
    await agent.get('/recovery/sms');
    const before = await smsCountTo(env.platform, a.mobile);
    const sent = await postRedirectGet(agent, '/recovery/sms', { nationalCode: a.nationalCode, mobile: a.mobile }, '/recovery/sms/sent');
    assert.equal(await smsCountTo(env.platform, a.mobile), before + 1, 'one SMS for one request');
    await agent.get('/recovery/sms/sent');
    assert.equal(await smsCountTo(env.platform, a.mobile), before + 1, 'no SMS on reload');
    assert.match(sent.body, /پیامک/);
  });

  test('question recovery: the question page and the done page are reloadable', async () => {
    const a = await insertAccount(env.platform);
    const agent = browser(env.app);
    await agent.get('/recovery/question');
    const asked = await postRedirectGet(agent, '/recovery/question', { nationalCode: a.nationalCode }, '/recovery/question/answer');
    assert.match(asked.body, /name="answer"/);
    // A wrong answer is bad input: 4xx with the form again.
    const wrong = await agent.post('/recovery/question/answer', { nationalCode: a.nationalCode, answer: 'نادرست', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD });
    assert.ok(wrong.statusCode >= 400 && wrong.statusCode < 500, String(wrong.statusCode));
    assert.match(wrong.body, /name="answer"/);
    const done = await postRedirectGet(
      agent,
      '/recovery/question/answer',
      { nationalCode: a.nationalCode, answer: 'دبستان فردوسی', newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD },
      '/recovery/question/done',
    );
    assert.match(done.body, /گذرواژه/);
    assert.equal((await browser(env.app).get('/recovery/question/done')).statusCode, 303, 'not shown to a browser that did not recover');
  });

  test('account changes redirect to the account page', async () => {
    const a = await insertAccount(env.platform);
    const agent = browser(env.app);
    await agent.get('/signin');
    const signedIn = await agent.post('/signin', { username: a.nationalCode, password: a.password });
    assert.equal(signedIn.statusCode, 303);
    await agent.get('/account/email');
    await postRedirectGet(agent, '/account/email', { email: 'maryam@example.ir' }, '/account');
    await agent.get('/account/security-question');
    await postRedirectGet(agent, '/account/security-question', { securityQuestion: 'first_school', securityAnswer: 'دبستان حافظ', currentPassword: a.password }, '/account');
    await agent.get('/account/password');
    await postRedirectGet(agent, '/account/password', { currentPassword: a.password, newPassword: NEW_PASSWORD, newPasswordConfirmation: NEW_PASSWORD }, '/account');
  });
});
