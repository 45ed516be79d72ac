// OpenID Connect conformance expectations that can be checked offline, with openid-client as
// the service (test/sso-second-client.test.ts checks the same with another library):
// fresh sign-in (prompt=login, max_age), prompt=none, the real auth_time, acr/amr,
// acr_values, login_hint, ui_locales, discovery lists only what is served (PAR), pairwise
// subjects, no consent for first-party services after a refresh-token reuse, only the
// registered client authentication, artifacts stored by keyed hash, and the one sign-in
// page (password and SMS code) for a service's login.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { ACR } from '../src/sso/assurance.js';
import { addAccount, agent, createSsoTestEnv, jwtPayload, relyingPartyServer, type SsoTestEnv, type TestAccount } from './sso.support.js';
import { lastCodeTo } from './support.js';

const SECRET = 'conformance-client-secret-0123456789-abcdef';

let env: SsoTestEnv;
let rp: Awaited<ReturnType<typeof relyingPartyServer>>;
let person: TestAccount;

type Agent = ReturnType<typeof agent>;

const configOf = (clientId: string, auth: oidc.ClientAuth = oidc.ClientSecretBasic(SECRET)) =>
  oidc.discovery(new URL(env.issuer), clientId, SECRET, auth, { execute: [oidc.allowInsecureRequests] });

/** Keeps the portal's clock on real time (the provider's own clock) from here on. */
const realTime = (offsetMs = 0) => env.clock.follow(offsetMs);
/** Waits until just past the next whole second of the real clock. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 10));

/** Starts an authorization request; answers the first page of the portal or the redirect back. */
async function authorize(config: oidc.Configuration, a: Agent, extra: Record<string, string> = {}, redirect = `${rp.origin}/cb`) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid profile',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const res = await a.follow(await a.get(url.href));
  return { res, verifier, state };
}

const asksForPassword = (body: string) => /name="password"/.test(body);
const formAction = (body: string) => new URL(/<form method="post" action="(\/interaction\/[^"]+)"/.exec(body)![1]!, env.issuer).href;

async function signInOnPage(a: Agent, page: { body: string }, who: TestAccount) {
  return a.follow(await a.post(formAction(page.body), { username: who.nationalCode, password: who.password }));
}

async function tokensFrom(config: oidc.Configuration, left: URL | undefined, verifier: string, state: string, extra: { maxAge?: number } = {}) {
  assert.ok(left, 'expected the browser back at the service');
  return oidc.authorizationCodeGrant(config, left, { pkceCodeVerifier: verifier, expectedState: state, ...extra });
}

/** A full sign-in with the password through a service: the browser ends signed in to the portal. */
async function signedInBrowser(config: oidc.Configuration, who: TestAccount) {
  const a = agent(env.issuer);
  const { res, verifier, state } = await authorize(config, a);
  assert.ok(asksForPassword(res.body));
  const back = await signInOnPage(a, res, who);
  const tokens = await tokensFrom(config, back.left, verifier, state);
  return { a, tokens };
}

before(async () => {
  env = await createSsoTestEnv();
  rp = await relyingPartyServer();
  const sso = env.platform.sso;
  for (const [clientId, extra] of [
    ['first', { firstParty: true }],
    ['pairwise-a', { firstParty: true, subjectType: 'pairwise' as const }],
  ] as const) {
    assert.ok((await sso.clients.add({ clientId, redirectUris: [`${rp.origin}/cb`], secret: SECRET, ...extra })).ok);
  }
  // Another sector (host) than the services above.
  const otherHost = rp.origin.replace('127.0.0.1', 'localhost');
  assert.ok((await sso.clients.add({ clientId: 'pairwise-b', redirectUris: [`${otherHost}/cb`], secret: SECRET, firstParty: true, subjectType: 'pairwise' })).ok);
  assert.ok((await sso.clients.add({ clientId: 'public-app', redirectUris: [`${rp.origin}/cb`], secret: null, firstParty: true })).ok);
  person = await addAccount(env.platform);
  realTime();
});

after(async () => {
  await rp?.close();
  await env?.close();
});

describe('a fresh sign-in when the service asks for one', () => {
  test('prompt=login asks for the password although the portal session is alive; auth_time is the new sign-in', async () => {
    realTime(-120_000);
    const config = await configOf('first');
    const { a, tokens } = await signedInBrowser(config, person);
    const first = tokens.claims()!;
    // Without prompt=login the portal session answers at once.
    const quiet = await authorize(config, a);
    assert.ok(quiet.res.left, 'no password without prompt=login');
    realTime();
    const again = await authorize(config, a, { prompt: 'login' });
    assert.equal(again.res.left, undefined, 'prompt=login must not finish without the person');
    assert.ok(asksForPassword(again.res.body));
    const back = await signInOnPage(a, again.res, person);
    const fresh = (await tokensFrom(config, back.left, again.verifier, again.state)).claims()!;
    assert.ok((fresh.auth_time as number) > (first.auth_time as number), 'auth_time is the time of the new sign-in');
  });

  test('max_age: an older sign-in asks for the password, a recent one does not; auth_time is the real sign-in time', async () => {
    const signedInAt = Date.now() - 600_000;
    env.clock.set(new Date(signedInAt));
    const config = await configOf('first');
    const { a, tokens } = await signedInBrowser(config, person);
    assert.equal(tokens.claims()!.auth_time, Math.floor(signedInAt / 1000), 'auth_time is when the person signed in, not "now"');
    realTime();
    const recent = await authorize(config, a, { max_age: '3600' });
    const claims = (await tokensFrom(config, recent.res.left, recent.verifier, recent.state, { maxAge: 3600 })).claims()!;
    assert.equal(claims.auth_time, Math.floor(signedInAt / 1000));
    const old = await authorize(config, a, { max_age: '60' });
    assert.equal(old.res.left, undefined, 'a sign-in older than max_age must not be reused');
    assert.ok(asksForPassword(old.res.body));
    const back = await signInOnPage(a, old.res, person);
    const renewed = (await tokensFrom(config, back.left, old.verifier, old.state, { maxAge: 60 })).claims()!;
    assert.ok(Date.now() / 1000 - (renewed.auth_time as number) < 60);
  });

  test('prompt=none: login_required without a portal session; a code at once with one', async () => {
    realTime();
    const config = await configOf('first');
    const stranger = agent(env.issuer);
    const none = await authorize(config, stranger, { prompt: 'none' });
    assert.ok(none.res.left, 'the service hears back');
    assert.equal(none.res.left.searchParams.get('error'), 'login_required');

    // Signed in to the portal itself (not through any service): prompt=none succeeds.
    const a = agent(env.issuer);
    await a.get('/signin');
    const signin = await a.post('/signin', { username: person.nationalCode, password: person.password });
    assert.equal(signin.status, 303);
    const silent = await authorize(config, a, { prompt: 'none' });
    assert.ok(silent.res.left, `expected the service, got ${silent.res.status}: ${silent.res.body.slice(0, 1500)}`);
    assert.equal(silent.res.left?.searchParams.get('error'), null);
    const tokens = await tokensFrom(config, silent.res.left, silent.verifier, silent.state);
    assert.equal(tokens.claims()!.sub, person.id);
  });
});

describe('acr and amr', () => {
  test('a password sign-in: amr pwd; an account verified online: acr registries', async () => {
    realTime();
    const { tokens } = await signedInBrowser(await configOf('first'), person);
    const claims = tokens.claims()!;
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR.registries);
  });

  test('the OIDC login page is the /signin page: both methods; signing in by SMS code ends at the service with a code (amr sms)', async () => {
    realTime();
    // The provider dates the request in whole seconds by the real clock; a second boundary
    // between the service's request and the sign-in once made this test fail now and then.
    await nextSecond();
    const config = await configOf('first');
    const a = agent(env.issuer);
    const { res, verifier, state } = await authorize(config, a, { prompt: 'login' });
    const uid = /action="\/interaction\/([^"/]+)"/.exec(res.body)![1]!;
    // The same page as /signin: method selector, on-screen keyboard, tips, guide link, one submit.
    assert.match(res.body, /class="method-select"/);
    assert.match(res.body, new RegExp(`href="/signin/code\\?next=%2Finteraction%2F${uid}"`));
    assert.match(res.body, /class="vk-mount"/);
    assert.match(res.body, /id="tips-title"/);
    assert.match(res.body, /href="\/help\/registration"/);
    const form = /<form method="post" action="\/interaction\/[^"]+" class="card signin-form"[\s\S]*?<\/form>/.exec(res.body)![0];
    assert.equal((form.match(/type="submit"/g) ?? []).length, 1, 'the sign-in form has one submit button (API.md)');
    assert.match(form, /name="username"/);
    assert.match(form, /name="password"/);
    // The passkey method (API.md) is offered too, and comes back to this service's login.
    assert.match(res.body, /data-method="passkey"/);
    assert.match(res.body, new RegExp(`<form method="get" action="/signin/passkey"><input type="hidden" name="next" value="/interaction/${uid}"`));

    const codePage = await a.get(`/signin/code?next=${encodeURIComponent(`/interaction/${uid}`)}`);
    assert.equal(codePage.status, 200);
    const started = await a.post('/signin/code', { username: person.nationalCode, next: `/interaction/${uid}` });
    assert.equal(started.status, 303);
    const enter = await a.get(started.location!);
    assert.equal(enter.status, 200);
    const code = await lastCodeTo(env.platform, person.mobile);
    const flow = new URL(started.location!, env.issuer).pathname;
    const back = await a.follow(await a.post(flow, { code, next: `/interaction/${uid}` }));
    const tokens = await tokensFrom(config, back.left, verifier, state);
    assert.deepEqual(tokens.claims()!.amr, ['sms']);
  });

  test('acr_values asking for the branch level: an online-verified account gets a clear page, the service unmet_authentication_requirements', async () => {
    realTime();
    const config = await configOf('first');
    const { a } = await signedInBrowser(config, person);
    const asked = await authorize(config, a, { acr_values: ACR.branch });
    assert.equal(asked.res.left, undefined);
    assert.equal(asked.res.status, 403);
    assert.match(asked.res.body, /\/interaction\/[^"/]+\/unmet/);
    const unmet = /href="(\/interaction\/[^"/]+\/unmet)"/.exec(asked.res.body)![1]!;
    const back = await a.follow(await a.get(unmet));
    assert.equal(back.left?.searchParams.get('error'), 'unmet_authentication_requirements');
    // prompt=none says so at once.
    const none = await authorize(config, a, { acr_values: ACR.branch, prompt: 'none' });
    assert.equal(none.res.left?.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('an account activated at a branch: acr branch, and acr_values for the branch level is met', async () => {
    realTime();
    const atBranch = await addAccount(env.platform);
    await env.platform.db.updateTable('accounts').set({ origin: 'branch' }).where('id', '=', atBranch.id).execute();
    const config = await configOf('first');
    const a = agent(env.issuer);
    const { res, verifier, state } = await authorize(config, a, { acr_values: ACR.branch });
    const back = await signInOnPage(a, res, atBranch);
    const claims = (await tokensFrom(config, back.left, verifier, state)).claims()!;
    assert.equal(claims.acr, ACR.branch);

    // Registered online, sent to a branch, then activated by staff who saw the documents.
    const activated = await addAccount(env.platform);
    await env.platform.db.updateTable('accounts').set({ status: 'awaiting_branch_visit' }).where('id', '=', activated.id).execute();
    await env.platform.db.transaction().execute(async (trx) =>
      env.platform.accounts.activateAtBranch(
        trx,
        { kind: 'staff', staff: { id: '00000000-0000-4000-8000-00000000000a', username: 'desk', role: 'admin', branchCode: '112' }, ip: null, reason: 'documents seen', walkIn: null },
        (await env.platform.accounts.lockForUpdate(trx, activated.id))!,
        ['national_card'],
        {},
      ),
    );
    const b = agent(env.issuer);
    const flow = await authorize(config, b, { acr_values: `${ACR.registries} ${ACR.branch}` });
    const done = await signInOnPage(b, flow.res, activated);
    assert.equal((await tokensFrom(config, done.left, flow.verifier, flow.state)).claims()!.acr, ACR.branch);
  });
});

describe('hints from the service', () => {
  test('login_hint prefills the national code (Persian digits too); anything else is ignored', async () => {
    const config = await configOf('first');
    const hinted = await authorize(config, agent(env.issuer), { login_hint: person.nationalCode });
    assert.match(hinted.res.body, new RegExp(`name="username"[^>]*value="${person.nationalCode}"|value="${person.nationalCode}"[^>]*name="username"`));
    const persian = person.nationalCode.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    assert.match((await authorize(config, agent(env.issuer), { login_hint: persian })).res.body, new RegExp(`value="${person.nationalCode}"`));
    const junk = await authorize(config, agent(env.issuer), { login_hint: '"><script>x</script>' });
    assert.doesNotMatch(junk.res.body, /<script>x<\/script>/);
  });

  test('ui_locales picks the language unless the person chose one', async () => {
    const config = await configOf('first');
    const en = await authorize(config, agent(env.issuer), { ui_locales: 'de en-US' });
    assert.match(en.res.body, /<html lang="en" dir="ltr"/);
    const chosen = agent(env.issuer);
    chosen.jar.set('lang', 'fa');
    const fa = await authorize(config, chosen, { ui_locales: 'en' });
    assert.match(fa.res.body, /<html lang="fa" dir="rtl"/);
  });
});

describe('discovery lists only what is served', () => {
  test('every endpoint in discovery answers from the provider (none is a 404 or an HTML page)', async () => {
    const meta = (await (await fetch(`${env.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const endpoints = Object.entries(meta).filter(([k, v]) => k.endsWith('_endpoint') || k === 'jwks_uri' ? typeof v === 'string' : false);
    assert.ok(endpoints.length >= 7);
    for (const [name, url] of endpoints) {
      assert.ok(String(url).startsWith(`${env.issuer}/oidc/`), `${name} is under /oidc: ${url}`);
      const res = await fetch(String(url), { method: name === 'authorization_endpoint' || name === 'jwks_uri' || name === 'userinfo_endpoint' || name === 'end_session_endpoint' ? 'GET' : 'POST', redirect: 'manual' });
      assert.notEqual(res.status, 404, name);
      const type = res.headers.get('content-type') ?? '';
      if (name !== 'authorization_endpoint' && name !== 'end_session_endpoint') assert.match(type, /json/, `${name} answers as the provider (${res.status} ${type})`);
    }
  });

  test('pushed authorization requests work through openid-client', async () => {
    realTime();
    const config = await configOf('first');
    const meta = config.serverMetadata();
    assert.equal(meta.pushed_authorization_request_endpoint, `${env.issuer}/oidc/request`);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: `${rp.origin}/cb`,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    assert.ok(url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'));
    const a = agent(env.issuer);
    const page = await a.follow(await a.get(url.href));
    const back = await signInOnPage(a, page, person);
    const tokens = await tokensFrom(config, back.left, verifier, state);
    assert.equal(tokens.claims()!.sub, person.id);
  });
});

describe('subjects, grants and client authentication', () => {
  test('pairwise sub: stable for one service, different per sector, never the account id; userinfo agrees', async () => {
    realTime();
    const a1 = await configOf('pairwise-a');
    const { a, tokens } = await signedInBrowser(a1, person);
    const sub = tokens.claims()!.sub;
    assert.notEqual(sub, person.id);
    const again = await authorize(a1, a);
    assert.equal((await tokensFrom(a1, again.res.left, again.verifier, again.state)).claims()!.sub, sub);
    const info = await oidc.fetchUserInfo(a1, tokens.access_token, sub);
    assert.equal(info.sub, sub);
    const b = await configOf('pairwise-b');
    const other = await authorize(b, a, {}, `${rp.origin.replace('127.0.0.1', 'localhost')}/cb`);
    const subB = (await tokensFrom(b, other.res.left, other.verifier, other.state)).claims()!.sub;
    assert.notEqual(subB, sub);
    assert.notEqual(subB, person.id);
    const plain = await configOf('first');
    const pub = await authorize(plain, a);
    assert.equal((await tokensFrom(plain, pub.res.left, pub.verifier, pub.state)).claims()!.sub, person.id);
  });

  test('a first-party service never shows consent, also after a refresh-token reuse revoked its grant', async () => {
    realTime();
    const config = await configOf('first');
    const { a, tokens } = await signedInBrowser(config, person);
    const used = tokens.refresh_token!;
    await oidc.refreshTokenGrant(config, used);
    await assert.rejects(oidc.refreshTokenGrant(config, used), (e: any) => e.error === 'invalid_grant');
    const next = await authorize(config, a);
    assert.ok(next.res.left, `expected the service again, got ${next.res.status}: ${next.res.body.slice(0, 200)}`);
    assert.doesNotMatch(next.res.body, /name="decision"/);
    const fresh = await tokensFrom(config, next.res.left, next.verifier, next.state);
    assert.ok(fresh.access_token);
    // Not even when the service itself asks for it.
    const asked = await authorize(config, a, { prompt: 'consent' });
    assert.ok(asked.res.left?.searchParams.get('code'), `prompt=consent: expected the service, got ${asked.res.status}`);
  });

  test('the token endpoint accepts only the registered authentication method', async () => {
    realTime();
    const basic = await configOf('first');
    const { tokens } = await signedInBrowser(basic, person);
    const post = await configOf('first', oidc.ClientSecretPost(SECRET));
    await assert.rejects(oidc.refreshTokenGrant(post, tokens.refresh_token!), (e: any) => e.error === 'invalid_client');
    await assert.rejects(oidc.tokenIntrospection(post, tokens.access_token), (e: any) => e.error === 'invalid_client');
    // The registered method works (the refresh token was not spent by the refused call).
    assert.ok((await oidc.refreshTokenGrant(basic, tokens.refresh_token!)).access_token);
    // A public client: none only; a secret it does not have is refused too.
    const publicApp = await oidc.discovery(new URL(env.issuer), 'public-app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const pub = await signedInBrowser(publicApp, person);
    assert.ok(pub.tokens.access_token);
    const pretending = await configOf('public-app', oidc.ClientSecretBasic(SECRET));
    await assert.rejects(oidc.refreshTokenGrant(pretending, pub.tokens.refresh_token!), (e: any) => (e.error ?? e.cause?.[0]?.parameters?.error) === 'invalid_client');
  });
});

describe('single sign-on artifacts at rest', () => {
  test('no token, code or session cookie value is stored: rows are keyed by HMAC', async () => {
    realTime();
    const config = await configOf('first');
    const a = agent(env.issuer);
    const { res, verifier, state } = await authorize(config, a);
    const back = await signInOnPage(a, res, person);
    const code = back.left!.searchParams.get('code')!;
    const tokens = await tokensFrom(config, back.left, verifier, state);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const session = a.jar.get('sso_session')!;
    assert.ok(code && session && tokens.access_token && tokens.refresh_token && refreshed.refresh_token);
    const rows = await sql<{ model: string; id: string; uid: string | null; text: string }>`SELECT model, id, uid, payload::text AS text FROM sso_artifacts`.execute(env.platform.db);
    assert.ok(rows.rows.length > 3);
    const everything = rows.rows.map((r) => `${r.id} ${r.uid ?? ''} ${r.text}`).join('\n');
    for (const [what, value] of Object.entries({ code, session, access: tokens.access_token, refresh: tokens.refresh_token!, rotated: refreshed.refresh_token!, rotatedAccess: refreshed.access_token })) {
      assert.ok(!everything.includes(value), `${what} is not stored in clear`);
    }
    const hashed = env.platform.secrets.hmac('sso-artifact', tokens.access_token);
    assert.ok(rows.rows.some((r) => r.model === 'AccessToken' && r.id === hashed), 'the access token row is keyed by its HMAC');
    // And the tokens still work.
    assert.ok((await oidc.fetchUserInfo(config, refreshed.access_token, person.id)).sub);
    assert.equal(jwtPayload(tokens.id_token!).sub, person.id);
  });
});
