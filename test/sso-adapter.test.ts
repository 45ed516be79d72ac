// The single sign-on storage adapter against the real table.
//
// Issue 15: a userinfo or introspection read the token, then its provider session (the
// binding check), then its grant: three statements where one would do. The token's row now
// names the other two by their stored keys and one statement reads all three; the provider's
// next two reads in the same request are answered from it. Nothing is kept past the request,
// and a write in the request drops what was read ahead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import { randomUUID } from 'node:crypto';
import { createAdapterClass, type ReuseHandler } from '../src/sso/adapter.js';
import { revokeReusedGrant } from '../src/sso/sso.service.js';
import { createSsoQueries, type SsoQueries } from '../src/sso/sso.queries.js';
import { createTestEnv, type TestEnv } from './support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv({ noApp: true, startQueue: false });
});
after(() => env.close());

/** The adapter over the real queries, counting the statements it runs. */
function adapter(options: { onReuse?: ReuseHandler } = {}) {
  const real = createSsoQueries(env.platform.db);
  let statements = 0;
  const queries = new Proxy(real, {
    get(target, property: keyof SsoQueries) {
      const value = target[property];
      return typeof value === 'function'
        ? (...args: unknown[]) => {
            statements++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          }
        : value;
    },
  });
  let scope: object | undefined;
  const Adapter = createAdapterClass({
    queries,
    ...(options.onReuse ? { onReuse: options.onReuse } : {}),
    clock: () => new Date(),
    findClient: async () => undefined,
    key: (v) => `k-${v}`,
    requestScope: () => scope,
  });
  return {
    AccessToken: new Adapter('AccessToken'),
    RefreshToken: new Adapter('RefreshToken'),
    Session: new Adapter('Session'),
    Grant: new Adapter('Grant'),
    /** Runs `fn` as one request of the provider; the statements it ran. */
    async request<T>(fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
      scope = {};
      const before = statements;
      try {
        const value = await fn();
        return { value, statements: statements - before };
      } finally {
        scope = undefined;
      }
    },
    /** Runs `fn` as a request that holds its new tokens until it answers (as sso.service.ts does). */
    async tokenRequest<T>(fn: () => Promise<T>): Promise<{ value: T; inRequest: number; atAnswer: number }> {
      scope = {};
      Adapter.holdWrites(scope);
      const before = statements;
      try {
        const value = await fn();
        const answered = statements;
        await Adapter.writeHeld(scope);
        return { value, inRequest: answered - before, atAnswer: statements - answered };
      } finally {
        scope = undefined;
      }
    },
    statements: () => statements,
  };
}

const suffix = () => Math.random().toString(36).slice(2);

async function seed(a: ReturnType<typeof adapter>) {
  const s = suffix();
  const ids = { token: `at-${s}`, session: `sess-${s}`, uid: `uid-${s}`, grant: `grant-${s}` };
  await a.Session.upsert(ids.session, { uid: ids.uid, accountId: 'acc-1', authorizations: { svc: { grantId: ids.grant } } } as AdapterPayload, 600);
  await a.Grant.upsert(ids.grant, { accountId: 'acc-1', clientId: 'svc', openid: { scope: 'openid profile' } } as AdapterPayload, 600);
  await a.AccessToken.upsert(ids.token, { accountId: 'acc-1', clientId: 'svc', grantId: ids.grant, sessionUid: ids.uid, expiresWithSession: true, scope: 'openid' } as AdapterPayload, 600);
  return ids;
}

/** What the provider reads for a bearer token: the token, its session by uid, its grant. */
async function readLikeUserinfo(a: ReturnType<typeof adapter>, ids: { token: string; uid: string; grant: string }) {
  const token = await a.AccessToken.find(ids.token);
  const session = await a.Session.findByUid(ids.uid);
  const grant = await a.Grant.find(ids.grant);
  return { token, session, grant };
}

describe('a token read with its session and grant', () => {
  test('the three reads of a userinfo are one statement, with the same answers as three', async () => {
    const a = adapter();
    const ids = await seed(a);
    const inRequest = await a.request(() => readLikeUserinfo(a, ids));
    assert.equal(inRequest.statements, 1, 'token, session and grant in one statement');
    // Outside a request nothing is read ahead: three statements, the same payloads.
    const before = a.statements();
    const plain = await readLikeUserinfo(a, ids);
    assert.equal(a.statements() - before, 3);
    assert.deepEqual(inRequest.value, plain);
    assert.equal(plain.token?.jti, ids.token);
    assert.equal(plain.token?.grantId, ids.grant);
    assert.equal(plain.session?.accountId, 'acc-1');
    assert.equal(plain.grant?.jti, ids.grant);
    // The stored keys of session and grant never reach the provider.
    for (const payload of [plain.token, plain.session, plain.grant]) {
      assert.ok(payload);
      assert.deepEqual(Object.keys(payload).filter((k) => k.startsWith('~')), []);
    }
  });

  test('a session ended before the request is not found; one ended in it is read again', async () => {
    const a = adapter();
    const ids = await seed(a);
    await a.Session.destroy(ids.session);
    const gone = await a.request(() => readLikeUserinfo(a, ids));
    assert.equal(gone.value.session, undefined);
    assert.equal(gone.statements, 1, 'the missing session was known from the token statement');

    const other = await seed(a);
    const ended = await a.request(async () => {
      await a.AccessToken.find(other.token);
      // The request itself ends the session: what was read ahead is dropped.
      await a.Session.destroy(other.session);
      return a.Session.findByUid(other.uid);
    });
    assert.equal(ended.value, undefined);
    assert.equal(ended.statements, 3);
  });

  test('nothing read ahead outlives its request', async () => {
    const a = adapter();
    const ids = await seed(a);
    const first = await a.request(() => readLikeUserinfo(a, ids));
    assert.ok(first.value.session);
    // Another request (say, a sign-out) ends the session; the next request sees it ended.
    await a.Session.destroy(ids.session);
    const next = await a.request(() => readLikeUserinfo(a, ids));
    assert.equal(next.value.session, undefined);
  });

  test('a token stored before its row named its session and grant is read as before', async () => {
    const a = adapter();
    const ids = await seed(a);
    // The row as the former adapter wrote it: no stored keys of session and grant.
    const queries = createSsoQueries(env.platform.db);
    const old = `at-old-${suffix()}`;
    await queries.upsertArtifact({
      model: 'AccessToken',
      id: `k-${old}`,
      payload: { accountId: 'acc-1', clientId: 'svc', grantId: ids.grant, sessionUid: ids.uid, expiresWithSession: true, scope: 'openid' },
      grantId: ids.grant,
      userCode: null,
      uid: null,
      expiresAt: new Date(Date.now() + 600_000),
    });
    const r = await a.request(() => readLikeUserinfo(a, { ...ids, token: old }));
    assert.equal(r.statements, 3);
    assert.equal(r.value.token?.jti, old);
    assert.equal(r.value.session?.accountId, 'acc-1');
    assert.equal(r.value.grant?.jti, ids.grant);
  });
});

describe('a one-time token is used once', () => {
  // Found in review: the provider reads a refresh token, sees it unused, then marks it used;
  // requests racing with one token all saw it unused and each got new tokens (on PostgreSQL,
  // four requests at once with one refresh token: four new families).
  test('of two requests that read it unused, the second to mark it is refused and the grant is revoked', async () => {
    const a = adapter();
    const ids = await seed(a);
    const refresh = `rt-${suffix()}`;
    await a.RefreshToken.upsert(refresh, { accountId: 'acc-1', clientId: 'svc', grantId: ids.grant, sessionUid: ids.uid, expiresWithSession: true, scope: 'openid' } as AdapterPayload, 600);
    const [first, second] = await Promise.all([a.request(() => a.RefreshToken.find(refresh)), a.request(() => a.RefreshToken.find(refresh))]);
    assert.equal(first.value?.consumed, undefined);
    assert.equal(second.value?.consumed, undefined, 'both requests read it unused');
    await a.request(() => a.RefreshToken.consume(refresh));
    await assert.rejects(
      a.request(() => a.RefreshToken.consume(refresh)),
      (e: { error?: string; status?: number; error_detail?: string }) => e.error === 'invalid_grant' && e.status === 400 && e.error_detail === 'token already used: grant revoked',
    );
    // Reuse revokes the grant and everything issued under it.
    assert.equal(await a.Grant.find(ids.grant), undefined);
    assert.equal(await a.AccessToken.find(ids.token), undefined);
    assert.equal(await a.RefreshToken.find(refresh), undefined);
    // The provider session is not the grant's: it stays (the person stays signed in to the portal).
    assert.ok(await a.Session.findByUid(ids.uid));
  });

  test('reuse is written to the account’s audit trail with the revocation, in one transaction', async () => {
    // Found in review: a token used twice revoked its grant and was logged, but the person’s
    // audit trail (what branch staff read) never showed it.
    const db = env.platform.db;
    const a = adapter({ onReuse: (r) => revokeReusedGrant(db, { ...r, ip: '10.1.2.3', at: new Date() }) });
    const accountId = randomUUID();
    const s = suffix();
    const grant = `grant-${s}`;
    const refresh = `rt-${s}`;
    await a.Grant.upsert(grant, { accountId, clientId: 'payslip', openid: { scope: 'openid' } } as AdapterPayload, 600);
    await a.RefreshToken.upsert(refresh, { accountId, clientId: 'payslip', grantId: grant, scope: 'openid' } as AdapterPayload, 600);
    await a.AccessToken.upsert(`at-${s}`, { accountId, clientId: 'payslip', grantId: grant, scope: 'openid' } as AdapterPayload, 600);
    await Promise.all([a.request(() => a.RefreshToken.find(refresh)), a.request(() => a.RefreshToken.find(refresh))]);
    await a.request(() => a.RefreshToken.consume(refresh));
    await assert.rejects(a.request(() => a.RefreshToken.consume(refresh)), (e: { error?: string }) => e.error === 'invalid_grant');
    const events = await db.selectFrom('audit_events').select(['event', 'actor_type', 'data', 'ip']).where('account_id', '=', accountId).execute();
    assert.deepEqual(events, [{ event: 'sso.token_reused', actor_type: 'system', data: { client: 'payslip', token: 'refresh_token', revoked: 3 }, ip: '10.1.2.3' }]);
    assert.equal(await a.Grant.find(grant), undefined);
    // Nothing is revoked without its event: a trail that refuses the row keeps the grant.
    const g2 = `grant2-${s}`;
    const r2 = `rt2-${s}`;
    await a.Grant.upsert(g2, { accountId, clientId: 'payslip' } as AdapterPayload, 600);
    await a.RefreshToken.upsert(r2, { accountId, clientId: 'payslip', grantId: g2 } as AdapterPayload, 600);
    await a.request(() => a.RefreshToken.consume(r2));
    await sql`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused for the test'; END $$`.execute(db);
    await sql`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`.execute(db);
    try {
      await assert.rejects(a.request(() => a.RefreshToken.consume(r2)), /audit refused/);
    } finally {
      await sql`DROP TRIGGER test_refuse_audit ON audit_events`.execute(db);
      await sql`DROP FUNCTION test_refuse_audit()`.execute(db);
    }
    assert.ok(await a.Grant.find(g2), 'the revocation went back with the event');
  });

  test('a token deleted since it was read cannot be used', async () => {
    const a = adapter();
    const ids = await seed(a);
    const refresh = `rt-${suffix()}`;
    await a.RefreshToken.upsert(refresh, { accountId: 'acc-1', clientId: 'svc', grantId: ids.grant, scope: 'openid' } as AdapterPayload, 600);
    assert.ok(await a.RefreshToken.find(refresh));
    await a.RefreshToken.revokeByGrantId(ids.grant);
    await assert.rejects(a.RefreshToken.consume(refresh), (e: { error?: string; error_detail?: string }) => e.error === 'invalid_grant' && e.error_detail === 'token not found');
  });
});

describe('the new tokens of a request, written together before it answers', () => {
  const tokenPayload = (ids: { grant: string; uid: string }) => ({ accountId: 'acc-1', clientId: 'svc', grantId: ids.grant, sessionUid: ids.uid, expiresWithSession: true, scope: 'openid' }) as AdapterPayload;

  test('an access and a refresh token: one statement when the request answers; the request finds its own', async () => {
    const a = adapter();
    const ids = await seed(a);
    const at = `at-new-${suffix()}`;
    const rt = `rt-new-${suffix()}`;
    const r = await a.tokenRequest(async () => {
      await a.RefreshToken.upsert(rt, tokenPayload(ids), 600);
      await a.AccessToken.upsert(at, tokenPayload(ids), 600);
      return a.AccessToken.find(at);
    });
    assert.equal(r.inRequest, 0, 'nothing written before the answer');
    assert.equal(r.value?.jti, at, 'the request finds the token it holds');
    assert.equal(r.atAnswer, 1, 'both written in one statement');
    // Stored: found by any later request.
    assert.equal((await a.AccessToken.find(at))?.grantId, ids.grant);
    assert.equal((await a.RefreshToken.find(rt))?.sessionUid, ids.uid);
  });

  test('any other write of the request goes after what it holds', async () => {
    const a = adapter();
    const ids = await seed(a);
    const at = `at-new-${suffix()}`;
    await a.tokenRequest(async () => {
      await a.AccessToken.upsert(at, tokenPayload(ids), 600);
      // Revoking the grant in the same request reaches the token it had just issued.
      await a.AccessToken.revokeByGrantId(ids.grant);
    });
    assert.equal(await a.AccessToken.find(at), undefined);
  });

  test('outside such a request every write is made at once', async () => {
    const a = adapter();
    const ids = await seed(a);
    const at = `at-new-${suffix()}`;
    const r = await a.request(() => a.AccessToken.upsert(at, tokenPayload(ids), 600));
    assert.equal(r.statements, 1);
    assert.ok(await a.AccessToken.find(at));
  });
});
