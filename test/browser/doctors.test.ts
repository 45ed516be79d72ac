// Doctors' registration in Chromium, Persian, phone size: from the sign-in page's
// «ثبت نام پزشکان» link to the guide, sign-in, the medical council number (a wrong one
// first), the check, and a service of the organization (node:http on 127.0.0.1,
// openid-client, code + PKCE, scope `doctor`) receiving the doctor's claims. The doctor
// is a demo person (demo/PEOPLE.md: علی رضایی, medical council number 19316) with the
// shipped demo registry. axe on every page and state; screenshots in docs/screenshots/ (SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { createSsoTestEnv, type SsoTestEnv } from '../sso.support.js';
import { axeViolations, chromiumMissing, launchBrowser, phonePage, screenshot } from './support.js';

const SECRET = 'doctors-browser-client-secret-0123456789';
// The demo doctor (demo/PEOPLE.md, demo/medical-council.csv).
const DOCTOR = { nationalCode: '0014789663', firstName: 'علی', lastName: 'رضایی', number: '19316', specialty: 'جراحی عمومی' };
const PASSWORD = 'Pezeshk!Sabz2026';

/** An e-prescription service: `/login` sends the browser to the portal, `/cb` shows the claims it received. */
async function prescriptionService() {
  let config: oidc.Configuration;
  let origin = '';
  const pending = new Map<string, string>();
  const html = (res: ServerResponse, body: string) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>نسخه الکترونیک</title></head><body><main><h1>نسخه الکترونیک</h1>${body}</main></body></html>`);
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      pending.set(state, verifier);
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${origin}/cb`,
        scope: 'openid profile doctor',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return res.writeHead(303, { location: to.href }).end();
    }
    if (url.pathname === '/cb') {
      const state = url.searchParams.get('state') ?? '';
      const verifier = pending.get(state);
      if (!verifier) return html(res, `<p id="error">${url.searchParams.get('error') ?? 'no state'}</p>`);
      pending.delete(state);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state });
      const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      const esc = (v: unknown) => String(v ?? '').replace(/[<>&"]/g, '');
      return html(
        res,
        `<p id="who">${esc(info.given_name)} ${esc(info.family_name)}</p><dl><dt>شماره نظام پزشکی</dt><dd id="number">${esc(info.medical_council_number)}</dd><dt>تخصص</dt><dd id="specialty">${esc(info.specialty)}</dd></dl>`,
      );
    }
    return html(res, '<p><a id="login" href="/login">ورود با حساب کاربری مرکزی</a></p>');
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async register(env: SsoTestEnv) {
      const r = await env.platform.sso.clients.add({
        clientId: 'e-prescription',
        name: 'نسخه الکترونیک',
        redirectUris: [`${origin}/cb`],
        postLogoutRedirectUris: [`${origin}/`],
        secret: SECRET,
        firstParty: true,
      });
      assert.ok(r.ok, 'the service is registered');
      // The token endpoint takes only the registered method (client_secret_basic).
      config = await oidc.discovery(new URL(env.issuer), 'e-prescription', SECRET, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let env: SsoTestEnv;
let browser: Browser;
let service: Awaited<ReturnType<typeof prescriptionService>>;

before(async () => {
  if (chromiumMissing) return;
  env = await createSsoTestEnv();
  service = await prescriptionService();
  await service.register(env);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await service?.close();
  await env?.close();
});

async function axeClean(page: Page, what: string) {
  assert.deepEqual(await axeViolations(page), [], `${what} has no accessibility violations`);
}

test('from the sign-in page\'s doctors link to a service receiving the doctor\'s claims', { skip: chromiumMissing }, async () => {
  // The demo person has registered and been activated (identity proofing has its own tests).
  const account = await env.platform.db
    .insertInto('accounts')
    .values({
      national_code: DOCTOR.nationalCode,
      status: 'active',
      origin: 'central',
      first_name: DOCTOR.firstName,
      last_name: DOCTOR.lastName,
      gender: 'male',
      birth_date: '1983-07-09',
      mobile: '09128890822',
      mobile_operator: 'mci',
      mobile_verified_at: new Date(),
      password_hash: await env.platform.hasher.hash(PASSWORD),
      permissions: [],
      activated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const page = await phonePage(browser);

  // The sign-in page's link leads to the steps.
  await page.goto(`${env.issuer}/signin`);
  await page.getByRole('link', { name: 'ثبت نام پزشکان' }).click();
  await page.waitForURL(`${env.issuer}/doctors`);
  await page.getByRole('heading', { name: 'ثبت نام پزشکان', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /ابتدا در درگاه ثبت نام کنید/);
  await screenshot(page, 'doctors-guide');
  await axeClean(page, 'the doctors guide');

  // Sign in; back to the doctor page.
  await page.getByRole('link', { name: 'ورود و افزودن شماره نظام پزشکی' }).click();
  await page.waitForURL(/\/signin\?next=/);
  await page.locator('input[name="username"]').fill(DOCTOR.nationalCode);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
  await page.waitForURL(`${env.issuer}/account/doctor`);
  await screenshot(page, 'doctors-form');
  await axeClean(page, 'the doctor form');

  // A mistyped number: the error beside the field, what was typed kept.
  const field = page.getByLabel('شماره نظام پزشکی');
  await field.fill('۱۹۳الف');
  await page.getByRole('button', { name: 'ارسال برای بررسی' }).click();
  await page.waitForLoadState();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#medicalCouncilNumber-error').innerText(), /فقط از رقم/);
  await screenshot(page, 'doctors-form-error');
  await axeClean(page, 'the doctor form with an error');

  // The number in Persian digits.
  await field.fill('۱۹۳۱۶');
  await page.getByRole('button', { name: 'ارسال برای بررسی' }).click();
  await page.waitForURL(`${env.issuer}/account/doctor?notice=submitted`);
  assert.match(await page.locator('main').innerText(), /درخواست شما ثبت شد/);
  assert.equal(await page.locator('#doctor-status').innerText(), 'در انتظار بررسی');
  await screenshot(page, 'doctors-pending');
  await axeClean(page, 'the pending request');

  // The check runs (the development helper runs due jobs now); the SMS says so.
  const run = await page.request.post(`${env.issuer}/dev/verification/run`);
  assert.equal(run.status(), 200);
  await page.reload();
  assert.equal(await page.locator('#doctor-status').innerText(), 'تأییدشده');
  assert.doesNotMatch(await page.locator('main').innerText(), /درخواست شما ثبت شد/, 'the outcome replaces the "recorded" notice');
  assert.match(await page.locator('main').innerText(), /جراحی عمومی/);
  await screenshot(page, 'doctors-verified');
  await axeClean(page, 'the verified doctor');
  const sms = await env.platform.db.selectFrom('sms_messages').select('body').where('account_id', '=', account.id).orderBy('seq', 'desc').executeTakeFirst();
  assert.match(sms?.body ?? '', /شماره نظام پزشکی 19316/);

  await page.goto(`${env.issuer}/account`);
  assert.equal(await page.locator('#account-doctor-status').innerText(), 'تأییدشده');
  assert.match(await page.locator('main').innerText(), /پزشک \(تأیید سازمان نظام پزشکی\)/, 'the permission by its name');
  await screenshot(page, 'doctors-account');
  await axeClean(page, 'the account page with the doctor section');

  // A service asking for scope `doctor` receives the medical council number and specialty.
  await page.goto(`${service.origin}/`);
  await page.locator('#login').click();
  await page.waitForURL((u) => u.href.startsWith(`${service.origin}/cb`) || u.href.startsWith(`${env.issuer}/interaction/`));
  if (page.url().startsWith(`${env.issuer}/interaction/`)) {
    // (Should the portal ask again, the same person signs in.)
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('input[name="username"]').fill(DOCTOR.nationalCode);
    await page.getByRole('button', { name: 'ورود', exact: true }).click();
  }
  await page.waitForURL(`${service.origin}/cb**`);
  assert.equal(await page.locator('#who').innerText(), `${DOCTOR.firstName} ${DOCTOR.lastName}`);
  assert.equal(await page.locator('#number').innerText(), DOCTOR.number);
  assert.equal(await page.locator('#specialty').innerText(), DOCTOR.specialty);
  await screenshot(page, 'doctors-service-claims');
  await page.context().close();
});

test('the back office shows the doctor record and its history (axe clean)', { skip: chromiumMissing }, async () => {
  const account = await env.platform.db.selectFrom('accounts').select('id').where('national_code', '=', DOCTOR.nationalCode).executeTakeFirst();
  assert.ok(account, 'runs after the first test: the demo doctor exists');
  const staff = await env.platform.staff.create({ username: 'doctors.admin', role: 'admin' });
  assert.ok(staff.ok);
  const secret = new URL(staff.value.totpUri).searchParams.get('secret')!;
  const { generate } = await import('otplib');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' });
  const page = await context.newPage();
  await page.goto(`${env.issuer}/backoffice/signin`);
  await page.locator('input[name="username"]').fill('doctors.admin');
  await page.locator('input[name="password"]').fill(staff.value.oneTimePassword);
  await page.locator('input[name="code"]').fill(await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) }));
  await page.locator('main button[type="submit"]').click();
  await page.waitForURL('**/backoffice/password');
  await page.locator('input[name="newPassword"]').fill('Pezeshki#Shoebe2026');
  await page.locator('input[name="newPasswordConfirmation"]').fill('Pezeshki#Shoebe2026');
  await page.locator('main button[type="submit"]').click();
  await page.waitForURL('**/backoffice/search');

  await page.goto(`${env.issuer}/backoffice/people/${account.id}`);
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'پزشک (نظام پزشکی)' }) });
  assert.match(await section.innerText(), /۱۹۳۱۶/);
  const history = await page.locator('#doctor-history tbody tr').allInnerTexts();
  assert.equal(history.length, 2);
  assert.match(history[0]!, /تأییدشده[\s\S]*سامانه/);
  assert.match(history[1]!, /در انتظار بررسی[\s\S]*خود شخص/);
  await screenshot(section, 'doctors-backoffice-record');
  await axeClean(page, 'the back-office person page with the doctor record');
  await context.close();
});

test('the guide in English (axe clean)', { skip: chromiumMissing }, async () => {
  const page = await phonePage(browser, 'en-US');
  await page.goto(`${env.issuer}/doctors?lang=en`);
  await page.getByRole('heading', { name: "Doctors' registration", level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Register on the portal' }).waitFor();
  await screenshot(page, 'doctors-guide-en');
  await axeClean(page, 'the English guide');
  await page.context().close();
});
