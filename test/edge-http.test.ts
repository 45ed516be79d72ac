// The edge, issue 11: redirect targets, hostile bytes, personal answers not cached,
// __Host- cookies on https, Permissions-Policy, /metrics behind a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, createTestEnv, type TestEnv } from './support.js';
import { apiSignIn, bearer, insertAccount, PASSWORD } from './signin.support.js';
import { signedInPerson, signedInStaff } from './edge.support.js';

describe('the edge over http', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  test('every route schema of the app compiles (they compile on first use or just after the process listens)', async () => {
    const failures = await env.app.warmSchemas();
    assert.deepEqual(failures.map((f) => `${f.route}: ${String(f.error)}`), []);
  });

  test('GET //evil.example/?lang=en and /\\evil.example/?lang=en stay on this site', async () => {
    for (const url of ['//evil.example/?lang=en', '/\\evil.example/?lang=en', '/%5Cevil.example/?lang=en', '/%2F%2Fevil.example/?lang=en']) {
      const res = await env.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
      const location = String(res.headers.location ?? '');
      if (res.statusCode === 303) {
        assert.match(location, /^\/(?![/\\])/, `${url} -> ${location}`);
        assert.ok(!location.includes('\\'), `${url} -> ${location}`);
        assert.equal(new URL(location, 'http://localhost:3000').host, 'localhost:3000', `${url} -> ${location}`);
      }
    }
    const ok = await env.app.inject({ method: 'GET', url: '/signin?lang=en&next=%2Faccount' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/signin?next=%2Faccount');
  });

  test('a non-ASCII next while signed in is a local, encoded redirect, not a 500', async () => {
    const { agent } = await signedInPerson(env);
    const res = await agent.get(`/signin?next=${encodeURIComponent('/account?q=سلام')}`);
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/account?q=%D8%B3%D9%84%D8%A7%D9%85');
    const raw = await agent.get(`/signin?next=${encodeURIComponent('/حساب')}`);
    assert.equal(raw.statusCode, 303);
    assert.equal(raw.headers.location, '/%D8%AD%D8%B3%D8%A7%D8%A8');
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
      const r = await agent.get(`/signin?next=${encodeURIComponent(bad)}`);
      assert.equal(r.headers.location, '/account', bad);
    }
    // A control character in the query is refused outright.
    assert.equal((await agent.get(`/signin?next=${encodeURIComponent('/\t/evil.example')}`)).statusCode, 400);
  });

  test('NUL in a branch search (API and page) answers 400, not 500', async () => {
    const api = await env.app.inject({ method: 'GET', url: '/api/v1/branches?q=%00' });
    assert.equal(api.statusCode, 400, api.body);
    assert.equal(JSON.parse(api.body).error.code, 'request.bad_characters');
    const agent = browser(env.app);
    await agent.get('/insured/register');
    const page = await agent.post('/insured/register', { acceptTerms: 'yes', intent: 'search_branch', branchQuery: 'تهران\u0000' });
    assert.equal(page.statusCode, 400, page.body.slice(0, 300));
    assert.match(page.body, /نویسه‌های غیرمجاز/);
    // Ordinary Persian text still searches.
    const fine = await env.app.inject({ method: 'GET', url: `/api/v1/branches?q=${encodeURIComponent('تهران')}` });
    assert.equal(fine.statusCode, 200);
  });

  test('NUL in a staff username and in a back-office reason answers 400, not 500', async () => {
    const agent = browser(env.app);
    await agent.get('/backoffice/signin');
    const signin = await agent.post('/backoffice/signin', { username: 'admin\u0000', password: 'x', code: '123456' });
    assert.equal(signin.statusCode, 400, signin.body.slice(0, 200));
    const admin = await signedInStaff(env, 'edge.admin', 'admin');
    const a = await insertAccount(env.platform, { status: 'awaiting_branch_visit' });
    await admin.get(`/backoffice/people/${a.id}`);
    const res = await admin.post(`/backoffice/people/${a.id}/reject`, { reason: 'مدارک\u0000' });
    assert.equal(res.statusCode, 400, res.body.slice(0, 200));
    // A route parameter that is not an id: 4xx too.
    const odd = await admin.get('/backoffice/people/%00');
    assert.ok(odd.statusCode >= 400 && odd.statusCode < 500, String(odd.statusCode));
    const odd2 = await admin.get('/backoffice/people/not-a-uuid');
    assert.ok(odd2.statusCode < 500, String(odd2.statusCode));
    // Line breaks in a reason are ordinary text.
    await admin.get(`/backoffice/people/${a.id}`);
    const multi = await admin.post(`/backoffice/people/${a.id}/reject`, { reason: 'مدارک\r\nنمی‌خواند' });
    assert.equal(multi.statusCode, 303, multi.body.slice(0, 300));
  });

  test('JSON with control characters, lone surrogates or overlong values answers 400', async () => {
    for (const username of ['0012345678\u0000', '\ud800', 'x'.repeat(20_000)]) {
      const res = await apiSignIn(env.app, username, 'x');
      assert.equal(res.statusCode, 400, `${JSON.stringify(username.slice(0, 12))}: ${res.body}`);
    }
  });

  test('personal answers carry Cache-Control: no-store; every answer carries the Permissions-Policy', async () => {
    const a = await insertAccount(env.platform);
    const session = JSON.parse((await apiSignIn(env.app, a.nationalCode, PASSWORD)).body) as { sessionToken: string };
    const me = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.sessionToken) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.headers['cache-control'], 'no-store');
    const signIn = await apiSignIn(env.app, a.nationalCode, PASSWORD);
    assert.equal(signIn.headers['cache-control'], 'no-store');
    for (const url of ['/', '/api/v1/me', '/healthz', '/static/app.css']) {
      const res = await env.app.inject({ method: 'GET', url });
      const pp = String(res.headers['permissions-policy']);
      assert.match(pp, /camera=\(\)/, url);
      for (const f of ['microphone=()', 'geolocation=()', 'payment=()', 'usb=()', 'publickey-credentials-get=(self)', 'publickey-credentials-create=(self)']) {
        assert.ok(pp.includes(f), `${url}: ${f}`);
      }
    }
  });

  test('on http the cookie names are unchanged', async () => {
    const { agent } = await signedInPerson(env);
    assert.ok(agent.jar.has('dargah_session'));
    assert.ok(agent.jar.has('_csrf'));
    assert.ok(![...agent.jar.keys()].some((k) => k.startsWith('__Host-')));
  });

  test('/metrics is open outside production without METRICS_TOKEN (development)', async () => {
    assert.equal((await env.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  });
});

describe('https portal: __Host- cookies', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: { PUBLIC_URL: 'https://portal.example.ir' }, startQueue: false });
  });
  after(() => env.close());

  test('session, CSRF, language and back-office cookies are __Host- (Secure, Path=/, no Domain) and work', async () => {
    const agent = browser(env.app);
    const page = await agent.get('/signin?lang=en');
    const set = [page.headers['set-cookie']].flat().map(String);
    assert.ok(set.some((c) => c.startsWith('__Host-lang=en;')), set.join(' | '));
    for (const c of set) {
      assert.match(c, /^__Host-/);
      assert.match(c, /; Path=\/(;|$)/);
      assert.match(c, /; Secure(;|$)/);
      assert.doesNotMatch(c, /Domain=/i);
    }
    const a = await insertAccount(env.platform);
    await agent.get('/signin');
    const signin = await agent.post('/signin', { username: a.nationalCode, password: PASSWORD });
    assert.equal(signin.statusCode, 303, signin.body.slice(0, 300));
    assert.ok(agent.jar.has('__Host-dargah_session'));
    assert.ok(agent.jar.has('__Host-_csrf'));
    assert.ok(!agent.jar.has('dargah_session'));
    const account = await agent.get('/account');
    assert.equal(account.statusCode, 200);
    assert.equal(account.headers['cache-control'], 'no-store');
    // The English choice came back through the prefixed cookie.
    assert.match(account.body, /lang="en"/);
    // A plain-named session cookie (planted by a sibling host) is not accepted.
    const planted = await env.app.inject({ method: 'GET', url: '/account', headers: { cookie: `dargah_session=${agent.jar.get('__Host-dargah_session')}` } });
    assert.equal(planted.statusCode, 303);
    const staff = await signedInStaff(env, 'edge.https', 'auditor');
    assert.ok(staff.jar.has('__Host-bo_session'));
    assert.equal((await staff.get('/backoffice/search')).statusCode, 200);
  });
});

describe('/metrics in production', () => {
  test('refused without METRICS_TOKEN; with it only to the bearer token', async () => {
    const closed = await createTestEnv({ env: { NODE_ENV: 'production' }, noApp: false, startQueue: false });
    try {
      assert.equal((await closed.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    } finally {
      await closed.close();
    }
    const token = 'scrape-token-0123456789abcdef';
    const env = await createTestEnv({ env: { NODE_ENV: 'production', METRICS_TOKEN: token }, startQueue: false });
    try {
      assert.equal((await env.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      assert.equal((await env.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401);
      const ok = await env.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /dargah_http_request_duration_seconds/);
    } finally {
      await env.close();
    }
  });
});
