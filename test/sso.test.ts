// Single sign-on through the protocol: openid-client as the service, against the portal
// listening on 127.0.0.1 (issuer = PUBLIC_URL), the person as a cookie-keeping HTTP agent.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { addAccount, agent, createSsoTestEnv, freePort, jwtHeader, jwtPayload, relyingPartyServer, type SsoTestEnv, type TestAccount } from './sso.support.js';

const SECRET = 'test-client-secret-0123456789-abcdefghij';
const SCOPE_ALL = 'openid profile phone national_id permissions';

let env: SsoTestEnv;
let rp: Awaited<ReturnType<typeof relyingPartyServer>>;
let person: TestAccount;

async function clientConfig(clientId: string, secret = SECRET) {
  return oidc.discovery(new URL(env.issuer), clientId, secret, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
}

/** The authorization step as `who` in browser `a` (signing in when asked): the callback URL with the code. */
async function authorize(config: oidc.Configuration, a: ReturnType<typeof agent>, who: TestAccount | undefined, scope = SCOPE_ALL, redirect = `${rp.origin}/cb`) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let res = await a.follow(await a.get(url.href));
  let askedForPassword = false;
  if (!res.left && res.body.includes('name="password"')) {
    askedForPassword = true;
    assert.ok(who, 'the portal asked for a password');
    res = await a.follow(await a.post(new URL(res.body.match(/<form method="post" action="(\/interaction\/[^"]+)"/)![1]!, env.issuer).href, { username: who.nationalCode, password: who.password }));
  }
  assert.ok(res.left, `expected a redirect back to the service, got ${res.status}: ${res.body.slice(0, 300)}`);
  return { callback: res.left, verifier, state, askedForPassword };
}

/** Runs the code flow as `who` in browser `a`; returns the tokens (signing in when asked). */
async function codeFlow(config: oidc.Configuration, a: ReturnType<typeof agent>, who: TestAccount | undefined, scope = SCOPE_ALL, redirect = `${rp.origin}/cb`) {
  const { callback, verifier, state, askedForPassword } = await authorize(config, a, who, scope, redirect);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, askedForPassword };
}

before(async () => {
  env = await createSsoTestEnv();
  rp = await relyingPartyServer();
  const sso = env.platform.sso;
  for (const [clientId, firstParty] of [['payslip', true], ['pension', true]] as const) {
    const r = await sso.clients.add({
      clientId,
      redirectUris: [`${rp.origin}/cb`],
      secret: SECRET,
      firstParty,
      postLogoutRedirectUris: [`${rp.origin}/signed-out`],
      backchannelLogoutUri: `${rp.origin}/backchannel-logout`,
    });
    assert.ok(r.ok);
  }
  person = await addAccount(env.platform, { permissions: ['payment_slip_issue'] });
});

after(async () => {
  await rp?.close();
  await env?.close();
});

describe('single sign-on protocol', () => {
  test('discovery names the issuer, PKCE S256, our scopes and logout features', async () => {
    const config = await clientConfig('payslip');
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, env.issuer);
    assert.equal(meta.authorization_endpoint, `${env.issuer}/oidc/auth`);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    for (const s of ['openid', 'profile', 'phone', 'national_id', 'permissions']) assert.ok(meta.scopes_supported?.includes(s), s);
    assert.ok(meta.end_session_endpoint);
    assert.ok(meta.introspection_endpoint && meta.revocation_endpoint && meta.userinfo_endpoint);
    assert.equal(meta.backchannel_logout_supported, true);
  });

  test('discovery endpoints ignore a forged Host header', async () => {
    const res = await fetch(`${env.issuer}/.well-known/openid-configuration`, { headers: { host: 'evil.example' } });
    const meta = (await res.json()) as Record<string, string>;
    assert.equal(meta.token_endpoint, `${env.issuer}/oidc/token`);
  });

  test('JWKS publishes public signing keys only', async () => {
    const jwks = (await (await fetch(`${env.issuer}/oidc/jwks`)).json()) as { keys: Record<string, unknown>[] };
    assert.ok(jwks.keys.length >= 1);
    for (const k of jwks.keys) {
      assert.ok(k.kid);
      assert.equal(k.d, undefined, 'no private part');
    }
  });

  test('code + PKCE: the ID token says who signed in by an opaque sub', async () => {
    const config = await clientConfig('payslip');
    const { tokens, askedForPassword } = await codeFlow(config, agent(env.issuer), person);
    assert.equal(askedForPassword, true);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, person.id);
    assert.notEqual(claims.sub, person.nationalCode);
    assert.equal(claims.iss, env.issuer);
    assert.equal(claims.aud, 'payslip');
    assert.ok(tokens.refresh_token, 'a refresh token is issued');
  });

  test('userinfo releases claims by scope', async () => {
    const config = await clientConfig('payslip');
    const a = agent(env.issuer);
    const full = await codeFlow(config, a, person);
    const info = await oidc.fetchUserInfo(config, full.tokens.access_token, person.id);
    assert.equal(info.given_name, 'زهرا');
    assert.equal(info.family_name, 'کریمی');
    assert.equal(info.gender, 'female');
    assert.equal(info.birthdate, '1990-03-21');
    assert.equal(info.phone_number, `+98${person.mobile.slice(1)}`);
    assert.equal(info.phone_number_verified, true);
    assert.equal(info.national_id, person.nationalCode);
    assert.deepEqual(info.permissions, ['payment_slip_issue']);

    const narrow = await codeFlow(config, a, person, 'openid');
    const little = await oidc.fetchUserInfo(config, narrow.tokens.access_token, person.id);
    assert.deepEqual(Object.keys(little).sort(), ['sub']);
  });

  test('refresh tokens rotate; a used one is refused', async () => {
    const config = await clientConfig('payslip');
    const { tokens } = await codeFlow(config, agent(env.issuer), person);
    const first = tokens.refresh_token!;
    const next = await oidc.refreshTokenGrant(config, first);
    assert.ok(next.access_token);
    assert.ok(next.refresh_token);
    assert.notEqual(next.refresh_token, first);
    await assert.rejects(oidc.refreshTokenGrant(config, first), (e: any) => e.error === 'invalid_grant');
  });

  test('a refresh token or a code used again is written to the person’s audit trail, with the service and the address', async () => {
    // Found in review: reuse revoked the grant and was logged, but branch staff reading the
    // person’s trail never saw it.
    const reuses = async () =>
      (await env.platform.db.selectFrom('audit_events').select(['data', 'ip', 'actor_type']).where('account_id', '=', person.id).where('event', '=', 'sso.token_reused').orderBy('id').execute()).map(
        (e) => ({ ...e, data: { client: e.data.client, token: e.data.token } }),
      );
    const before = (await reuses()).length;
    const config = await clientConfig('payslip');
    const { tokens } = await codeFlow(config, agent(env.issuer), person);
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    // Operators are warned too (the log), with the detail and the service.
    const logger = env.platform.logger as unknown as Record<string, unknown>;
    const warnings: unknown[][] = [];
    const warn = logger.warn;
    logger.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');
      const { callback, verifier, state } = await authorize(config, agent(env.issuer), person);
      await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
      await assert.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }), (e: any) => e.error === 'invalid_grant');
    } finally {
      logger.warn = warn;
    }
    assert.deepEqual(
      warnings.map(([fields, message]) => [(fields as { detail?: string }).detail, (fields as { clientId?: string }).clientId, message]),
      [
        ['refresh token already used', 'payslip', 'sso: a token was used twice; its grant is revoked'],
        ['authorization code already consumed', 'payslip', 'sso: a token was used twice; its grant is revoked'],
      ],
    );
    assert.deepEqual((await reuses()).slice(before), [
      { data: { client: 'payslip', token: 'refresh_token' }, ip: '127.0.0.1', actor_type: 'system' },
      { data: { client: 'payslip', token: 'authorization_code' }, ip: '127.0.0.1', actor_type: 'system' },
    ]);
  });

  test('the same refresh token sent twice at once: no second family of tokens; the grant is revoked for both', async () => {
    // Reading the token, then marking it used, left a window: several requests with one
    // refresh token (a stolen copy raced against the service) each got new tokens, and the
    // reuse was never seen. Now only one request can mark it used; the others are reuse.
    const config = await clientConfig('payslip');
    const { tokens } = await codeFlow(config, agent(env.issuer), person);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.ok(won.length <= 1, `${won.length} requests got new tokens from one refresh token`);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as any).error, 'invalid_grant');
    // Reuse revokes the grant: whatever was issued from it stops working.
    for (const r of won) {
      await assert.rejects(oidc.refreshTokenGrant(config, r.value.refresh_token!), (e: any) => e.error === 'invalid_grant');
      assert.equal((await oidc.tokenIntrospection(config, r.value.access_token)).active, false);
    }
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  test('one authorization code exchanged four times at once: at most one gets tokens', async () => {
    const config = await clientConfig('payslip');
    const { callback, verifier, state } = await authorize(config, agent(env.issuer), person);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.ok(won.length <= 1, `${won.length} exchanges of one code got tokens`);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as any).error, 'invalid_grant');
    // A code used twice revokes what it gave (RFC 6749 §4.1.2).
    for (const r of won) assert.equal((await oidc.tokenIntrospection(config, r.value.access_token)).active, false);
  });

  test('new tokens that cannot be stored are not handed out: 503 temporarily_unavailable, and the next try works', async () => {
    // The provider answered 500 server_error when a token could not be stored. The tokens of
    // a request are now written together before the answer leaves; if that fails, the answer
    // is withdrawn for a 503 the service may retry.
    const config = await clientConfig('payslip');
    const { callback, verifier, state } = await authorize(config, agent(env.issuer), person);
    await sql`CREATE FUNCTION test_refuse_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.model = 'AccessToken' THEN RAISE EXCEPTION 'storage refused for the test'; END IF; RETURN NEW; END $$`.execute(env.platform.db);
    await sql`CREATE TRIGGER test_refuse_tokens BEFORE INSERT ON sso_artifacts FOR EACH ROW EXECUTE FUNCTION test_refuse_tokens()`.execute(env.platform.db);
    try {
      const refused = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }).then(
        () => assert.fail('tokens were handed out that could not be stored'),
        (e: { cause?: unknown }) => e.cause,
      );
      // openid-client hands back the response it did not expect (not an OAuth 400).
      assert.ok(refused instanceof Response, 'the token endpoint answered');
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      const body = (await refused.json()) as Record<string, unknown>;
      assert.equal(body.error, 'temporarily_unavailable');
      assert.equal(body.access_token, undefined);
    } finally {
      await sql`DROP TRIGGER test_refuse_tokens ON sso_artifacts`.execute(env.platform.db);
      await sql`DROP FUNCTION test_refuse_tokens()`.execute(env.platform.db);
    }
    const { tokens } = await codeFlow(config, agent(env.issuer), person);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  });

  test('introspection and revocation', async () => {
    const config = await clientConfig('payslip');
    const { tokens } = await codeFlow(config, agent(env.issuer), person);
    const live = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(live.active, true);
    assert.equal(live.sub, person.id);
    assert.equal(live.client_id, 'payslip');
    await oidc.tokenRevocation(config, tokens.access_token);
    const dead = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(dead.active, false);
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, person.id));
  });

  test('a third-party service can neither introspect nor revoke another service’s tokens', async () => {
    const added = await env.platform.sso.clients.add({ clientId: 'outsider', redirectUris: [`${rp.origin}/cb`], secret: SECRET, firstParty: false });
    assert.ok(added.ok);
    const owner = await clientConfig('payslip');
    const { tokens } = await codeFlow(owner, agent(env.issuer), person);
    const outsider = await clientConfig('outsider');
    const seen = await oidc.tokenIntrospection(outsider, tokens.access_token);
    assert.equal(seen.active, false, 'nothing is told to a service that does not own the token');
    await oidc.tokenRevocation(outsider, tokens.access_token).catch(() => undefined);
    const still = await oidc.tokenIntrospection(owner, tokens.access_token);
    assert.equal(still.active, true, 'the token survives another service’s revocation attempt');
    // The organization's own (first-party, confidential) services may introspect as resource servers.
    const pension = await clientConfig('pension');
    assert.equal((await oidc.tokenIntrospection(pension, tokens.access_token)).active, true);
  });

  test('PKCE is required', async () => {
    const config = await clientConfig('payslip');
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: `${rp.origin}/cb`, scope: 'openid', state: 'x' });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.origin, rp.origin);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get("error_description") ?? "", /PKCE/);
  });

  test('an unknown redirect_uri is refused on our error page, without a redirect', async () => {
    const config = await clientConfig('payslip');
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://attacker.example/cb',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const html = await res.text();
    assert.match(html, /lang="fa"/);
    assert.doesNotMatch(html, /attacker\.example/);
  });

  test('an unknown client or a wrong secret gets no tokens', async () => {
    const wrong = await clientConfig('payslip', 'wrong-secret-wrong-secret-wrong-secret-00');
    // With client_secret_basic the refusal comes as a WWW-Authenticate challenge (RFC 6749 5.2).
    await assert.rejects(oidc.refreshTokenGrant(wrong, 'whatever'), (e: any) => (e.error ?? e.cause?.[0]?.parameters?.error) === 'invalid_client');
  });

  test('a second service opens without a password; a third-party one asks for consent', async () => {
    const a = agent(env.issuer);
    const first = await codeFlow(await clientConfig('payslip'), a, person);
    assert.equal(first.askedForPassword, true);
    const second = await codeFlow(await clientConfig('pension'), a, undefined);
    assert.equal(second.askedForPassword, false);
    assert.equal(second.tokens.claims()!.sub, person.id);

    const added = await env.platform.sso.clients.add({ clientId: 'partner', redirectUris: [`${rp.origin}/cb`], secret: SECRET, name: 'بانک نمونه' });
    assert.ok(added.ok);
    const config = await clientConfig('partner');
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`,
      scope: 'openid phone',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await a.follow(await a.get(url.href));
    assert.equal(page.left, undefined);
    assert.match(page.body, /اجازه دسترسی/);
    assert.match(page.body, /بانک نمونه/);
    assert.match(page.body, /شماره تلفن همراه/);
    const action = page.body.match(/action="(\/interaction\/[^"]+)"/)![1]!;
    const back = await a.follow(await a.post(action, { decision: 'allow' }));
    assert.ok(back.left);
    const tokens = await oidc.authorizationCodeGrant(config, back.left, { pkceCodeVerifier: verifier });
    assert.equal(tokens.claims()!.sub, person.id);
  });

  test('consent refused: the service gets access_denied', async () => {
    const a = agent(env.issuer);
    await codeFlow(await clientConfig('payslip'), a, person);
    const config = await clientConfig('partner');
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`,
      scope: 'openid',
      state: 's1',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const page = await a.follow(await a.get(url.href));
    const action = page.body.match(/action="(\/interaction\/[^"]+)"/)![1]!;
    const back = await a.follow(await a.post(action, { decision: 'deny' }));
    assert.equal(back.left?.searchParams.get('error'), 'access_denied');
  });

  test('a wrong password or an account not yet active gets no code', async () => {
    const config = await clientConfig('payslip');
    const pending = await addAccount(env.platform, { status: 'pending_verification' });
    for (const [who, password] of [
      [person, 'Wrong-Passw0rd-123'],
      [pending, pending.password],
    ] as const) {
      const a = agent(env.issuer);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${rp.origin}/cb`,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const form = await a.follow(await a.get(url.href));
      const action = form.body.match(/action="(\/interaction\/[^"]+)"/)![1]!;
      const res = await a.post(action, { username: who.nationalCode, password });
      assert.ok(res.status === 401 || res.status === 403, `status ${res.status}`);
      assert.match(res.body, /name="password"/);
      assert.equal(res.location, undefined);
    }
  });

  test('a forced password change comes before any token', async () => {
    const forced = await addAccount(env.platform, { mustChangePassword: true });
    const config = await clientConfig('payslip');
    const a = agent(env.issuer);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${rp.origin}/cb`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const form = await a.follow(await a.get(url.href));
    const action = form.body.match(/action="(\/interaction\/[^"]+)"/)![1]!;
    const res = await a.post(action, { username: forced.nationalCode, password: forced.password });
    assert.equal(res.status, 303);
    assert.match(res.location!, /^\/account\/password\?next=%2Finteraction%2F/);
    // Going back to the service without changing the password gives no code.
    const again = await a.follow(await a.get(url.href));
    assert.equal(again.left, undefined);
  });

  test('key rotation: new tokens use the new key, old ones stay verifiable', async () => {
    const config = await clientConfig('payslip');
    const a = agent(env.issuer);
    const before = (await codeFlow(config, a, person)).tokens.id_token!;
    const rotated = await env.platform.sso.keys.rotate();
    await env.platform.sso.refresh();
    const afterToken = (await codeFlow(await clientConfig('payslip'), a, undefined)).tokens.id_token!;
    assert.equal(jwtHeader(afterToken).kid, rotated.kid);
    assert.notEqual(jwtHeader(before).kid, rotated.kid);
    const jwks = (await (await fetch(`${env.issuer}/oidc/jwks`)).json()) as { keys: (Record<string, unknown> & { kid: string })[] };
    for (const token of [before, afterToken]) {
      const jwk = jwks.keys.find((k) => k.kid === jwtHeader(token).kid);
      assert.ok(jwk, 'the signing key is still published');
      const [h, p, s] = token.split('.');
      const ok = verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as any, format: 'jwk' }), Buffer.from(s!, 'base64url'));
      assert.equal(ok, true);
    }
    assert.equal(jwtPayload(before).sub, person.id);
  });

  test('sign-out through one service ends the portal session and tells the other services', async () => {
    const a = agent(env.issuer);
    const person = await addAccount(env.platform);
    const payslip = await clientConfig('payslip');
    const first = await codeFlow(payslip, a, person);
    const second = await codeFlow(await clientConfig('pension'), a, undefined);
    assert.equal(second.askedForPassword, false);
    rp.logoutTokens.length = 0;

    const endUrl = oidc.buildEndSessionUrl(payslip, { id_token_hint: first.tokens.id_token!, post_logout_redirect_uri: `${rp.origin}/signed-out`, state: 'bye' });
    const page = await a.get(endUrl.href);
    assert.equal(page.status, 200);
    assert.match(page.body, /خروج از همه سامانه‌ها/);
    const xsrf = page.body.match(/name="xsrf" value="([^"]+)"/)![1]!;
    const done = await a.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, false);
    assert.equal(done.status, 303);
    const back = new URL(done.location!);
    assert.equal(`${back.origin}${back.pathname}`, `${rp.origin}/signed-out`);
    assert.equal(back.searchParams.get('state'), 'bye');

    const audiences = rp.logoutTokens.map((t) => jwtPayload(t).aud).sort();
    assert.deepEqual(audiences, ['payslip', 'pension']);
    for (const t of rp.logoutTokens) {
      const p = jwtPayload(t);
      assert.equal(p.sub, person.id);
      assert.ok(p.sid);
      assert.ok((p.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
    }
    const open = await env.platform.db.selectFrom('sessions').select('id').where('account_id', '=', person.id).where('ended_at', 'is', null).execute();
    assert.equal(open.length, 0, 'the portal session ended too');
    // The refresh token died with the session; the next sign-in asks for the password again.
    await assert.rejects(oidc.refreshTokenGrant(payslip, first.tokens.refresh_token!));
    const again = await codeFlow(payslip, a, person);
    assert.equal(again.askedForPassword, true);
  });

  test('after signing out of the portal itself, a service asks for the password again', async () => {
    const a = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    assert.equal((await codeFlow(payslip, a, person)).askedForPassword, true);
    assert.equal((await codeFlow(payslip, a, undefined)).askedForPassword, false);
    await a.get('/account');
    const out = await a.post('/signout', {});
    assert.equal(out.status, 303);
    assert.equal((await codeFlow(payslip, a, person)).askedForPassword, true);
  });
});

describe('signing out of the portal itself reaches the services', () => {
  const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

  /** The logout tokens received since `from`, by audience. */
  const tokensSince = (from: number) => rp.logoutTokens.slice(from).map((t) => jwtPayload(t));
  const openPortalSessions = async (accountId: string) =>
    (await env.platform.db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('ended_at', 'is', null).execute()).length;

  test('portal sign-out: every service this browser opened gets a logout token for its sid', async () => {
    const who = await addAccount(env.platform);
    const a = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    const first = await codeFlow(payslip, a, who);
    const second = await codeFlow(await clientConfig('pension'), a, undefined);
    assert.equal(second.askedForPassword, false);
    const sids = { payslip: first.tokens.claims()!.sid, pension: second.tokens.claims()!.sid };
    assert.ok(sids.payslip && sids.pension, 'the ID tokens carry sid');

    const from = rp.logoutTokens.length;
    await a.get('/account');
    const out = await a.post('/signout', {});
    assert.equal(out.status, 303);
    assert.equal(out.location, '/signin?notice=signed_out');

    const received = tokensSince(from);
    assert.deepEqual(received.map((p) => p.aud).sort(), ['payslip', 'pension']);
    for (const p of received) {
      assert.equal(p.iss, env.issuer);
      assert.equal(p.sub, who.id);
      assert.equal(p.sid, sids[p.aud as 'payslip' | 'pension']);
      assert.deepEqual(p.events, { [BACKCHANNEL_EVENT]: {} });
      assert.equal(p.nonce, undefined, 'a logout token has no nonce');
      assert.ok(p.jti && p.iat);
    }
    // Signed like ID tokens: verifiable with the published key.
    const jwks = (await (await fetch(`${env.issuer}/oidc/jwks`)).json()) as { keys: (Record<string, unknown> & { kid: string })[] };
    for (const t of rp.logoutTokens.slice(from)) {
      const jwk = jwks.keys.find((k) => k.kid === jwtHeader(t).kid)!;
      const [h, p, sig] = t.split('.');
      assert.equal(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as any, format: 'jwk' }), Buffer.from(sig!, 'base64url')), true);
    }

    assert.equal(await openPortalSessions(who.id), 0);
    const left = await env.platform.sso.queries.sessionsOfAccount(who.id, new Date());
    assert.equal(left.length, 0, 'the single sign-on session is gone');
    await assert.rejects(oidc.refreshTokenGrant(payslip, first.tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');
    assert.equal((await codeFlow(payslip, a, who)).askedForPassword, true);
  });

  test('portal sign-out in one browser leaves the person’s other browser signed in to its services', async () => {
    const who = await addAccount(env.platform);
    const phone = agent(env.issuer);
    const laptop = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    const onPhone = await codeFlow(payslip, phone, who);
    const onLaptop = await codeFlow(payslip, laptop, who);

    const from = rp.logoutTokens.length;
    await phone.get('/account');
    assert.equal((await phone.post('/signout', {})).status, 303);
    const received = tokensSince(from);
    assert.deepEqual(received.map((p) => p.sid), [onPhone.tokens.claims()!.sid]);

    assert.equal(await openPortalSessions(who.id), 1, 'the laptop’s portal session goes on');
    assert.ok(await oidc.refreshTokenGrant(payslip, onLaptop.tokens.refresh_token!));
    assert.equal((await codeFlow(payslip, laptop, undefined)).askedForPassword, false);
  });

  test('a service whose back-channel endpoint fails does not stop the sign-out', async () => {
    // One endpoint refuses connections, one answers 500; the working one is still told.
    const refusing = `http://127.0.0.1:${await freePort()}/backchannel-logout`;
    const failing = createServer((_req, res) => res.writeHead(500).end('down'));
    failing.listen(0, '127.0.0.1');
    await once(failing, 'listening');
    try {
      const sso = env.platform.sso;
      for (const [clientId, uri] of [['broken-refusing', refusing], ['broken-500', `http://127.0.0.1:${(failing.address() as AddressInfo).port}/backchannel-logout`]] as const) {
        const r = await sso.clients.add({ clientId, redirectUris: [`${rp.origin}/cb`], secret: SECRET, firstParty: true, backchannelLogoutUri: uri });
        assert.ok(r.ok);
      }
      const who = await addAccount(env.platform);
      const a = agent(env.issuer);
      await codeFlow(await clientConfig('broken-refusing'), a, who);
      await codeFlow(await clientConfig('broken-500'), a, undefined);
      await codeFlow(await clientConfig('payslip'), a, undefined);

      const from = rp.logoutTokens.length;
      await a.get('/account');
      const out = await a.post('/signout', {});
      assert.equal(out.status, 303);
      assert.equal(out.location, '/signin?notice=signed_out');
      assert.deepEqual(tokensSince(from).map((p) => p.aud), ['payslip']);
      assert.equal(await openPortalSessions(who.id), 0);
      assert.equal((await env.platform.sso.queries.sessionsOfAccount(who.id, new Date())).length, 0);
      // The browser is signed out: the cookie is cleared and the account page sends it to sign in.
      const account = await a.get('/account');
      assert.equal(account.status, 303);
      assert.match(account.location!, /^\/signin/);
    } finally {
      await env.platform.sso.clients.remove('broken-refusing');
      await env.platform.sso.clients.remove('broken-500');
      await new Promise((r) => failing.close(r));
    }
  });

  test('ending all other sessions signs the other browsers out of their services, not this one', async () => {
    const who = await addAccount(env.platform);
    const here = agent(env.issuer);
    const there = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    const pension = await clientConfig('pension');
    const mine = await codeFlow(payslip, here, who);
    const theirs = await codeFlow(pension, there, who);

    const from = rp.logoutTokens.length;
    await here.get('/account/sessions');
    const done = await here.post('/account/sessions/end-others', {});
    assert.equal(done.status, 303);
    const received = tokensSince(from);
    assert.deepEqual(received.map((p) => [p.aud, p.sid]), [['pension', theirs.tokens.claims()!.sid]]);
    await assert.rejects(oidc.refreshTokenGrant(pension, theirs.tokens.refresh_token!));
    assert.ok(await oidc.refreshTokenGrant(payslip, mine.tokens.refresh_token!));
    assert.equal((await codeFlow(pension, here, undefined)).askedForPassword, false, 'this browser still opens services');
  });

  test('signing out of an API session leaves the browsers’ single sign-on alone', async () => {
    const who = await addAccount(env.platform);
    const browser = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    const opened = await codeFlow(payslip, browser, who);
    const signIn = await fetch(`${env.issuer}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: who.nationalCode, password: who.password }),
    });
    assert.equal(signIn.status, 200);
    const { sessionToken } = (await signIn.json()) as { sessionToken: string };
    const from = rp.logoutTokens.length;
    const out = await fetch(`${env.issuer}/api/v1/session`, { method: 'DELETE', headers: { authorization: `Bearer ${sessionToken}` } });
    assert.equal(out.status, 204);
    assert.equal(rp.logoutTokens.length, from, 'no service is told');
    assert.ok(await oidc.refreshTokenGrant(payslip, opened.tokens.refresh_token!));
  });

  test('a new password signs the person out of every service (after commit, by a job)', async () => {
    const who = await addAccount(env.platform);
    const browser = agent(env.issuer);
    const payslip = await clientConfig('payslip');
    const opened = await codeFlow(payslip, browser, who);
    const signIn = await fetch(`${env.issuer}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: who.nationalCode, password: who.password }),
    });
    const { sessionToken } = (await signIn.json()) as { sessionToken: string };
    const from = rp.logoutTokens.length;
    const changed = await fetch(`${env.issuer}/api/v1/session/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
      body: JSON.stringify({ currentPassword: who.password, newPassword: 'Kavir#Sahra2026', newPasswordConfirmation: 'Kavir#Sahra2026' }),
    });
    assert.equal(changed.status, 200, await changed.text());
    assert.equal(await env.platform.queue.runDue('sso-logout'), 1);
    const received = tokensSince(from);
    assert.deepEqual(received.map((p) => [p.aud, p.sub]), [['payslip', who.id]]);
    await assert.rejects(oidc.refreshTokenGrant(payslip, opened.tokens.refresh_token!));
  });
});
