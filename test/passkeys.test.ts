// Passkeys through HTTP (app.inject) with a software authenticator: registration and
// sign-in option generation, verification failures (unknown credential, wrong origin,
// replayed and expired challenges), every account state at sign-in, the person's page
// (list, rename, remove; recent sign-in; SMS and audit), and what removes passkeys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';
import { insertAccount, type TestAccount } from './signin.support.js';
import { softAuthenticator } from './passkeys.support.js';

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

async function postJson(b: Agent, url: string, csrf: string) {
  return env.app.inject({ method: 'POST', url, payload: { _csrf: csrf }, headers: { cookie: cookieOf(b), 'content-type': 'application/json' } });
}

function authenticator(over: { synced?: boolean; userVerified?: boolean } = {}) {
  return softAuthenticator({ rpId: env.platform.passkeys.rpID, origin: env.platform.passkeys.origin, ...over });
}

async function signedIn(a: TestAccount) {
  const b = browser(env.app);
  await b.get('/signin');
  const res = await b.post('/signin', { username: a.nationalCode, password: a.password });
  assert.equal(res.statusCode, 303);
  return b;
}

/** Adds a passkey through the page as a browser would; returns the authenticator. */
async function addPasskey(b: Agent, auth = authenticator(), name = '') {
  const page = await b.get('/account/passkeys');
  assert.equal(page.statusCode, 200);
  const opts = await postJson(b, '/account/passkeys/options', csrfOf(page.body));
  assert.equal(opts.statusCode, 200, opts.body);
  const { flowId, options } = opts.json();
  const res = await b.post('/account/passkeys', { flowId, credential: JSON.stringify(auth.register(options)), name });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/account/passkeys?notice=added');
  return auth;
}

async function signinOptions(b: Agent) {
  const page = await b.get('/signin/passkey');
  const res = await postJson(b, '/signin/passkey/options', csrfOf(page.body));
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { flowId: string; options: { challenge: string; rpId: string; userVerification: string; allowCredentials?: unknown[] } };
}

const auditEvents = async (accountId: string) =>
  (await env.platform.db.selectFrom('audit_events').select(['event', 'data']).where('account_id', '=', accountId).orderBy('id').execute()).map((r) => r.event);

describe('registration', () => {
  test('options ask for a discoverable credential with user verification and no attestation, for this portal', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    assert.match(page.body, /data-action="add-passkey"/);
    const res = await postJson(b, '/account/passkeys/options', csrfOf(page.body));
    assert.equal(res.statusCode, 200);
    const { options, flowId } = res.json();
    assert.match(flowId, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.attestation, 'none');
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    assert.equal(options.authenticatorSelection.userVerification, 'required');
    assert.equal(options.user.name, a.nationalCode);
    assert.notEqual(options.user.id, a.id, 'the user handle is not the account id');
    const stored = await env.platform.db.selectFrom('passkey_challenges').selectAll().where('id', '=', flowId).executeTakeFirstOrThrow();
    assert.equal(stored.challenge, options.challenge);
    assert.equal(stored.account_id, a.id);
  });

  test('adding a passkey: stored, listed with Jalali dates in Persian digits, SMS and audit event', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await addPasskey(b, authenticator({ synced: true }), 'گوشی من');
    const rows = await env.platform.db.selectFrom('passkeys').selectAll().where('account_id', '=', a.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.name, 'گوشی من');
    assert.equal(rows[0]!.device_type, 'multiDevice');
    assert.equal(rows[0]!.backed_up, true);
    assert.deepEqual(rows[0]!.transports, ['internal']);
    const page = await b.get('/account/passkeys?notice=added');
    assert.match(page.body, /گوشی من/);
    assert.match(page.body, /۱۴۰۵/, 'Jalali year in Persian digits');
    assert.match(page.body, /هنوز استفاده نشده/);
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /کلید عبور/);
    assert.ok((await auditEvents(a.id)).includes('passkeys.added'));
  });

  test('a wrong origin (a phishing page) is refused and nothing is stored', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    const { flowId, options } = (await postJson(b, '/account/passkeys/options', csrfOf(page.body))).json();
    const credential = authenticator().register(options, { origin: 'https://dargah.example.com' });
    const res = await b.post('/account/passkeys', { flowId, credential: JSON.stringify(credential) });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /کلید عبور تأیید نشد/);
    assert.equal((await env.platform.passkeys.list(a.id)).length, 0);
  });

  test('a replayed registration challenge is refused', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    const { flowId, options } = (await postJson(b, '/account/passkeys/options', csrfOf(page.body))).json();
    const auth = authenticator();
    const first = await b.post('/account/passkeys', { flowId, credential: JSON.stringify(auth.register(options)) });
    assert.equal(first.statusCode, 303);
    const again = await b.post('/account/passkeys', { flowId, credential: JSON.stringify(auth.register(options)) });
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /پیش‌تر به کار رفته/);
    assert.equal((await env.platform.passkeys.list(a.id)).length, 1);
  });

  test('another account cannot use my registration challenge', async () => {
    const a = await insertAccount(env.platform);
    const other = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    const { flowId, options } = (await postJson(b, '/account/passkeys/options', csrfOf(page.body))).json();
    const b2 = await signedIn(other);
    await b2.get('/account/passkeys');
    const res = await b2.post('/account/passkeys', { flowId, credential: JSON.stringify(authenticator().register(options)) });
    assert.equal(res.statusCode, 404);
    assert.equal((await env.platform.passkeys.list(other.id)).length, 0);
  });

  test('an authenticator without user verification is refused', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    const { flowId, options } = (await postJson(b, '/account/passkeys/options', csrfOf(page.body))).json();
    const res = await b.post('/account/passkeys', { flowId, credential: JSON.stringify(authenticator({ userVerified: false }).register(options)) });
    assert.equal(res.statusCode, 400);
    assert.equal((await env.platform.passkeys.list(a.id)).length, 0);
  });

  test('adding needs a recent sign-in: otherwise options and form send the person to sign in again', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const page = await b.get('/account/passkeys');
    env.clock.advance((env.platform.passkeys.recentSigninMinutes + 1) * 60_000);
    await b.get('/account'); // keeps the session alive (idle timeout)
    const res = await postJson(b, '/account/passkeys/options', csrfOf(page.body));
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().redirect, '/signin?reauth=1&next=%2Faccount%2Fpasskeys');
    assert.match(res.json().error.message, /دوباره وارد شوید/);
    await b.get('/account/passkeys');
    const post = await b.post('/account/passkeys', { name: '' });
    assert.equal(post.statusCode, 303);
    assert.equal(post.headers.location, '/signin?reauth=1&next=%2Faccount%2Fpasskeys');
    const again = await b.get(post.headers.location as string);
    assert.equal(again.statusCode, 200, 'the sign-in form is shown to a signed-in person asked to sign in again');
    const signin = await b.post('/signin', { username: a.nationalCode, password: a.password, next: '/account/passkeys' });
    assert.equal(signin.headers.location, '/account/passkeys');
    await addPasskey(b);
  });

  test('without JavaScript the add button says a passkey needs JavaScript', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await b.get('/account/passkeys');
    const res = await b.post('/account/passkeys', { name: 'x' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /جاوااسکریپت/);
  });

  test('options without a session ask for sign-in', async () => {
    const b = browser(env.app);
    const page = await b.get('/signin');
    const res = await postJson(b, '/account/passkeys/options', csrfOf(page.body));
    assert.equal(res.statusCode, 401);
    assert.match(res.json().redirect, /^\/signin/);
  });
});

describe('sign-in', () => {
  test('options: user verification required, no credential list (discoverable), challenge stored', async () => {
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    assert.equal(options.rpId, 'localhost');
    assert.equal(options.userVerification, 'required');
    assert.ok(!options.allowCredentials || options.allowCredentials.length === 0);
    const stored = await env.platform.db.selectFrom('passkey_challenges').selectAll().where('id', '=', flowId).executeTakeFirstOrThrow();
    assert.equal(stored.purpose, 'authentication');
    assert.equal(stored.account_id, null);
  });

  test('a passkey signs in without a password: a portal session with method passkey; last use recorded', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a), authenticator({ synced: false }));
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    const res = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)), next: '/account/sessions' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/account/sessions');
    const page = await b.get('/account');
    assert.equal(page.statusCode, 200);
    const session = await env.platform.db.selectFrom('sessions').select(['auth_method']).where('account_id', '=', a.id).orderBy('created_at', 'desc').orderBy('id').execute();
    assert.ok(session.some((s) => s.auth_method === 'passkey'));
    const [pk] = await env.platform.passkeys.list(a.id);
    assert.ok(pk!.lastUsedAt);
  });

  test('amr: a device-bound passkey is hwk, a synced one swk', async () => {
    for (const [synced, amr] of [[false, 'hwk'], [true, 'swk']] as const) {
      const a = await insertAccount(env.platform);
      const auth = await addPasskey(await signedIn(a), authenticator({ synced }));
      const { flowId, options } = await signinOptions(browser(env.app));
      const r = await env.platform.passkeys.authenticate({ flowId, credential: auth.authenticate(options.challenge) }, { ip: '10.1.0.1', lang: 'fa', userAgent: null, kind: 'web' });
      assert.ok(r.ok);
      assert.equal(r.value.amr, amr);
    }
  });

  test('an unknown credential fails cleanly with a clear message', async () => {
    const auth = authenticator();
    auth.register({ challenge: 'x', user: { id: 'someone-else' } });
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    const res = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)) });
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /در درگاه شناخته نیست/);
    assert.match(res.body, /href="\/signin\/code"/, 'offers the other methods');
    assert.equal(b.jar.get('dargah_session'), undefined);
  });

  test('a wrong origin is refused', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    const res = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge, undefined, { origin: 'https://evil.example' })) });
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /کلید عبور تأیید نشد/);
  });

  test('a replayed challenge is refused, even with a fresh signature', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    const first = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)) });
    assert.equal(first.statusCode, 303);
    const b2 = browser(env.app);
    await b2.get('/signin/passkey');
    const replay = await b2.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)) });
    assert.equal(replay.statusCode, 404);
    assert.match(replay.body, /پیش‌تر به کار رفته/);
  });

  test('an expired challenge is refused', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    env.clock.advance(6 * 60_000);
    const res = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)) });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /مهلت این درخواست کلید عبور گذشته است/);
    assert.equal(await env.platform.passkeys.purgeExpiredChallenges() >= 1, true);
  });

  test('a signature for another challenge is refused', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    const b = browser(env.app);
    const one = await signinOptions(b);
    const two = await signinOptions(b);
    const res = await b.post('/signin/passkey', { flowId: one.flowId, credential: JSON.stringify(auth.authenticate(two.options.challenge)) });
    assert.equal(res.statusCode, 401);
  });

  test('a signature counter that goes back (a cloned key) is refused', async () => {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    const b = browser(env.app);
    let o = await signinOptions(b);
    assert.equal((await b.post('/signin/passkey', { flowId: o.flowId, credential: JSON.stringify(auth.authenticate(o.options.challenge, undefined, { counter: 5 })) })).statusCode, 303);
    const c = browser(env.app);
    o = await signinOptions(c);
    const res = await c.post('/signin/passkey', { flowId: o.flowId, credential: JSON.stringify(auth.authenticate(o.options.challenge, undefined, { counter: 3 })) });
    assert.equal(res.statusCode, 401);
  });

  test('garbage instead of a credential is a clear 400, never a 500', async () => {
    const b = browser(env.app);
    for (const credential of ['{', '[]', '{"id":"x"}', JSON.stringify({ id: 'A'.repeat(20), rawId: 'A'.repeat(20), type: 'public-key', response: {} })]) {
      const { flowId } = await signinOptions(b);
      const res = await b.post('/signin/passkey', { flowId, credential });
      assert.ok(res.statusCode === 400 || res.statusCode === 401, `${credential}: ${res.statusCode}`);
    }
    const res = await b.post('/signin/passkey', { flowId: 'nope', credential: '{}' });
    assert.equal(res.statusCode, 404);
  });

  test('without JavaScript the passkey method says it needs JavaScript and offers the other methods', async () => {
    const b = browser(env.app);
    const signin = await b.get('/signin');
    assert.match(signin.body, /data-method="passkey"/);
    assert.match(signin.body, /autocomplete="username webauthn"/);
    const page = await b.get('/signin/passkey?next=%2Faccount%2Fsessions');
    assert.match(page.body, /data-passkey-needs-js/);
    assert.match(page.body, /جاوااسکریپت/);
    assert.match(page.body, /href="\/signin\/code\?next=%2Faccount%2Fsessions"/);
    const post = await b.post('/signin/passkey', {});
    assert.equal(post.statusCode, 400);
    assert.match(post.body, /جاوااسکریپت/);
  });
});

describe('account states at passkey sign-in (service)', () => {
  const meta = { ip: '10.2.0.1', lang: 'fa' as const, userAgent: null, kind: 'web' as const };
  async function withPasskey(state: Parameters<typeof insertAccount>[1] = {}) {
    const a = await insertAccount(env.platform);
    const auth = await addPasskey(await signedIn(a));
    await env.platform.db
      .updateTable('accounts')
      .set({
        status: state.status ?? 'active',
        must_change_password: state.mustChangePassword ?? false,
        disabled_at: state.disabled ? env.clock.now() : null,
      })
      .where('id', '=', a.id)
      .execute();
    return { a, auth };
  }
  async function attempt(auth: ReturnType<typeof authenticator>) {
    const { flowId, options } = await signinOptions(browser(env.app));
    return env.platform.passkeys.authenticate({ flowId, credential: auth.authenticate(options.challenge) }, meta);
  }

  test('active: signed in, nothing required', async () => {
    const { auth, a } = await withPasskey();
    const r = await attempt(auth);
    assert.ok(r.ok);
    assert.equal(r.value.accountId, a.id);
    assert.deepEqual(r.value.requiredActions, []);
  });

  test('pending verification: refused with its own message', async () => {
    const { auth } = await withPasskey({ status: 'pending_verification' });
    const r = await attempt(auth);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'signin.account_pending_verification');
  });

  test('awaiting a branch visit: refused with its own message', async () => {
    const { auth } = await withPasskey({ status: 'awaiting_branch_visit' });
    const r = await attempt(auth);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'signin.account_awaiting_branch_visit');
  });

  test('disabled: refused', async () => {
    const { auth } = await withPasskey({ disabled: true });
    const r = await attempt(auth);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'signin.account_disabled');
  });

  test('locked after wrong passwords: refused until the lock ends', async () => {
    const { auth, a } = await withPasskey();
    await env.platform.db.updateTable('accounts').set({ locked_until: new Date(env.clock.now().getTime() + 15 * 60_000) }).where('id', '=', a.id).execute();
    const r = await attempt(auth);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'signin.locked');
    assert.equal(r.error.kind, 'locked');
    env.clock.advance(16 * 60_000);
    assert.ok((await attempt(auth)).ok);
  });

  test('must change password: signed in, and the forced change comes first', async () => {
    const { auth, a } = await withPasskey({ mustChangePassword: true });
    const r = await attempt(auth);
    assert.ok(r.ok);
    assert.deepEqual(r.value.requiredActions, ['change_password']);
    // Through the browser: the redirect goes to the password change, and nothing else opens.
    const b = browser(env.app);
    const { flowId, options } = await signinOptions(b);
    const res = await b.post('/signin/passkey', { flowId, credential: JSON.stringify(auth.authenticate(options.challenge)), next: '/account/sessions' });
    assert.equal(res.headers.location, '/account/password?next=%2Faccount%2Fsessions');
    const gate = await b.get('/account');
    assert.equal(gate.statusCode, 303);
    assert.match(String(gate.headers.location), /^\/account\/password/);
    void a;
  });
});

describe('the passkey page', () => {
  test('rename (bad name beside its field), remove (SMS and audit), someone else cannot touch mine', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await addPasskey(b);
    const [pk] = await env.platform.passkeys.list(a.id);
    assert.equal(pk!.name, 'کلید عبور ۱', 'default name in the person’s language and digits');
    await b.get('/account/passkeys');
    const bad = await b.post(`/account/passkeys/${pk!.id}/rename`, { name: 'x'.repeat(61) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, new RegExp(`id="name-${pk!.id}-error"`));
    const empty = await b.post(`/account/passkeys/${pk!.id}/rename`, { name: '   ' });
    assert.equal(empty.statusCode, 400);
    const good = await b.post(`/account/passkeys/${pk!.id}/rename`, { name: 'لپ‌تاپ کار' });
    assert.equal(good.headers.location, '/account/passkeys?notice=renamed');
    assert.equal((await env.platform.passkeys.list(a.id))[0]!.name, 'لپ‌تاپ کار');

    const other = await insertAccount(env.platform);
    const ob = await signedIn(other);
    await ob.get('/account/passkeys');
    assert.equal((await ob.post(`/account/passkeys/${pk!.id}/remove`, {})).statusCode, 404);
    assert.equal((await ob.post(`/account/passkeys/${pk!.id}/rename`, { name: 'mine now' })).statusCode, 404);

    await b.get('/account/passkeys');
    const removed = await b.post(`/account/passkeys/${pk!.id}/remove`, {});
    assert.equal(removed.headers.location, '/account/passkeys?notice=removed');
    assert.equal((await env.platform.passkeys.list(a.id)).length, 0);
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /حذف شد/);
    const events = await auditEvents(a.id);
    for (const e of ['passkeys.added', 'passkeys.renamed', 'passkeys.removed']) assert.ok(events.includes(e), e);
    const gone = await b.post(`/account/passkeys/${pk!.id}/remove`, {});
    assert.equal(gone.statusCode, 404);
  });

  test('the account page links to passkeys; English page shows Latin digits', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    const account = await b.get('/account');
    assert.ok(account.body.includes('href="/account/passkeys"'));
    await addPasskey(b);
    const en = await b.get('/account/passkeys', { cookie: `${cookieOf(b)}; lang=en` });
    assert.match(en.body, /Azar \d+, 1405/, 'Jalali date in Latin digits');
  });
});

describe('what removes passkeys', () => {
  test('a password change or staff password reset keeps them; removeAllOf removes them with one audit event', async () => {
    const a = await insertAccount(env.platform);
    const b = await signedIn(a);
    await addPasskey(b);
    await addPasskey(b);
    await b.get('/account/password');
    const changed = await b.post('/account/password', { currentPassword: a.password, newPassword: 'Kouh#Damavand57', newPasswordConfirmation: 'Kouh#Damavand57' });
    assert.equal(changed.statusCode, 303);
    assert.equal((await env.platform.passkeys.list(a.id)).length, 2);
    const removed = await env.platform.db.transaction().execute((trx) => env.platform.passkeys.removeAllOf(trx, a.id, { type: 'system', reason: 'account disabled' }));
    assert.equal(removed, 2);
    assert.equal((await env.platform.passkeys.list(a.id)).length, 0);
    const events = await auditEvents(a.id);
    assert.equal(events.filter((e) => e === 'passkeys.removed_all').length, 1);
    assert.equal(await env.platform.db.transaction().execute((trx) => env.platform.passkeys.removeAllOf(trx, a.id, { type: 'system' })), 0);
  });

  test('removeAllOf rolls back with the caller’s transaction', async () => {
    const a = await insertAccount(env.platform);
    await addPasskey(await signedIn(a));
    await assert.rejects(
      env.platform.db.transaction().execute(async (trx) => {
        await env.platform.passkeys.removeAllOf(trx, a.id, { type: 'system' });
        throw new Error('the transition failed');
      }),
    );
    assert.equal((await env.platform.passkeys.list(a.id)).length, 1);
  });
});

describe('the browser library', () => {
  test('served from this origin (CSP allows only our scripts); nothing else of the package is', async () => {
    const lib = await env.app.inject({ method: 'GET', url: '/static/webauthn/index.umd.min.js' });
    assert.equal(lib.statusCode, 200);
    assert.match(String(lib.headers['content-type']), /javascript/);
    assert.match(lib.body, /SimpleWebAuthnBrowser/);
    const other = await env.app.inject({ method: 'GET', url: '/static/webauthn/index.es5.umd.min.js' });
    assert.equal(other.statusCode, 404);
    const page = await env.app.inject({ method: 'GET', url: '/signin/passkey' });
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(page.body, /<script src="\/static\/webauthn\/index.umd.min.js" defer><\/script>/);
  });
});
