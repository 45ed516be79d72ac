// A person signs in in Chromium typing the password on the on-screen keyboard (mouse and
// keyboard), is sent to the forced password change, changes it, and reaches their account.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { insertAccount, NEW_PASSWORD, PASSWORD } from '../signin.support.js';
import { axeViolations, chromiumMissing, createBrowserEnv, phonePage, screenshot, type BrowserEnv } from './support.js';

let env: BrowserEnv;
before(async () => {
  if (!chromiumMissing) env = await createBrowserEnv();
});
after(async () => {
  await env?.close();
});

/** Clicks the on-screen keys of `text`, using the shift key for capitals. */
async function typeOnScreen(page: Page, panel: string, text: string) {
  const shift = page.locator(`#${panel} button[aria-pressed]`);
  for (const ch of text) {
    const upper = /[A-Z]/.test(ch);
    if (upper) await shift.click();
    await page.locator(`#${panel} button[data-char="${ch}"]`).click();
    if (upper) await shift.click();
  }
}

async function noAxeViolations(page: Page, what: string) {
  assert.deepEqual(await axeViolations(page), [], `${what} has no accessibility violations`);
}

test('sign-in with the on-screen keyboard, then the forced password change', { skip: chromiumMissing }, async () => {
  const a = await insertAccount(env.platform, { mustChangePassword: true });
  const page = await phonePage(env.browser);

  await page.goto(`${env.baseUrl}/`);
  await page.locator('.signin-cta').getByRole('link', { name: 'ورود' }).click();
  await page.waitForURL('**/signin');
  await screenshot(page, 'signin');
  await noAxeViolations(page, 'the sign-in page');

  // The method selector opens to the one-time code method.
  await page.locator('.method-select summary').click();
  await page.getByRole('link', { name: 'ورود با رمز یک‌بارمصرف پیامکی' }).waitFor();
  await screenshot(page, 'signin-method-selector');
  await page.locator('.method-select summary').click();

  // A wrong password first: the error is shown and the username kept.
  await page.getByLabel('نام کاربری').fill(a.nationalCode);
  await page.getByLabel('گذرواژه', { exact: true }).fill('Wrong!Pass1');
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
  await page.locator('#error-summary').waitFor();
  assert.match(await page.locator('#error-summary').innerText(), /نام کاربری یا گذرواژه نادرست است/);
  assert.equal(await page.getByLabel('نام کاربری').inputValue(), a.nationalCode);

  // The keyboard: a real toggle button, keys are buttons, Escape closes it and returns focus.
  const toggle = page.getByRole('button', { name: 'صفحه‌کلید مجازی' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const panel = page.getByRole('group', { name: 'صفحه‌کلید مجازی برای وارد کردن گذرواژه' });
  await panel.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-char')), '1', 'focus moves to the first key');
  await page.keyboard.press('Escape');
  assert.ok(await panel.isHidden());
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'صفحه‌کلید مجازی');
  // Open with the keyboard (Enter), type a key with Enter, then clear it.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#password').inputValue(), '1');
  await page.getByRole('button', { name: 'پاک کردن همه' }).click();
  assert.equal(await page.locator('#password').inputValue(), '');

  await typeOnScreen(page, 'vk-password', PASSWORD);
  assert.equal(await page.locator('#password').inputValue(), PASSWORD);
  assert.match((await page.locator('.vk-mount [aria-live]').textContent()) ?? '', /۱۳ نویسه/);
  await screenshot(page, 'signin-keyboard');
  await noAxeViolations(page, 'the sign-in page with the keyboard open');
  await page.getByRole('button', { name: 'ورود', exact: true }).click();

  // Forced change: nothing else opens.
  await page.waitForURL('**/account/password');
  await page.getByText('ابتدا باید گذرواژه خود را تغییر دهید').waitFor();
  await screenshot(page, 'signin-forced-change');
  await noAxeViolations(page, 'the forced change page');
  await page.goto(`${env.baseUrl}/account/sessions`);
  assert.match(page.url(), /\/account\/password\?next=%2Faccount%2Fsessions$/);

  await page.getByLabel('گذرواژه فعلی').fill(PASSWORD);
  await page.getByLabel('گذرواژه جدید', { exact: true }).fill('abc');
  await page.getByLabel('تکرار گذرواژه جدید').fill('abc');
  await page.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await page.locator('#newPassword-error').waitFor();
  await screenshot(page, 'signin-forced-change-errors');

  await page.getByLabel('گذرواژه فعلی').fill(PASSWORD);
  await page.getByLabel('گذرواژه جدید', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('تکرار گذرواژه جدید').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await page.waitForURL('**/account/sessions');
  await page.getByText('همین دستگاه').waitFor();
  await screenshot(page, 'account-sessions');
  await page.goto(`${env.baseUrl}/account`);
  await page.getByRole('heading', { name: 'حساب من' }).waitFor();
  await screenshot(page, 'account');
  await noAxeViolations(page, 'the account page');

  await page.getByRole('button', { name: 'خروج' }).click();
  await page.waitForURL('**/signin?notice=signed_out');
  await page.getByText('از سامانه خارج شدید').waitFor();
});
