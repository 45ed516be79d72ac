// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain: CTAP2,
// internal transport, resident keys, user verification): a person adds a passkey on
// /account/passkeys, signs in with it from the method selector of /signin, removes it,
// and then the same authenticator's passkey fails cleanly as unknown. WebAuthn needs a
// secure context: the portal's PUBLIC_URL and the pages use http://localhost.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { insertAccount } from '../signin.support.js';
import { createTestEnv, type TestEnv } from '../support.js';
import { axeViolations, chromiumMissing, launchBrowser, phonePage, screenshot } from './support.js';

let env: TestEnv;
let browser: Browser;
let baseUrl: string;

/** A free local port, so that PUBLIC_URL (the WebAuthn origin) can name it before the app starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

before(async () => {
  if (chromiumMissing) return;
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  env = await createTestEnv({ env: { PUBLIC_URL: baseUrl } });
  await env.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

async function noAxeViolations(page: Page, what: string) {
  assert.deepEqual(await axeViolations(page), [], `${what} has no accessibility violations`);
}

async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test('add a passkey, sign in with it on /signin, remove it, then it fails cleanly as unknown', { skip: chromiumMissing }, async () => {
  const a = await insertAccount(env.platform, { firstName: 'زهرا', lastName: 'رضایی' });
  const page = await phonePage(browser);
  const { cdp, authenticatorId } = await virtualAuthenticator(page);

  // Sign in with the password, then add a passkey.
  await page.goto(`${baseUrl}/signin`);
  assert.equal(await page.getByLabel('نام کاربری').getAttribute('autocomplete'), 'username webauthn');
  await page.getByLabel('نام کاربری').fill(a.nationalCode);
  await page.getByLabel('گذرواژه', { exact: true }).fill(a.password);
  await page.getByRole('button', { name: 'ورود', exact: true }).click();
  await page.waitForURL('**/account');
  await page.getByRole('link', { name: 'کلیدهای عبور' }).click();
  await page.waitForURL('**/account/passkeys');
  assert.ok(await page.locator('[data-passkey-needs-js]').isHidden(), 'the needs-JavaScript note is hidden when the script runs');
  await noAxeViolations(page, 'the empty passkey page');
  await page.getByLabel('نام کلید عبور').fill('گوشی زهرا');
  await page.locator('[data-action="add-passkey"]').click();
  await page.waitForURL('**/account/passkeys?notice=added');
  assert.match(await page.locator('.passkey-list').innerText(), /گوشی زهرا/);
  assert.match(await page.locator('.passkey-list').innerText(), /۱۴۰۵/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');
  await noAxeViolations(page, 'the passkey page with a passkey');
  await screenshot(page, 'account-passkeys');

  // Sign out. Back on /signin the username field offers the passkey in its autofill
  // (conditional UI); the virtual authenticator answers at once: signed in, no password.
  const openSessions = async () =>
    (await env.platform.db.selectFrom('sessions').select('auth_method').where('account_id', '=', a.id).where('ended_at', 'is', null).execute()).map((s) => s.auth_method);
  await page.goto(`${baseUrl}/account`);
  await page.locator('form[action="/signout"] button').first().click();
  await page.waitForURL('**/account');
  assert.deepEqual(await openSessions(), ['passkey']);

  // A new browser session (cookies gone); from a page without autofill, the selector's
  // passkey button leads to the passkey page, whose button signs in.
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/signin/code?next=%2Faccount%2Fsessions`);
  await page.locator('.method-select summary').click();
  await page.locator('[data-method="passkey"]').click();
  await page.waitForURL(/\/signin\/passkey\?next=/);
  await page.locator('[data-action="passkey-signin"]').click();
  await page.waitForURL('**/account/sessions');
  assert.deepEqual(await openSessions(), ['passkey', 'passkey']);

  // The passkey page shows its last use; remove it.
  await page.goto(`${baseUrl}/account/passkeys`);
  assert.doesNotMatch(await page.locator('.passkey-list').innerText(), /هنوز استفاده نشده/);
  await page.locator('[data-action="remove-passkey"]').click();
  await page.waitForURL('**/account/passkeys?notice=removed');
  assert.match(await page.locator('main').innerText(), /هنوز کلید عبوری نساخته‌اید/);

  // The authenticator still holds it: signing in with it now fails with a clear message.
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/signin/passkey`);
  await noAxeViolations(page, 'the passkey sign-in page');
  await screenshot(page, 'signin-passkey');
  await page.locator('[data-action="passkey-signin"]').click();
  await page.waitForURL('**/signin/passkey');
  await page.locator('#error-summary').waitFor();
  assert.match(await page.locator('#error-summary').innerText(), /در درگاه شناخته نیست/);
  assert.equal((await page.context().cookies()).some((c) => c.name === 'dargah_session'), false);
  await noAxeViolations(page, 'the passkey sign-in page with an error');
  await screenshot(page, 'signin-passkey-unknown');
});

test('without JavaScript the passkey method says it needs JavaScript and offers the others', { skip: chromiumMissing }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fa-IR', viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/signin`);
  await page.locator('.method-select summary').click();
  await page.locator('[data-method="passkey"]').click();
  await page.waitForURL(/\/signin\/passkey/);
  await page.locator('[data-passkey-needs-js]').waitFor();
  assert.match(await page.locator('[data-passkey-needs-js]').innerText(), /جاوااسکریپت/);
  await page.locator('[data-passkey-needs-js]').getByRole('link', { name: 'ورود با رمز یک‌بارمصرف پیامکی' }).waitFor();
  assert.ok(await page.locator('[data-action="passkey-signin"]').isHidden());
  await screenshot(page, 'signin-passkey-nojs');
  await context.close();
});

/** A service of the organization on 127.0.0.1: `/login` starts code + PKCE, `/cb` finishes, `/` says who. */
async function service() {
  const SECRET = 'passkey-browser-test-secret-0123456789-xyz';
  const pending = new Map<string, string>();
  let who = '';
  let amr: unknown;
  let config: oidc.Configuration;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/login') {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        pending.set(state, verifier);
        const to = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${origin}/cb`,
          scope: 'openid profile',
          state,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        });
        return res.writeHead(303, { location: to.href }).end();
      }
      if (url.pathname === '/cb') {
        const state = url.searchParams.get('state') ?? '';
        const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.get(state)!, expectedState: state });
        const claims = tokens.claims()!;
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        who = `${info.given_name} ${info.family_name}`;
        amr = claims.amr;
        return res.writeHead(303, { location: '/' }).end();
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="fa"><head><title>s</title></head><body><p id="who">${who || 'none'}</p><a id="login" href="/login">login</a></body></html>`);
    })().catch((e) => res.writeHead(500).end(String(e)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clientId = `svc-${randomBytes(3).toString('hex')}`;
  const added = await env.platform.sso.clients.add({
    clientId,
    name: 'برگ پرداخت حق بیمه',
    redirectUris: [`${origin}/cb`],
    postLogoutRedirectUris: [`${origin}/`],
    secret: SECRET,
    firstParty: true,
  });
  assert.ok(added.ok);
  config = await oidc.discovery(new URL(baseUrl), clientId, SECRET, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
  return { origin, amr: () => amr, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('signing in with a passkey through a service’s redirect', { skip: chromiumMissing }, async () => {
  const a = await insertAccount(env.platform, { firstName: 'علی', lastName: 'محمدی' });
  const svc = await service();
  try {
    const page = await phonePage(browser);
    await virtualAuthenticator(page);
    // A passkey first (password sign-in on the portal, then the passkey page).
    await page.goto(`${baseUrl}/signin?next=%2Faccount%2Fpasskeys`);
    await page.getByLabel('نام کاربری').fill(a.nationalCode);
    await page.getByLabel('گذرواژه', { exact: true }).fill(a.password);
    await page.getByRole('button', { name: 'ورود', exact: true }).click();
    await page.waitForURL('**/account/passkeys');
    await page.locator('[data-action="add-passkey"]').click();
    await page.waitForURL('**/account/passkeys?notice=added');
    await page.context().clearCookies();

    // The service sends the browser to the portal's login interaction; the passkey method
    // (the selector's button leads to /signin/passkey with the interaction as `next`) signs in.
    await page.goto(`${svc.origin}/`);
    await page.locator('#login').click();
    await page.waitForURL(`${baseUrl}/interaction/**`);
    const interaction = new URL(page.url()).pathname;
    await page.goto(`${baseUrl}/signin/passkey?next=${encodeURIComponent(interaction)}`);
    await page.locator('[data-action="passkey-signin"]').click();
    await page.waitForURL(`${svc.origin}/`);
    assert.equal(await page.locator('#who').innerText(), 'علی محمدی');
    const methods = (await env.platform.db.selectFrom('sessions').select('auth_method').where('account_id', '=', a.id).where('ended_at', 'is', null).execute()).map((r) => r.auth_method);
    assert.ok(methods.includes('passkey'));
  } finally {
    await svc.close();
  }
});

test('a staff member adds a passkey and then uses it instead of the TOTP code', { skip: chromiumMissing }, async () => {
  const created = await env.platform.staff.create({ username: 'desk.chromium', role: 'admin' });
  assert.ok(created.ok);
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const newPassword = 'Branch!Desk2026xq';
  const context = await browser.newContext({ locale: 'fa-IR', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await virtualAuthenticator(page);

  // First sign-in with the TOTP code, the forced password change, then the passkey page.
  await page.goto(`${baseUrl}/backoffice/signin`);
  await page.locator('input[name="username"]').fill('desk.chromium');
  await page.locator('input[name="password"]').fill(created.value.oneTimePassword);
  await page.locator('input[name="code"]').fill(await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) }));
  await page.locator('form[action="/backoffice/signin"] button[type="submit"]').click();
  await page.waitForURL('**/backoffice/password');
  await page.locator('input[name="newPassword"]').fill(newPassword);
  await page.locator('input[name="newPasswordConfirmation"]').fill(newPassword);
  await page.locator('form[action="/backoffice/password"] button[type="submit"]').click();
  await page.waitForURL('**/backoffice/search');
  await page.getByRole('link', { name: 'کلیدهای عبور من' }).click();
  await page.waitForURL('**/backoffice/passkeys');
  await page.getByLabel('نام کلید عبور').fill('کلید میز شعبه');
  await page.locator('[data-action="add-passkey"]').click();
  await page.waitForURL('**/backoffice/passkeys?done=added');
  assert.match(await page.locator('main').innerText(), /کلید میز شعبه/);
  await noAxeViolations(page, 'the staff passkey page');
  await screenshot(page, 'backoffice-passkeys');

  // Signed out: password, then the passkey instead of the code.
  await page.locator('form[action="/backoffice/signout"] button').click();
  await page.waitForURL('**/backoffice/signin');
  await noAxeViolations(page, 'the staff sign-in page with the passkey button');
  await page.locator('input[name="username"]').fill('desk.chromium');
  await page.locator('input[name="password"]').fill(newPassword);
  await screenshot(page, 'backoffice-signin-passkey');
  await page.locator('[data-passkey-button]').click();
  await page.waitForURL('**/backoffice/search');
  const last = await env.platform.db.selectFrom('audit_events').select('data').where('actor_id', '=', created.value.id).where('event', '=', 'backoffice.signed_in').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal((last.data as { factor: string }).factor, 'passkey');
  await context.close();
});
