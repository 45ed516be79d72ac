// A person registers with a birth date one day off; verification rejects and deletes the
// registration. A branch operator signs in to the back office in Chromium (password +
// TOTP), searches the national code and reads why: "birth date" — a typo, not another
// person. The list of rejections says the same, in Persian and in English.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { maskNationalCode } from '../../src/identity/nationalCode.js';
import { lastCodeTo } from '../support.js';
import { axeViolations, chromiumMissing, createBrowserEnv, screenshot, type BrowserEnv } from './support.js';

let env: BrowserEnv;
before(async () => {
  if (!chromiumMissing) env = await createBrowserEnv();
});
after(async () => {
  await env?.close();
});

// Demo person of the civil registry (demo/civil-registry.csv), born 1362-04-18.
const PERSON = { nationalCode: '0014789663', mobile: '09128890822' };

test('staff see which fields of a rejected registration differed from the civil registry', { skip: chromiumMissing }, async () => {
  const { platform } = env;
  const meta = { ip: '127.0.0.1', lang: 'fa' as const };

  // 1. The person registers with the birth date one day off.
  const started = await platform.registration.start({ nationalCode: PERSON.nationalCode, mobileOperator: 'mci', mobile: PERSON.mobile }, meta);
  assert.ok(started.ok, JSON.stringify(!started.ok && started.error));
  const flowId = started.value.flowId;
  assert.ok((await platform.registration.verifyCode(flowId, { code: await lastCodeTo(platform, PERSON.mobile) })).ok);
  const completed = await platform.registration.complete(
    flowId,
    {
      firstName: 'علی',
      lastName: 'رضایی',
      birthCertificateNumber: '37042',
      birthCertificateSerial: '983341',
      birthCertificateSeries: '50 ج',
      birthDate: '1362-04-19',
      gender: 'male',
      country: 'IR',
      city: 'تهران',
      email: '',
      password: 'Kuhsar!Pelak93Zard',
      passwordConfirmation: 'Kuhsar!Pelak93Zard',
      securityQuestion: 'first_school',
      securityAnswer: 'دبستان فردوسی',
    },
    meta,
  );
  assert.ok(completed.ok, JSON.stringify(!completed.ok && completed.error));

  // 2. Verification rejects: the registration is deleted.
  await platform.queue.runDue('verification-run', { includeFuture: true });
  assert.equal((await platform.db.selectFrom('accounts').select('id').where('national_code', '=', PERSON.nationalCode).execute()).length, 0);

  // 3. A branch operator signs in.
  const staff = await platform.staff.create({ username: 'op.tehran', role: 'branch_operator', branchCode: '112' });
  assert.ok(staff.ok);
  const secret = new URL(staff.value.totpUri).searchParams.get('secret')!;
  const totp = () => generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' });
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/backoffice`);
  await page.waitForURL('**/backoffice/signin');
  await page.getByLabel('نام کاربری').fill('op.tehran');
  await page.getByLabel('گذرواژه').fill(staff.value.oneTimePassword);
  await page.getByLabel('کد برنامه احراز هویت').fill(await totp());
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL('**/backoffice/password');
  await page.getByLabel('گذرواژه تازه', { exact: true }).fill('Shoebe#Tehran2026');
  await page.getByLabel('تکرار گذرواژه تازه').fill('Shoebe#Tehran2026');
  await page.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await page.waitForURL('**/backoffice/search');

  // 4. Search by the national code (typed in Persian digits): no account, but the reason.
  await page.getByLabel('کد ملی، کد فراگیر اتباع یا شماره همراه').fill('۰۰۱۴۷۸۹۶۶۳');
  await page.getByRole('button', { name: 'جستجو' }).click();
  await page.getByText('حسابی با این مشخصات پیدا نشد.').waitFor();
  const section = page.locator('section[aria-labelledby="rejections-title"]');
  await section.getByRole('heading', { name: 'ثبت‌نام‌های ردشدهٔ این کد ملی' }).waitFor();
  const row = section.locator('tbody tr');
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator('td').nth(0).innerText(), maskNationalCode(PERSON.nationalCode));
  assert.equal(await row.locator('td').nth(3).innerText(), 'مشخصات با ثبت احوال یکسان نیست');
  assert.equal(await row.locator('td.mismatched-fields').innerText(), 'تاریخ تولد');
  await screenshot(page, 'backoffice-rejection-reasons-search');
  assert.deepEqual(await axeViolations(page), [], 'search page with rejections has no accessibility violations');

  // 5. The list of rejections, from the navigation.
  await page.getByRole('link', { name: 'ثبت‌نام‌های ردشده' }).click();
  await page.waitForURL('**/backoffice/rejections');
  await page.getByRole('heading', { name: 'ثبت‌نام‌های ردشده در بررسی ثبت احوال' }).waitFor();
  assert.equal(await page.locator('td.mismatched-fields').first().innerText(), 'تاریخ تولد');
  await screenshot(page, 'backoffice-rejections-list');
  assert.deepEqual(await axeViolations(page), [], 'rejections list has no accessibility violations');

  // 6. In English (the language cookie the language switch sets).
  await context.addCookies([{ name: 'lang', value: 'en', url: env.baseUrl }]);
  await page.goto(`${env.baseUrl}/backoffice/rejections`);
  await page.getByRole('heading', { name: 'Registrations rejected by the civil registry check' }).waitFor();
  assert.equal(await page.locator('td.mismatched-fields').first().innerText(), 'Birth date');
  await page.getByRole('cell', { name: 'Details differ from the civil registry' }).waitFor();
  await screenshot(page, 'backoffice-rejections-list-en');
  await context.close();
});
