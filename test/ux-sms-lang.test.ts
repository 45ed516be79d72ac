// SMS in the person's language: the page they used (or the API's Accept-Language) for the
// code, and the language they registered in for the outcome that comes later.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { VERIFICATION_QUEUE } from '../src/verification/verification.service.js';
import { browser, createTestEnv, lastCodeTo, lastSmsTo, type TestEnv } from './support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  // Deliver what the tests queued before the database goes (no worker left mid-job).
  await env?.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
  await env?.close();
});

const details = {
  firstName: 'علی', lastName: 'رضایی', birthCertificateNumber: '1234', birthCertificateSerial: '123456',
  birthCertificateSeriesLetter: 'الف', birthCertificateSeriesNumber: '12', birthDay: '15', birthMonth: '1', birthYear: '1360',
  gender: 'male', country: 'IR', province: 'تهران', city: 'تهران', email: '', password: 'Tavana#Sahel92', passwordConfirmation: 'Tavana#Sahel92',
  securityQuestion: 'first_school', securityAnswer: 'دبستان فردوسی',
};

const runVerifications = () => env.platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true });

describe('SMS language', () => {
  test('registered on the English pages: the code and the outcome in English', async () => {
    const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
    const b = browser(env.app);
    await b.get('/register?lang=en');
    await b.get('/register');
    const started = await b.post('/register', { ...ALI, mobileOperator: 'mci' });
    assert.equal(started.statusCode, 303);
    assert.match((await lastSmsTo(env.platform, ALI.mobile))!, /registration code/);
    const flow = String(started.headers.location);
    await b.get(flow);
    await b.post(`${flow}/code`, { code: await lastCodeTo(env.platform, ALI.mobile) });
    await b.get(flow);
    const done = await b.post(`${flow}/details`, details);
    assert.equal(done.statusCode, 303, done.body.slice(0, 400));
    const account = await env.platform.db.selectFrom('accounts').select('preferred_lang').where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
    assert.equal(account.preferred_lang, 'en');
    await runVerifications();
    const outcome = (await lastSmsTo(env.platform, ALI.mobile))!;
    // Whatever the outcome, its text is English (only the person's name stays in Persian).
    assert.match(outcome, /^(Mr|Ms|Dear) .*\b(registration|account)\b/);
    assert.doesNotMatch(outcome.replace('رضایی', '').replace('علی', ''), /[\u0600-\u06FF]/);
  });

  test('the API follows Accept-Language; Persian pages and no language give Persian', async () => {
    const MARYAM = { nationalCode: '1282871242', mobile: '09351925705' };
    const en = await env.app.inject({
      method: 'POST',
      url: '/api/v1/registration',
      headers: { 'accept-language': 'en-US,en;q=0.9' },
      payload: { ...MARYAM, mobileOperator: 'irancell' },
    });
    assert.equal(en.statusCode, 201);
    assert.match((await lastSmsTo(env.platform, MARYAM.mobile))!, /registration code/);
    const fa = await env.app.inject({ method: 'POST', url: '/api/v1/registration', payload: { ...MARYAM, mobileOperator: 'irancell' } });
    assert.equal(fa.statusCode, 201);
    assert.match((await lastSmsTo(env.platform, MARYAM.mobile))!, /کد تأیید ثبت‌نام/);
  });

  test('an account whose language is not known gets Persian from the back office', async () => {
    const { t } = await import('../src/web/i18n.js');
    // The catalogs hold every SMS template in both languages (a missing one does not compile);
    // spot-check the back-office ones that used to be sent in Persian only.
    for (const key of ['sms.backoffice_activated', 'sms.backoffice_password_reset', 'sms.backoffice_disabled'] as const) {
      assert.doesNotMatch(t('en', key, { greeting: 'Dear Ali', password: '12345678' }), /[\u0600-\u06FF]/);
      assert.match(t('fa', key, { greeting: 'x', password: '1' }), /[\u0600-\u06FF]/);
    }
  });
});
