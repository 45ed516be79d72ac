// Single sign-on with Chromium as the person and two small services in this process
// (node:http on 127.0.0.1, openid-client 6, code + PKCE): the first service asks for the
// password on the portal, the second opens without one, signing out at the first ends the
// portal session and the second is told by back-channel logout; a forced password change
// comes before any token and then the flow goes on to the service.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { NEW_PASSWORD } from '../signin.support.js';
import { lastCodeTo } from '../support.js';
import { addAccount, createSsoTestEnv, jwtPayload, type SsoTestEnv } from '../sso.support.js';
import { chromiumMissing, launchBrowser, phonePage, screenshot } from './support.js';

const SECRET = 'browser-test-client-secret-0123456789-abc';
const SCOPE = 'openid profile permissions';

type LocalSession = { sub: string; sid: string | undefined; name: string; idToken: string };

/**
 * A service of the organization: `/` says who is signed in (or links to `/login`), `/cb`
 * takes the code, `/logout` sends the browser to the portal's end-session endpoint,
 * `/backchannel-logout` ends the local session of the token's `sid`. Cookies on 127.0.0.1
 * are shared by every port, so each service names its own.
 */
async function service(title: string) {
  const cookie = `rp_${randomBytes(4).toString('hex')}`;
  const sessions = new Map<string, LocalSession>();
  const pending = new Map<string, { verifier: string }>();
  const logoutTokens: string[] = [];
  let config: oidc.Configuration;
  let origin = '';

  const cookieOf = (req: IncomingMessage) =>
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === cookie)?.[1];
  const html = (res: ServerResponse, body: string) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(`<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`);
  const redirect = (res: ServerResponse, to: string, headers: Record<string, string> = {}) => res.writeHead(303, { location: to, ...headers }).end();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/backchannel-logout') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const token = new URLSearchParams(body).get('logout_token');
      if (!token) return res.writeHead(400).end();
      logoutTokens.push(token);
      const { sid } = jwtPayload(token);
      for (const [key, s] of sessions) if (s.sid === sid) sessions.delete(key);
      return res.writeHead(200).end();
    }
    if (url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      pending.set(state, { verifier });
      const to = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${origin}/cb`,
        scope: SCOPE,
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return redirect(res, to.href);
    }
    if (url.pathname === '/cb') {
      const state = url.searchParams.get('state') ?? '';
      const p = pending.get(state);
      if (!p) return html(res, `<p id="error">${url.searchParams.get('error') ?? 'no state'}</p>`);
      pending.delete(state);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: p.verifier, expectedState: state });
      const claims = tokens.claims()!;
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      const key = randomBytes(16).toString('hex');
      sessions.set(key, { sub: claims.sub, sid: claims.sid as string | undefined, name: `${info.given_name} ${info.family_name}`, idToken: tokens.id_token! });
      return redirect(res, '/', { 'set-cookie': `${cookie}=${key}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (url.pathname === '/logout') {
      const key = cookieOf(req) ?? '';
      const s = sessions.get(key);
      sessions.delete(key);
      const back = url.searchParams.get('back') !== 'no';
      if (!s) return redirect(res, '/');
      const to = oidc.buildEndSessionUrl(config, {
        id_token_hint: s.idToken,
        ...(back ? { post_logout_redirect_uri: `${origin}/`, state: 'bye' } : {}),
      });
      return redirect(res, to.href, { 'set-cookie': `${cookie}=; Path=/; Max-Age=0` });
    }
    const s = sessions.get(cookieOf(req) ?? '');
    if (s) return html(res, `<p id="who">وارد شده: ${s.name}</p><p><a href="/logout">خروج</a></p>`);
    return html(res, '<p id="who">وارد نشده‌اید</p><p><a id="login" href="/login">ورود با حساب کاربری مرکزی</a></p>');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    sessions,
    logoutTokens,
    /** Registers the service on the portal and discovers it. */
    async register(env: SsoTestEnv, clientId: string, o: { firstParty: boolean; name: string }) {
      const r = await env.platform.sso.clients.add({
        clientId,
        name: o.name,
        redirectUris: [`${origin}/cb`],
        postLogoutRedirectUris: [`${origin}/`],
        backchannelLogoutUri: `${origin}/backchannel-logout`,
        secret: SECRET,
        firstParty: o.firstParty,
      });
      assert.ok(r.ok, 'the service is registered');
      config = await oidc.discovery(new URL(env.issuer), clientId, SECRET, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let env: SsoTestEnv;
let browser: Browser;
let payslip: Awaited<ReturnType<typeof service>>;
let pension: Awaited<ReturnType<typeof service>>;

before(async () => {
  if (chromiumMissing) return;
  env = await createSsoTestEnv();
  payslip = await service('برگ پرداخت حق بیمه');
  pension = await service('سامانه مستمری');
  await payslip.register(env, 'payslip', { firstParty: true, name: 'برگ پرداخت حق بیمه' });
  // A service outside the organization: the person is asked for consent.
  await pension.register(env, 'pension-partner', { firstParty: false, name: 'سامانه مستمری بانک همکار' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await payslip?.close();
  await pension?.close();
  await env?.close();
});

const portalSessionsOpen = async (accountId: string) =>
  (await env.platform.db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('ended_at', 'is', null).execute()).length;

async function signInOnPortal(page: Page, username: string, password: string) {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
}

test('one sign-in opens both services; signing out at one reaches the other', { skip: chromiumMissing }, async () => {
  const person = await addAccount(env.platform, { permissions: ['payment_slip_issue'] });
  const page = await phonePage(browser);

  // First service: sent to the portal's sign-in page, which names the service.
  await page.goto(`${payslip.origin}/`);
  await page.locator('#login').click();
  await page.waitForURL(`${env.issuer}/interaction/**`);
  // The same sign-in page as /signin, naming the service.
  await page.getByRole('heading', { name: 'ورود به سامانه' }).waitFor();
  assert.match(await page.locator('main').innerText(), /«برگ پرداخت حق بیمه»/);
  await screenshot(page, 'sso-signin');
  await signInOnPortal(page, person.nationalCode, person.password);
  await page.waitForURL(`${payslip.origin}/`);
  assert.equal(await page.locator('#who').innerText(), 'وارد شده: زهرا کریمی');

  // Second service: no password; as a service outside the organization it asks for consent.
  await page.goto(`${pension.origin}/`);
  await page.locator('#login').click();
  await page.waitForURL(`${env.issuer}/interaction/**`);
  assert.equal(await page.locator('input[name="password"]').count(), 0, 'no password is asked');
  await page.getByRole('heading', { name: 'اجازه دسترسی به اطلاعات حساب' }).waitFor();
  assert.match(await page.locator('main').innerText(), /نام، نام خانوادگی، جنسیت و تاریخ تولد/);
  await screenshot(page, 'sso-consent');
  await page.getByRole('button', { name: 'اجازه می‌دهم' }).click();
  await page.waitForURL(`${pension.origin}/`);
  assert.equal(await page.locator('#who').innerText(), 'وارد شده: زهرا کریمی');
  const pensionSid = [...pension.sessions.values()][0]!.sid;
  assert.ok(pensionSid);

  // Sign out at the first service: the portal asks once, then both services are told.
  await page.goto(`${payslip.origin}/`);
  await page.getByRole('link', { name: 'خروج' }).click();
  await page.waitForURL(`${env.issuer}/oidc/session/end**`);
  await page.getByRole('heading', { name: 'خروج از حساب کاربری' }).waitFor();
  await screenshot(page, 'sso-signout');
  await page.getByRole('button', { name: 'خروج از همه سامانه‌ها' }).click();
  await page.waitForURL(`${payslip.origin}/?state=bye`);
  assert.equal(await page.locator('#who').innerText(), 'وارد نشده‌اید');

  assert.equal(pension.logoutTokens.length, 1, 'the second service got a back-channel logout');
  const logout = jwtPayload(pension.logoutTokens[0]!);
  assert.equal(logout.sub, person.id);
  assert.equal(logout.sid, pensionSid);
  assert.equal(pension.sessions.size, 0, 'the second service ended its session');
  assert.equal(await portalSessionsOpen(person.id), 0, 'the portal session ended');

  // The second service now sends the person to a sign-in page again.
  await page.goto(`${pension.origin}/`);
  assert.equal(await page.locator('#who').innerText(), 'وارد نشده‌اید');
  await page.locator('#login').click();
  await page.waitForURL(`${env.issuer}/interaction/**`);
  assert.equal(await page.locator('input[name="password"]').count(), 1, 'the password is asked again');
  await page.context().close();
});

test('a forced password change comes before any token, then the flow goes on to the service', { skip: chromiumMissing }, async () => {
  const person = await addAccount(env.platform, { mustChangePassword: true });
  const page = await phonePage(browser);
  await page.goto(`${payslip.origin}/`);
  await page.locator('#login').click();
  await page.waitForURL(`${env.issuer}/interaction/**`);
  await signInOnPortal(page, person.nationalCode, person.password);

  // The change page, not the service: no code was issued.
  await page.waitForURL(/\/account\/password\?next=%2Finteraction%2F/);
  await page.getByText('ابتدا باید گذرواژه خود را تغییر دهید').waitFor();
  assert.equal(payslip.sessions.size, 0);
  await screenshot(page, 'sso-forced-change');
  // Trying the service again without changing lands on the change page again.
  // (The portal's forced-change guard catches the authorization request itself.)
  await page.goto(`${payslip.origin}/login`);
  await page.waitForURL(/\/account\/password\?next=%2Foidc%2Fauth%3F/);
  assert.equal(payslip.sessions.size, 0);

  await page.getByLabel('گذرواژه فعلی').fill(person.password);
  await page.getByLabel('گذرواژه جدید', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('تکرار گذرواژه جدید').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'ذخیره گذرواژه' }).click();
  await page.waitForURL(`${payslip.origin}/`);
  assert.equal(await page.locator('#who').innerText(), 'وارد شده: زهرا کریمی');

  // Signing out without a return address ends on the portal's signed-out page.
  await page.goto(`${payslip.origin}/logout?back=no`);
  await page.waitForURL(`${env.issuer}/oidc/session/end**`);
  await page.getByRole('button', { name: 'خروج از همه سامانه‌ها' }).click();
  await page.waitForURL(`${env.issuer}/oidc/session/end/success**`);
  await page.getByRole('heading', { name: 'از حساب کاربری خارج شدید' }).waitFor();
  await screenshot(page, 'sso-signed-out');
  assert.equal(await portalSessionsOpen(person.id), 0);
  await page.context().close();
});

test('from a service: the one sign-in page offers both methods; signing in by SMS code ends at the service', { skip: chromiumMissing }, async () => {
  const person = await addAccount(env.platform);
  const page = await phonePage(browser);
  await page.goto(`${payslip.origin}/`);
  await page.locator('#login').click();
  await page.waitForURL(`${env.issuer}/interaction/**`);
  // What /signin has: the method selector, the on-screen keyboard, the tips, the guide link.
  assert.equal(await page.locator('input[name="username"]').count(), 1);
  assert.equal(await page.locator('input[name="password"]').count(), 1);
  assert.equal(await page.locator('form.signin-form button[type="submit"]').count(), 1);
  await page.locator('#tips-title').waitFor();
  assert.equal(await page.locator('a[href="/help/registration"]').count(), 1);
  assert.equal(await page.locator('.vk-mount').count(), 1);
  await page.locator('details.method-select summary').click();
  await screenshot(page, 'sso-signin-methods');
  await page.getByRole('link', { name: 'ورود با رمز یک‌بارمصرف پیامکی' }).click();
  await page.waitForURL(/\/signin\/code\?next=%2Finteraction%2F/);
  await page.locator('input[name="username"]').fill(person.nationalCode);
  await page.getByRole('button', { name: 'ارسال رمز یک‌بارمصرف' }).click();
  await page.waitForURL(/\/signin\/code\/[^/?]+\?next=%2Finteraction%2F/);
  await page.locator('input[name="code"]').fill(await lastCodeTo(env.platform, person.mobile));
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
  await page.waitForURL(`${payslip.origin}/`);
  assert.equal(await page.locator('#who').innerText(), 'وارد شده: زهرا کریمی');
  await page.context().close();
});
