// An insured person registers in Chromium, in Persian, on a phone-sized window: the terms,
// the form with a branch picked from the suggestions and the ALTCHA check solved by the
// widget, then the first sign-in with the national code, the forced password change and
// the general permissions on the account page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, chromiumMissing, createBrowserEnv, phonePage, screenshot, type BrowserEnv } from './support.js';

let env: BrowserEnv;
before(async () => {
  if (!chromiumMissing) env = await createBrowserEnv({ env: { CAPTCHA_COST: '200' } });
});
after(async () => {
  await env?.close();
});

test('insured registration and first sign-in in the browser', { skip: chromiumMissing }, async () => {
  const page = await phonePage(env.browser);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const nationalCode = '0074367463'; // مهدی طاهری, self-employed at branch 112 (demo data)

  await page.goto(`${env.baseUrl}/`);
  await page.getByRole('link', { name: /ثبت‌نام بیمه‌شدگان/ }).click();
  await page.waitForURL('**/insured/register');
  await screenshot(page, 'insured-terms');

  // Continuing without accepting shows the terms again with the error.
  await page.getByRole('button', { name: 'پذیرش و ادامه' }).click();
  await page.locator('#acceptTerms-error').waitFor();
  await page.getByLabel('شرایط بالا را خواندم و می‌پذیرم').check();
  await page.getByRole('button', { name: 'پذیرش و ادامه' }).click();
  await page.waitForURL('**/insured/register/form**');
  problems.length = 0; // the refused terms page answered 400 on purpose

  // The foreign-national switch shows the identifier field instead of the national code.
  await page.getByLabel('تبعه خارجی هستم (کد ملی ندارم)').check();
  await page.getByLabel('شناسه فراگیر اتباع خارجی').waitFor();
  assert.equal(await page.getByLabel('کد ملی', { exact: true }).isVisible(), false);
  await page.getByLabel('تبعه خارجی هستم (کد ملی ندارم)').uncheck();

  await page.getByLabel('کد ملی', { exact: true }).fill('۰۰۷۴۳۶۷۴۶۳');
  // Branch: type part of the name, pick the suggestion.
  assert.equal(await page.getByRole('button', { name: 'جست‌وجوی شعبه' }).isVisible(), false, 'JavaScript replaces the search button');
  await page.getByLabel('شعبه بیمه').pressSequentially('بهشتی', { delay: 30 });
  const option = page.getByRole('option', { name: /شعبه ۱۲ تهران - شهید بهشتی/ });
  await option.waitFor();
  await screenshot(page, 'insured-branch-suggestions');
  await option.click();
  assert.equal(await page.locator('input[type=hidden][name=branchCode]').inputValue(), '112');
  await page.getByLabel('شماره بیمه').fill('۶۵۴۵۶۷۹۶۴۱');
  await page.getByLabel(/شماره تلفن همراه/).fill('۰۹۳۵۵۴۵۹۰۳۱');

  // The captcha: the widget fetches a challenge and solves it in a worker.
  await page.locator('altcha-widget label').filter({ hasText: /\S/ }).first().click();
  await page.waitForFunction(() => {
    const input = document.querySelector('altcha-widget input[name="captcha"]') as HTMLInputElement | null;
    return !!input && input.value.length > 20;
  }, undefined, { timeout: 120_000 });
  await screenshot(page, 'insured-form');
  assert.deepEqual(await axeViolations(page, { exclude: 'altcha-widget' }), [], 'the form has no accessibility violations');

  await page.getByRole('button', { name: 'ثبت‌نام', exact: true }).click();
  await page.getByText('ثبت‌نام با موفقیت انجام شد').waitFor();
  await screenshot(page, 'insured-success');

  // First sign-in: the national code is username and password.
  await page.getByRole('link', { name: 'ورود به حساب کاربری' }).click();
  await page.waitForURL('**/signin**');
  await page.locator('input[name=username]').fill(nationalCode);
  await page.locator('input[name=password]').fill(nationalCode);
  await page.locator('form:has(input[name=password]) button[type=submit]').first().click();
  await page.waitForURL('**/account/password**');
  await screenshot(page, 'insured-forced-change');
  await page.locator('input[name=currentPassword]').fill(nationalCode);
  await page.locator('input[name=newPassword]').fill('Kohsar#Baran58');
  await page.locator('input[name=newPasswordConfirmation]').fill('Kohsar#Baran58');
  await page.locator('form:has(input[name=newPassword]) button[type=submit]').first().click();
  await page.waitForURL('**/account**');
  if (!page.url().match(/\/account(\?|$)/)) await page.goto(`${env.baseUrl}/account`);
  const permissions = page.locator('section[aria-labelledby="permissions-title"]');
  await permissions.waitFor();
  const text = await permissions.innerText();
  assert.match(text, /payment_slip_issue|صدور برگ پرداخت/);
  assert.match(text, /payment_slip_receive|دریافت برگ پرداخت/);
  await screenshot(page, 'insured-account-permissions');
  assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], 'no script errors (CSP included)');
});

test('without JavaScript the branch is found by a search and picked from a list', { skip: chromiumMissing }, async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, locale: 'fa-IR' });
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/insured/register/form?acceptTerms=1`);
  await page.getByLabel('کد ملی', { exact: true }).fill('2272604587');
  await page.getByLabel('شعبه بیمه').fill('اصفهان');
  await page.getByRole('button', { name: 'جست‌وجوی شعبه' }).click();
  await page.getByRole('group', { name: 'شعبه خود را انتخاب کنید' }).waitFor();
  assert.equal(await page.getByLabel('کد ملی', { exact: true }).inputValue(), '2272604587', 'typed values are kept');
  await page.getByLabel(/شعبه ۱ اصفهان - چهارباغ/).check();
  await screenshot(page, 'insured-branch-nojs');
  await context.close();
});
