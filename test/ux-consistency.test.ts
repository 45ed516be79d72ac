// Consistency of the Persian pages: Persian digits in every text a person reads, one word
// for password (گذرواژه) and one for question (سؤال) in every catalog, the guide's steps
// numbered once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { t, isMessageKey } from '../src/messages/index.js';
import { browser, createTestEnv, lastCodeTo, type TestEnv } from './support.js';
import { insertAccount } from './signin.support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

/** The text a person reads: no tags, scripts, styles or attribute values. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

function assertPersianDigits(url: string, html: string) {
  assert.match(html, /<html lang="fa"/, url);
  const text = visibleText(html);
  const latin = /[^\s]{0,20}[0-9][^\s]{0,20}/.exec(text);
  assert.equal(latin, null, `${url}: Latin digits in «${latin?.[0]}»`);
}

describe('Persian digits', () => {
  test('registration, status, sign-in, recovery, insured and help pages', async () => {
    const b = browser(env.app);
    const pages = ['/', '/register', '/register/status', '/signin', '/signin/code', '/recovery', '/recovery/question', '/recovery/sms', '/insured/register', '/insured/register/form?acceptTerms=1', '/help/registration'];
    for (const url of pages) {
      const res = await b.get(url);
      assert.equal(res.statusCode, 200, url);
      assertPersianDigits(url, res.body);
    }
    const started = await b.post('/register', { nationalCode: '0014789663', mobileOperator: 'mci', mobile: '09128890822' });
    const flow = String(started.headers.location);
    assertPersianDigits('code page', (await b.get(flow)).body);
    const wrong = await b.post(`${flow}/code`, { code: '12' });
    assertPersianDigits('code page with an error', wrong.body);
    await b.post(`${flow}/code`, { code: await lastCodeTo(env.platform, '09128890822') });
    assertPersianDigits('step 2', (await b.get(flow)).body);
    const refused = await b.post(`${flow}/details`, { password: 'x' });
    assertPersianDigits('step 2 with errors', refused.body);
  });

  test('account pages', async () => {
    const a = await insertAccount(env.platform);
    const b = browser(env.app);
    await b.get('/signin');
    assert.equal((await b.post('/signin', { username: a.nationalCode, password: a.password })).statusCode, 303);
    for (const url of ['/account', '/account/password', '/account/email', '/account/security-question', '/account/mobile', '/account/sessions']) {
      const res = await b.get(url);
      assert.equal(res.statusCode, 200, url);
      assertPersianDigits(url, res.body);
    }
  });

  test('back office pages', async () => {
    const created = await env.platform.staff.create({ username: 'ux.digits', role: 'admin' });
    assert.ok(created.ok);
    const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
    const b = browser(env.app);
    await b.get('/backoffice/signin');
    await b.post('/backoffice/signin', { username: 'ux.digits', password: created.value.oneTimePassword, code: await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) }) });
    await b.get('/backoffice/password');
    assert.equal((await b.post('/backoffice/password', { newPassword: 'Branch!Desk2026xq', newPasswordConfirmation: 'Branch!Desk2026xq' })).statusCode, 303);
    const a = await insertAccount(env.platform, { status: 'awaiting_branch_visit' });
    await b.get(`/backoffice/people/${a.id}`);
    for (const url of ['/backoffice/search', `/backoffice/search?q=${a.nationalCode}`, `/backoffice/people/${a.id}`, '/backoffice/overdue', '/backoffice/sms/dead', '/backoffice/foreign-nationals']) {
      const res = await b.get(url);
      assert.ok(res.statusCode === 200, `${url}: ${res.statusCode}`);
      assertPersianDigits(url, res.body);
    }
  });
});

describe('one word each', () => {
  test('password is گذرواژه and question is سؤال in every Persian text', async () => {
    const { LANGUAGES } = await import('../src/web/i18n.js');
    assert.ok(LANGUAGES.includes('fa'));
    const catalogs = readFileSync(new URL('../src/web/i18n.ts', import.meta.url), 'utf8');
    assert.ok(catalogs.length > 0);
    // Every key of the catalogs, through t() (overrides included).
    const keys = [...readFileSync(new URL('../src/messages/registration.ts', import.meta.url), 'utf8').matchAll(/'([a-z_]+\.[a-z0-9_.]+)':/g)].map((m) => m[1]!);
    const files = ['identity/identity.messages.ts', 'messages/registration.ts', 'messages/signin.ts', 'messages/recovery.ts', 'messages/account.ts', 'messages/insured.ts', 'messages/backoffice.ts', 'messages/notifications.ts', 'messages/audit.ts', 'messages/web.ts', 'messages/sso.ts', 'messages/doctors.ts', 'messages/passkeys.ts'];
    for (const f of files) for (const m of readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8').matchAll(/'([a-z_]+\.[A-Za-z0-9_.]+)':/g)) keys.push(m[1]!);
    let checked = 0;
    for (const key of new Set(keys)) {
      if (!isMessageKey(key)) continue;
      const text = t('fa', key);
      checked++;
      assert.doesNotMatch(text, /رمز عبور|رمز موقت|پرسش|سوال/, `${key}: ${text}`);
    }
    assert.ok(checked > 300, `checked ${checked} texts`);
  });

  test('the guide numbers its steps once (the titles carry the number)', async () => {
    const page = await browser(env.app).get('/help/registration');
    assert.match(page.body, /<ol class="guide-steps">/);
    const css = readFileSync(new URL('../src/web/static/app.css', import.meta.url), 'utf8');
    assert.match(css, /\.guide-steps\s*\{[^}]*list-style:\s*none/);
  });
});
