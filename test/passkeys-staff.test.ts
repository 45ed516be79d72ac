// Staff passkeys: registered after a TOTP sign-in, then accepted in place of the TOTP code
// (never in place of the password); another member's passkey, a person's passkey, a
// replayed challenge or a wrong password are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { browser, createTestEnv, type TestEnv } from './support.js';
import { softAuthenticator } from './passkeys.support.js';
import { insertAccount } from './signin.support.js';

const STAFF_PASSWORD = 'Branch!Desk2026xq';
let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

type Agent = ReturnType<typeof browser>;
const cookieOf = (b: Agent) => [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const postJson = (b: Agent, url: string, csrf: string) =>
  env.app.inject({ method: 'POST', url, payload: { _csrf: csrf }, headers: { cookie: cookieOf(b), 'content-type': 'application/json' } });

async function staffMember(username: string) {
  const created = await env.platform.staff.create({ username, role: 'admin' });
  assert.ok(created.ok);
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const code = await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  assert.equal((await agent.post('/backoffice/signin', { username, password: created.value.oneTimePassword, code })).statusCode, 303);
  await agent.get('/backoffice/password');
  assert.equal((await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD })).statusCode, 303);
  env.clock.advance(30_000);
  return { username, id: created.value.id, agent };
}

const authenticator = () => softAuthenticator({ rpId: env.platform.passkeys.rpID, origin: env.platform.passkeys.origin });

/** Registers a passkey on the member's own page, as their browser would. */
async function addStaffPasskey(agent: Agent, auth = authenticator()) {
  const page = await agent.get('/backoffice/passkeys');
  assert.equal(page.statusCode, 200);
  const opts = await postJson(agent, '/backoffice/passkeys/options', csrfOf(page.body));
  assert.equal(opts.statusCode, 200, opts.body);
  const { flowId, options } = opts.json();
  const res = await agent.post('/backoffice/passkeys', { flowId, credential: JSON.stringify(auth.register(options)), name: 'کلید میز' });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/backoffice/passkeys?done=added');
  return auth;
}

/** A staff sign-in with password + passkey answer (no code). */
async function passkeySignIn(username: string, password: string, answer: (challenge: string) => unknown, reuse?: { flowId: string; challenge: string }) {
  const b = browser(env.app);
  const page = await b.get('/backoffice/signin');
  assert.match(page.body, /data-passkey-button/);
  let flowId = reuse?.flowId;
  let challenge = reuse?.challenge;
  if (!flowId) {
    const opts = await postJson(b, '/backoffice/signin/passkey-options', csrfOf(page.body));
    assert.equal(opts.statusCode, 200, opts.body);
    flowId = opts.json().flowId;
    challenge = opts.json().options.challenge;
    assert.deepEqual(opts.json().options.allowCredentials ?? [], [], 'the options name nobody');
  }
  const res = await b.post('/backoffice/signin', { username, password, flowId: flowId!, credential: JSON.stringify(answer(challenge!)) });
  return { res, flowId: flowId!, challenge: challenge! };
}

test('a staff passkey, registered after a TOTP sign-in, stands in for the code', async () => {
  const s = await staffMember('desk.passkey');
  const auth = await addStaffPasskey(s.agent);
  const list = await s.agent.get('/backoffice/passkeys');
  assert.match(list.body, /کلید میز/);
  const { res } = await passkeySignIn(s.username, STAFF_PASSWORD, (c) => auth.authenticate(c));
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/backoffice/search');
  const signedIn = await env.platform.db.selectFrom('audit_events').select('data').where('actor_id', '=', s.id).where('event', '=', 'backoffice.signed_in').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal((signedIn.data as { factor: string }).factor, 'passkey');
  const added = await env.platform.db.selectFrom('audit_events').select('event').where('actor_id', '=', s.id).where('event', '=', 'backoffice.passkey_added').execute();
  assert.equal(added.length, 1);
});

test('the passkey never replaces the password; a wrong one is refused like a wrong code', async () => {
  const s = await staffMember('desk.wrongpw');
  const auth = await addStaffPasskey(s.agent);
  const { res } = await passkeySignIn(s.username, 'Not!The-Password-1', (c) => auth.authenticate(c));
  assert.equal(res.statusCode, 401);
  assert.match(res.body, /id="error-summary"/);
});

test('another member’s passkey, a person’s passkey, a replayed challenge: refused', async () => {
  const s1 = await staffMember('desk.one');
  const s2 = await staffMember('desk.two');
  const auth2 = await addStaffPasskey(s2.agent);
  // s1 with s2's passkey.
  assert.equal((await passkeySignIn(s1.username, STAFF_PASSWORD, (c) => auth2.authenticate(c))).res.statusCode, 401);

  // A person's passkey (people's table) is not a staff passkey.
  const auth1 = await addStaffPasskey(s1.agent);
  const person = await insertAccount(env.platform);
  const personAuth = authenticator();
  const me = { accountId: person.id, signedInAt: env.clock.now() };
  const meta = { ip: '10.4.0.1', lang: 'fa' as const, userAgent: null };
  const o = await env.platform.passkeys.registrationOptions(me, meta);
  assert.ok(o.ok);
  assert.ok((await env.platform.passkeys.register(me, { flowId: o.value.flowId, credential: personAuth.register(o.value.options) }, meta)).ok);
  assert.equal((await passkeySignIn(s1.username, STAFF_PASSWORD, (c) => personAuth.authenticate(c))).res.statusCode, 401);

  // A used challenge cannot be used again.
  const ok = await passkeySignIn(s1.username, STAFF_PASSWORD, (c) => auth1.authenticate(c));
  assert.equal(ok.res.statusCode, 303);
  const replay = await passkeySignIn(s1.username, STAFF_PASSWORD, (c) => auth1.authenticate(c), { flowId: ok.flowId, challenge: ok.challenge });
  assert.equal(replay.res.statusCode, 401);
});

test('neither code nor passkey: the code is asked for; removing the passkey ends its use', async () => {
  const s = await staffMember('desk.remove');
  const auth = await addStaffPasskey(s.agent);
  const b = browser(env.app);
  await b.get('/backoffice/signin');
  const none = await b.post('/backoffice/signin', { username: s.username, password: STAFF_PASSWORD });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /id="code-error"/);

  const [pk] = await env.platform.passkeys.staff.list(s.id);
  await s.agent.get('/backoffice/passkeys');
  const removed = await s.agent.post(`/backoffice/passkeys/${pk!.id}/remove`, {});
  assert.equal(removed.headers.location, '/backoffice/passkeys?done=removed');
  assert.equal((await passkeySignIn(s.username, STAFF_PASSWORD, (c) => auth.authenticate(c))).res.statusCode, 401);
});
