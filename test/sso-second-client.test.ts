// The conformance expectations of test/sso-conformance.test.ts again, with libraries written
// independently of openid-client: @badgateway/oauth2-client (OAuth 2 client: discovery,
// code flow with PKCE, refresh, introspection, revocation, a choice of client
// authentication) as the service, and the ID token verified with get-jwks + fast-jwt
// (JWKS found through OpenID Connect discovery).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateCodeVerifier, OAuth2Client, OAuth2HttpError, type OAuth2Token } from '@badgateway/oauth2-client';
import { createVerifier, type DecodedJwt } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import { ACR } from '../src/sso/assurance.js';
import { addAccount, agent, createSsoTestEnv, relyingPartyServer, type SsoTestEnv, type TestAccount } from './sso.support.js';

const SECRET = 'second-client-secret-0123456789-abcdefghij';

let env: SsoTestEnv;
let rp: Awaited<ReturnType<typeof relyingPartyServer>>;
let person: TestAccount;
let redirectUri: string;

type Agent = ReturnType<typeof agent>;

const clientOf = (clientId: string, authenticationMethod: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic') =>
  new OAuth2Client({ server: env.issuer, clientId, clientSecret: SECRET, discoveryEndpoint: '/.well-known/openid-configuration', authenticationMethod });

/** Verifies an ID token's signature (JWKS from discovery), issuer, audience and lifetime; returns its claims. */
async function verifiedIdToken(token: OAuth2Token, clientId: string): Promise<Record<string, unknown>> {
  assert.ok(token.idToken, 'an ID token');
  const jwks = buildGetJwks({ providerDiscovery: true, issuersWhitelist: [env.issuer] });
  const verify = createVerifier({
    algorithms: ['RS256'],
    allowedIss: env.issuer,
    allowedAud: clientId,
    key: async (decoded: DecodedJwt) => jwks.getPublicKey({ kid: decoded.header.kid, alg: decoded.header.alg, domain: decoded.payload.iss }),
  });
  return (await verify(token.idToken)) as Record<string, unknown>;
}

const realTime = (offsetMs = 0) => env.clock.follow(offsetMs);
const asksForPassword = (body: string) => /name="password"/.test(body);
const formAction = (body: string) => new URL(/<form method="post" action="(\/interaction\/[^"]+)"/.exec(body)![1]!, env.issuer).href;

async function authorize(client: OAuth2Client, a: Agent, extraParams: Record<string, string> = {}) {
  const codeVerifier = await generateCodeVerifier();
  const state = `s-${Math.random().toString(36).slice(2)}`;
  const url = await client.authorizationCode.getAuthorizeUri({ redirectUri, state, codeVerifier, scope: ['openid', 'profile'], extraParams });
  const res = await a.follow(await a.get(url));
  return { res, codeVerifier, state };
}

async function exchange(client: OAuth2Client, left: URL | undefined, flow: { codeVerifier: string; state: string }) {
  assert.ok(left, 'expected the browser back at the service');
  return client.authorizationCode.getTokenFromCodeRedirect(left, { redirectUri, state: flow.state, codeVerifier: flow.codeVerifier });
}

async function signIn(a: Agent, page: { body: string }, who: TestAccount) {
  return a.follow(await a.post(formAction(page.body), { username: who.nationalCode, password: who.password }));
}

async function signedInBrowser(client: OAuth2Client, who: TestAccount) {
  const a = agent(env.issuer);
  const flow = await authorize(client, a);
  assert.ok(asksForPassword(flow.res.body));
  const back = await signIn(a, flow.res, who);
  return { a, token: await exchange(client, back.left, flow) };
}

before(async () => {
  env = await createSsoTestEnv();
  rp = await relyingPartyServer();
  redirectUri = `${rp.origin}/cb`;
  const sso = env.platform.sso;
  assert.ok((await sso.clients.add({ clientId: 'svc', redirectUris: [redirectUri], secret: SECRET, firstParty: true })).ok);
  assert.ok((await sso.clients.add({ clientId: 'svc-pairwise', redirectUris: [redirectUri], secret: SECRET, firstParty: true, subjectType: 'pairwise' })).ok);
  person = await addAccount(env.platform);
  realTime();
});

after(async () => {
  await rp?.close();
  await env?.close();
});

describe('a second, independent client library', () => {
  test('code flow with PKCE; the ID token verifies against the published keys and carries acr, amr and auth_time', async () => {
    const signedInAt = Date.now() - 300_000;
    env.clock.set(new Date(signedInAt));
    const client = clientOf('svc');
    const { token } = await signedInBrowser(client, person);
    const claims = await verifiedIdToken(token, 'svc');
    assert.equal(claims.sub, person.id);
    assert.equal(claims.auth_time, Math.floor(signedInAt / 1000));
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR.registries);
    realTime();
  });

  test('prompt=login and max_age ask for the password although the portal session is alive', async () => {
    realTime(-600_000);
    const client = clientOf('svc');
    const { a } = await signedInBrowser(client, person);
    realTime();
    const fresh = await authorize(client, a, { prompt: 'login' });
    assert.equal(fresh.res.left, undefined);
    assert.ok(asksForPassword(fresh.res.body));
    const old = await authorize(client, a, { max_age: '60' });
    assert.equal(old.res.left, undefined);
    const back = await signIn(a, old.res, person);
    const claims = await verifiedIdToken(await exchange(client, back.left, old), 'svc');
    assert.ok(Date.now() / 1000 - (claims.auth_time as number) < 60);
    const recent = await authorize(client, a, { max_age: '3600' });
    assert.ok(recent.res.left, 'a recent sign-in is enough');
  });

  test('prompt=none: login_required without a portal session; acr_values for the branch level: unmet_authentication_requirements', async () => {
    realTime();
    const client = clientOf('svc');
    const none = await authorize(client, agent(env.issuer), { prompt: 'none' });
    assert.equal(none.res.left?.searchParams.get('error'), 'login_required');
    const { a } = await signedInBrowser(client, person);
    const quiet = await authorize(client, a, { prompt: 'none' });
    assert.ok(quiet.res.left?.searchParams.get('code'));
    const branch = await authorize(client, a, { prompt: 'none', acr_values: ACR.branch });
    assert.equal(branch.res.left?.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('login_hint and ui_locales', async () => {
    const client = clientOf('svc');
    const { res } = await authorize(client, agent(env.issuer), { login_hint: person.nationalCode, ui_locales: 'en' });
    assert.match(res.body, /<html lang="en"/);
    assert.match(res.body, new RegExp(`value="${person.nationalCode}"`));
  });

  test('discovery endpoints are served (the library discovers and uses token, introspection and revocation)', async () => {
    realTime();
    const client = clientOf('svc');
    const meta = (await (await fetch(`${env.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(meta.pushed_authorization_request_endpoint, `${env.issuer}/oidc/request`);
    // A pushed authorization request by hand (the library has no PAR): answered by the provider.
    const par = await fetch(meta.pushed_authorization_request_endpoint!, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`svc:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ response_type: 'code', client_id: 'svc', redirect_uri: redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }),
    });
    assert.equal(par.status, 201);
    assert.match(((await par.json()) as { request_uri: string }).request_uri, /^urn:ietf:params:oauth:request_uri:/);
    const { token } = await signedInBrowser(client, person);
    const active = await client.introspect(token);
    assert.equal(active.active, true);
    await client.revoke(token, 'access_token');
    assert.equal((await client.introspect(token)).active, false);
  });

  test('pairwise sub differs from the account id and stays the same for the service', async () => {
    realTime();
    const client = clientOf('svc-pairwise');
    const { a, token } = await signedInBrowser(client, person);
    const sub = (await verifiedIdToken(token, 'svc-pairwise')).sub;
    assert.notEqual(sub, person.id);
    const again = await authorize(client, a);
    assert.equal((await verifiedIdToken(await exchange(client, again.res.left, again), 'svc-pairwise')).sub, sub);
  });

  test('refresh-token reuse revokes the grant; the first-party service still never shows consent', async () => {
    realTime();
    const client = clientOf('svc');
    const { a, token } = await signedInBrowser(client, person);
    await client.refreshToken(token);
    await assert.rejects(client.refreshToken(token), (e: unknown) => e instanceof OAuth2HttpError && e.oauth2Code === 'invalid_grant');
    const next = await authorize(client, a);
    assert.ok(next.res.left, `expected the service again, got ${next.res.status}`);
    assert.doesNotMatch(next.res.body, /name="decision"/);
  });

  test('client_secret_post is refused for a service registered for client_secret_basic', async () => {
    realTime();
    const { token } = await signedInBrowser(clientOf('svc'), person);
    const post = clientOf('svc', 'client_secret_post');
    await assert.rejects(post.refreshToken(token), (e: unknown) => e instanceof OAuth2HttpError && e.oauth2Code === 'invalid_client');
    await assert.rejects(post.introspect(token), (e: unknown) => e instanceof OAuth2HttpError && e.oauth2Code === 'invalid_client');
    const renewed = await clientOf('svc').refreshToken(token);
    assert.ok(renewed.accessToken);
  });
});
