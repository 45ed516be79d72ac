// Registration and insured registration walked in Chromium on a phone (390 px) and a desktop
// page, in Persian and English: every page and state checked by axe (0 violations), a
// screenshot of each in docs/screenshots/ux-* (SCREENSHOTS=1), reloads that repeat nothing, no page wider
// than the phone, and the back office on a phone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generate } from 'otplib';
import { lastCodeTo } from '../support.js';
import { insertAccount } from '../signin.support.js';
import { axeViolations, chromiumMissing, createBrowserEnv, PHONE_PIXEL_RATIO, screenshot, type BrowserEnv } from './support.js';

let env: BrowserEnv;
before(async () => {
  if (!chromiumMissing) env = await createBrowserEnv({ env: { CAPTCHA_COST: '200' } });
});
after(async () => {
  await env?.close();
});

type Size = 'phone' | 'desktop';
type Lang = 'fa' | 'en';

async function newPage(browser: Browser, size: Size, lang: Lang): Promise<Page> {
  const context = await browser.newContext(
    size === 'phone'
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: PHONE_PIXEL_RATIO, isMobile: true, hasTouch: true, locale: lang === 'fa' ? 'fa-IR' : 'en-US' }
      : { viewport: { width: 1280, height: 900 }, locale: lang === 'fa' ? 'fa-IR' : 'en-US' },
  );
  const page = await context.newPage();
  // The page language is the person's choice (the switch), not the browser's.
  await page.goto(`${env.baseUrl}/?lang=${lang}`);
  return page;
}

/** axe finds nothing, the page is no wider than its window, and a screenshot is kept. */
async function check(page: Page, name: string, options: { exclude?: string } = {}) {
  assert.deepEqual(await axeViolations(page, options), [], `${name}: axe`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than the window`);
  assert.doesNotMatch(await page.locator('body').innerText(), /\{\w+\}/, `${name}: an unfilled placeholder`);
  await screenshot(page, `ux-${name}`);
}

const words = {
  fa: {
    nationalCode: 'کد ملی', operator: 'اپراتور تلفن همراه', mobile: 'شماره تلفن همراه', continue: 'ادامه', code: 'کد تأیید', codeSubmit: 'تأیید کد',
    firstName: 'نام', lastName: 'نام خانوادگی', certNumber: 'شماره شناسنامه', certSerial: 'سریال شناسنامه', seriesLetter: 'حرف سری', seriesNumber: 'عدد سری',
    day: 'روز', month: 'ماه', year: 'سال', female: 'زن', male: 'مرد', province: 'استان محل سکونت', city: 'شهر محل سکونت', password: 'گذرواژه', passwordAgain: 'تکرار گذرواژه',
    question: 'سؤال امنیتی', answer: 'پاسخ سؤال امنیتی', submit: 'ثبت درخواست', submitted: 'درخواست شما ثبت شد',
  },
  en: {
    nationalCode: 'National code', operator: 'Mobile operator', mobile: 'Mobile number', continue: 'Continue', code: 'Confirmation code', codeSubmit: 'Confirm code',
    firstName: 'First name', lastName: 'Last name', certNumber: 'Birth certificate number', certSerial: 'Birth certificate serial', seriesLetter: 'Series letter', seriesNumber: 'Series number',
    day: 'Day', month: 'Month', year: 'Year', female: 'Female', male: 'Male', province: 'Province of residence', city: 'City of residence', password: 'Password', passwordAgain: 'Password again',
    question: 'Security question', answer: 'Answer to the security question', submit: 'Submit request', submitted: 'Your request is registered',
  },
} as const;

describe('registration in the browser', { skip: chromiumMissing }, () => {
  const cases: { lang: Lang; size: Size; person: { nationalCode: string; mobile: string; operator: string }; female: boolean }[] = [
    // 0912… was issued by Hamrah-e Avval: choosing Irancell shows the operator notice.
    { lang: 'fa', size: 'phone', person: { nationalCode: '0014789663', mobile: '09128890822', operator: 'irancell' }, female: false },
    { lang: 'en', size: 'desktop', person: { nationalCode: '1282871242', mobile: '09351925705', operator: 'irancell' }, female: true },
  ];
  for (const c of cases) {
    test(`${c.lang}, ${c.size}`, { timeout: 120_000 }, async () => {
      const w = words[c.lang];
      const tag = `register-${c.lang}-${c.size}`;
      const page = await newPage(env.browser, c.size, c.lang);
      await page.goto(`${env.baseUrl}/register`);
      assert.equal(await page.getAttribute('html', 'lang'), c.lang);
      await check(page, `${tag}-step1`);

      await page.getByLabel(w.nationalCode, { exact: true }).fill(c.person.nationalCode);
      await page.getByLabel(w.operator).selectOption(c.person.operator);
      await page.getByLabel(w.mobile, { exact: true }).fill(c.person.mobile);
      await page.getByRole('button', { name: w.continue }).click();
      await page.waitForURL('**/register/flow/**');
      const flowUrl = page.url();
      await check(page, `${tag}-code`);
      if (c.lang === 'fa') assert.match(await page.locator('main').innerText(), /در اصل متعلق به همراه اول است/);

      await page.getByLabel(w.code, { exact: true }).fill(await lastCodeTo(env.platform, c.person.mobile));
      await page.getByRole('button', { name: w.codeSubmit }).click();
      await page.waitForURL(flowUrl);
      await check(page, `${tag}-details`);

      await page.getByLabel(w.firstName, { exact: true }).fill(c.female ? 'مریم' : 'علی');
      await page.getByLabel(w.lastName, { exact: true }).fill(c.female ? 'احمدی' : 'رضایی');
      await page.getByLabel(w.certNumber).fill('1234');
      await page.getByLabel(w.certSerial).fill('345678');
      await page.getByLabel(w.seriesLetter).selectOption('ج');
      await page.getByLabel(w.seriesNumber).fill('21');
      await page.getByLabel(w.day, { exact: true }).fill('14');
      await page.getByLabel(w.month, { exact: true }).selectOption('6');
      // A Gregorian year first: the page asks for the solar year.
      await page.getByLabel(w.year, { exact: true }).fill('1970');
      await page.getByLabel(c.female ? w.female : w.male, { exact: true }).check();
      // The province narrows the cities (JavaScript); the city comes from that list.
      await page.getByLabel(w.province).selectOption('فارس');
      const offered = await page.locator('#city optgroup:not([disabled]) option').allInnerTexts();
      assert.ok(offered.includes('شیراز') && !offered.includes('تبریز'), 'only the province’s cities');
      await page.getByLabel(w.city, { exact: true }).selectOption('شیراز');
      await page.getByLabel(w.password, { exact: true }).fill('Shiraz@Baharan70');
      await page.getByLabel(w.passwordAgain).fill('Shiraz@Baharan70');
      await page.getByLabel(w.question, { exact: true }).selectOption('first_school');
      await page.getByLabel(w.answer).fill('دبستان حافظ');
      await page.getByRole('button', { name: w.submit }).click();
      await page.locator('#error-summary').waitFor();
      const summary = await page.locator('#error-summary').innerText();
      assert.match(summary, /& % \$ # !/, 'the allowed symbols are named');
      assert.match(summary, c.lang === 'fa' ? /شمسی/ : /solar \(Jalali\)/);
      await check(page, `${tag}-details-errors`);

      await page.getByLabel(w.year, { exact: true }).fill('1370');
      await page.getByLabel(w.password, { exact: true }).fill('Shiraz#Baharan70');
      await page.getByLabel(w.passwordAgain).fill('Shiraz#Baharan70');
      await page.getByRole('button', { name: w.submit }).click();
      await page.waitForURL(flowUrl);
      await page.getByRole('heading', { name: w.submitted }).waitFor();
      await check(page, `${tag}-submitted`);
      const before = await page.locator('main').innerText();
      await page.reload();
      assert.equal(await page.locator('main').innerText(), before, 'a reload shows the same page');
    });
  }
});

describe('insured registration in the browser', { skip: chromiumMissing }, () => {
  const cases: { lang: Lang; size: Size; nationalCode: string; insuranceNumber: string; branchQuery: string; branch: RegExp }[] = [
    { lang: 'fa', size: 'desktop', nationalCode: '0074367463', insuranceNumber: '6545679641', branchQuery: 'بهشتی', branch: /شعبه ۱۲ تهران - شهید بهشتی/ },
    { lang: 'en', size: 'phone', nationalCode: '2272604587', insuranceNumber: '1412366831', branchQuery: 'Chaharbagh', branch: /Branch 1 Isfahan - Chaharbagh/ },
  ];
  for (const c of cases) {
    test(`${c.lang}, ${c.size}`, { timeout: 120_000 }, async () => {
      const tag = `insured-${c.lang}-${c.size}`;
      const page = await newPage(env.browser, c.size, c.lang);
      await page.goto(`${env.baseUrl}/insured/register`);
      await check(page, `${tag}-terms`);
      await page.locator('input[name=acceptTerms]').check();
      await page.locator('form button[type=submit]').first().click();
      await page.waitForURL('**/insured/register/form**');
      await page.locator('input[name=nationalCode]').fill(c.nationalCode);
      await page.locator('input[name=branchQuery]').pressSequentially(c.branchQuery, { delay: 30 });
      const option = page.getByRole('option', { name: c.branch });
      await option.waitFor();
      await option.click();
      await page.locator('input[name=insuranceNumber]').fill(c.insuranceNumber);
      await page.locator('altcha-widget label').filter({ hasText: /\S/ }).first().click();
      await page.waitForFunction(() => {
        const input = document.querySelector('altcha-widget input[name="captcha"]') as HTMLInputElement | null;
        return !!input && input.value.length > 20;
      }, undefined, { timeout: 60_000 });
      await check(page, `${tag}-form`, { exclude: 'altcha-widget' });
      await page.locator('form[method=post] button[type=submit][value=register], form[method=post] button[type=submit]:not([value=search_branch])').last().click();
      await page.waitForURL('**/insured/register/done');
      await check(page, `${tag}-success`);
      const before = await page.locator('main').innerText();
      await page.reload();
      const after = await page.locator('main').innerText();
      assert.equal(after, before, 'a reload shows the same result');
      assert.doesNotMatch(after, /قبلاً استفاده شده|already been used/);
    });
  }
});

describe('other states in the browser', { skip: chromiumMissing }, () => {
  test('sign-in with a Persian keyboard, the SMS-recovery sent page, the registration time-out', { timeout: 90_000 }, async () => {
    const a = await insertAccount(env.platform);
    const page = await newPage(env.browser, 'phone', 'fa');
    await page.goto(`${env.baseUrl}/signin`);
    await page.locator('input[name=username]').fill(a.nationalCode);
    await page.locator('input[name=password]').fill('۱۲۳۴۵۶۷۸');
    await page.locator('form:has(input[name=password]) button[type=submit]').first().click();
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('main').innerText(), /صفحه‌کلید شما روی فارسی است/);
    await check(page, 'signin-persian-keyboard');

    await page.goto(`${env.baseUrl}/recovery/sms`);
    await page.locator('input[name=nationalCode]').fill(a.nationalCode);
    await page.locator('input[name=mobile]').fill(a.mobile);
    await page.locator('form[action="/recovery/sms"] button[type=submit]').click();
    await page.waitForURL('**/recovery/sms/sent');
    await check(page, 'recovery-sms-sent');
    const count = async () => (await env.platform.db.selectFrom('sms_messages').select('id').where('to_mobile', '=', a.mobile).execute()).length;
    const sent = await count();
    await page.reload();
    assert.equal(await count(), sent, 'no SMS on reload');

    // Time runs out in step 2: the start page says so and keeps what was typed.
    const person = { nationalCode: '0636676595', mobile: '09123636577' };
    await page.goto(`${env.baseUrl}/register`);
    await page.locator('input[name=nationalCode]').fill(person.nationalCode);
    await page.locator('select[name=mobileOperator]').selectOption('mci');
    await page.locator('input[name=mobile]').fill(person.mobile);
    await page.locator('form[action="/register"] button[type=submit]').click();
    await page.waitForURL('**/register/flow/**');
    await page.locator('input[name=code]').fill(await lastCodeTo(env.platform, person.mobile));
    await page.locator('form[action$="/code"] button[type=submit]').click();
    await page.locator('input[name=firstName]').waitFor();
    await page.locator('input[name=firstName]').fill('حسن');
    env.clock.advance(31 * 60_000);
    await page.locator('form[action$="/details"] button[type=submit]').click();
    await page.waitForURL('**/register?expired=1');
    await check(page, 'register-expired');
  });

  test('the back office on a phone: no overflow, its own header', { timeout: 90_000 }, async () => {
    const created = await env.platform.staff.create({ username: 'ux.phone', role: 'admin' });
    assert.ok(created.ok);
    const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
    const page = await newPage(env.browser, 'phone', 'fa');
    await page.goto(`${env.baseUrl}/backoffice/signin`);
    await check(page, 'backoffice-signin');
    await page.locator('input[name=username]').fill('ux.phone');
    await page.locator('input[name=password]').fill(created.value.oneTimePassword);
    await page.locator('input[name=code]').fill(await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) }));
    await page.locator('form button[type=submit]').first().click();
    await page.waitForURL('**/backoffice/password');
    await page.locator('input[name=newPassword]').fill('Branch!Desk2026xq');
    await page.locator('input[name=newPasswordConfirmation]').fill('Branch!Desk2026xq');
    await page.locator('form:has(input[name=newPassword]) button[type=submit]').click();
    await page.waitForURL('**/backoffice/search**');
    await check(page, 'backoffice-search');
    const a = await insertAccount(env.platform, { status: 'awaiting_branch_visit' });
    await page.goto(`${env.baseUrl}/backoffice/people/${a.id}`);
    await page.goto(`${env.baseUrl}/backoffice/people/${a.id}`);
    assert.equal(await page.locator('header a[href="/signin"]').count(), 0, 'no citizen sign-in link');
    await check(page, 'backoffice-person');
  });
});

describe('the accessibility check itself', { skip: chromiumMissing }, () => {
  test('names each fault of a faulty page, with where it is', async () => {
    const page = await (await env.browser.newContext()).newPage();
    await page.setContent('<html><body><main><img src="data:,"><form><input name="q"></form><p style="color:#eee;background:#fff">کم‌رنگ</p></main></body></html>');
    const found = await axeViolations(page);
    const ids = found.map((line) => line.split(':')[0]).sort();
    assert.deepEqual(ids, ['color-contrast', 'document-title', 'html-has-lang', 'image-alt', 'label', 'page-has-heading-one'], found.join('\n'));
    assert.ok(found.some((line) => line.startsWith('image-alt:') && line.endsWith('(img)')), found.join('\n'));
    // What a check leaves out is left out, and nothing else.
    assert.deepEqual((await axeViolations(page, { exclude: 'img' })).map((line) => line.split(':')[0]).sort(), ['color-contrast', 'document-title', 'html-has-lang', 'label', 'page-has-heading-one']);
    await page.context().close();
  });
});
