// A person registers (service calls), verification sends them to a branch, a branch
// operator signs in to the back office in Chromium with password + TOTP, replaces the
// one-time password, finds the person, records the documents seen and activates them;
// then the person's status page says active and the person signs in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { lastCodeTo } from '../support.js';
import { axeViolations, chromiumMissing, createBrowserEnv, phonePage, screenshot, type BrowserEnv } from './support.js';

let env: BrowserEnv;
before(async () => {
  if (!chromiumMissing) env = await createBrowserEnv();
});
after(async () => {
  await env?.close();
});

// Demo person whose mobile ownership says "activation at a branch" (demo/mobile-ownership.csv).
const PERSON = { nationalCode: '0636676595', mobile: '09123636577', password: 'Mashhad#Sahar45' };

test('an operator activates a person sent to a branch; the person then signs in', { skip: chromiumMissing }, async () => {
  const { platform } = env;
  const meta = { ip: '127.0.0.1', lang: 'fa' as const };

  // 1. The person registers (the registration pages have their own browser test).
  const started = await platform.registration.start({ nationalCode: PERSON.nationalCode, mobileOperator: 'mci', mobile: PERSON.mobile }, meta);
  assert.ok(started.ok, JSON.stringify(!started.ok && started.error));
  const flowId = started.value.flowId;
  assert.ok((await platform.registration.verifyCode(flowId, { code: await lastCodeTo(platform, PERSON.mobile) })).ok);
  const completed = await platform.registration.complete(
    flowId,
    {
      firstName: 'حسن',
      lastName: 'موسوی',
      birthCertificateNumber: '38181',
      birthCertificateSerial: '636943',
      birthCertificateSeries: 'ب/55',
      birthDate: '1345-11-09',
      gender: 'male',
      country: 'IR',
      city: 'مشهد',
      email: '',
      password: PERSON.password,
      passwordConfirmation: PERSON.password,
      securityQuestion: 'first_school',
      securityAnswer: 'دبستان فردوسی',
    },
    meta,
  );
  assert.ok(completed.ok, JSON.stringify(!completed.ok && completed.error));

  // 2. Verification runs and, as the ownership service asks, sends them to a branch.
  await platform.queue.runDue('verification-run', { includeFuture: true });
  const account = await platform.db.selectFrom('accounts').select(['id', 'status']).where('national_code', '=', PERSON.nationalCode).executeTakeFirstOrThrow();
  assert.equal(account.status, 'awaiting_branch_visit');

  // 3. An operator of branch 112, created as by `staff add`.
  const staff = await platform.staff.create({ username: 'op.mashhad', role: 'branch_operator', branchCode: '112' });
  assert.ok(staff.ok);
  const secret = new URL(staff.value.totpUri).searchParams.get('secret')!;
  const totp = () => generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' });
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/backoffice`);
  await page.waitForURL('**/backoffice/signin');
  await page.getByLabel('نام کاربری').fill('op.mashhad');
  await page.getByLabel('گذرواژه').fill(staff.value.oneTimePassword);
  // A wrong code first: refused, no session.
  await page.getByLabel('کد برنامه احراز هویت').fill('000000' === (await totp()) ? '111111' : '000000');
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.getByText('نام کاربری، گذرواژه یا کد احراز هویت درست نیست.').first().waitFor();
  await screenshot(page, 'backoffice-signin-error');
  assert.deepEqual(await axeViolations(page), [], 'sign-in page has no accessibility violations');

  await page.getByLabel('گذرواژه').fill(staff.value.oneTimePassword);
  await page.getByLabel('کد برنامه احراز هویت').fill(await totp());
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL('**/backoffice/password');
  await page.getByLabel('گذرواژه تازه', { exact: true }).fill('Shoebe#Mashhad2026');
  await page.getByLabel('تکرار گذرواژه تازه').fill('Shoebe#Mashhad2026');
  await page.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await page.waitForURL('**/backoffice/search');

  await page.getByLabel('کد ملی، کد فراگیر اتباع یا شماره همراه').fill('۰۶۳۶۶۷۶۵۹۵');
  await page.getByRole('button', { name: 'جستجو' }).click();
  await screenshot(page, 'backoffice-search');
  await page.getByRole('link', { name: 'مشاهده' }).click();
  await page.waitForURL(`**/backoffice/people/${account.id}`);
  assert.equal(await page.locator('#account-status').innerText(), 'در انتظار مراجعه به شعبه');
  await screenshot(page, 'backoffice-person-awaiting');
  assert.deepEqual(await axeViolations(page), [], 'person page has no accessibility violations');

  // Activating without documents is refused beside the field.
  const activate = page.locator('#action-activate');
  await activate.getByLabel('دلیل (در تاریخچه ثبت می‌شود)').fill('مراجعه حضوری با کارت ملی');
  await activate.getByRole('button', { name: 'فعال‌سازی' }).click();
  await page.getByText('دست‌کم یک مدرک دیده‌شده را علامت بزنید.').waitFor();
  await screenshot(page, 'backoffice-activate-error');
  await page.locator('#action-activate').getByLabel('کارت ملی').check();
  await page.locator('#action-activate').getByLabel('شناسنامه').check();
  await page.locator('#action-activate').getByRole('button', { name: 'فعال‌سازی' }).click();
  await page.waitForURL(`**/backoffice/people/${account.id}?done=activated*`);
  assert.equal(await page.locator('#account-status').innerText(), 'فعال');
  await page.locator('#timeline').getByText('فعال‌سازی حضوری در شعبه').waitFor();
  await screenshot(page, 'backoffice-person-activated');
  await context.close();

  // 4. The person's status page, then their sign-in.
  const phone = await phonePage(env.browser);
  await phone.goto(`${env.baseUrl}/register/status`);
  await phone.getByLabel('کد ملی').fill(PERSON.nationalCode);
  await phone.getByLabel('شماره تلفن همراه').fill(PERSON.mobile);
  await phone.getByRole('button', { name: 'نمایش وضعیت' }).click();
  await phone.getByText('حساب کاربری شما فعال است و می‌توانید وارد شوید.').waitFor();
  await screenshot(phone, 'backoffice-person-status-active');

  const signin = await phone.goto(`${env.baseUrl}/signin`);
  assert.equal(signin?.status(), 200, 'the sign-in page exists');
  await phone.locator('input[name="username"]').fill(PERSON.nationalCode);
  await phone.locator('input[name="password"]').fill(PERSON.password);
  await phone.locator('form:has(input[name="username"]) [type="submit"]').click();
  await phone.waitForURL('**/account**');
  await screenshot(phone, 'backoffice-person-signed-in');
  await phone.context().close();
});
