// The account's transition table, walked row by row. For every transition the issue names
// (password change, mobile change, resets, disable, rejections), an account is given every
// kind of credential first — a temporary password, one-time codes, two portal sessions, a
// single sign-on logout pending — then the transition runs through the accounts service, and
// every earlier credential must be dead, the audit event written and the SMS enqueued. The
// list of transitions that must retire is this test's own, not read from the table: a row
// that forgets a duty fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Actor } from '../src/accounts/accounts.service.js';
import { allowed, lifecycleMarkdown, TRANSITIONS, type TransitionName } from '../src/accounts/transitions.js';
import type { DB } from '../src/db/schema.js';
import { SSO_LOGOUT_QUEUE } from '../src/sso/sso.jobs.js';
import { insertAccount, nextMobile, NEW_PASSWORD } from './signin.support.js';
import { createTestEnv, type TestEnv } from './support.js';

const STAFF = { id: '00000000-0000-4000-8000-000000000001', username: 'desk1', role: 'admin' as const, branchCode: null };
const staffActor = (): Extract<Actor, { kind: 'staff' }> => ({ kind: 'staff', staff: STAFF, ip: '10.1.1.1', reason: 'person at the counter', walkIn: null });

type Setup = { accountId: string; mobile: string; sessionTokens: string[]; sessionIds: string[]; temporaryPassword: string; codeId: string };

/** Runs one transition the way its caller does; `keep` is the session that asks (person rows). */
const RUNNERS: Partial<Record<TransitionName, { status: 'active' | 'pending_verification' | 'awaiting_branch_visit'; run: (env: TestEnv, trx: Kysely<DB>, s: Setup) => Promise<unknown> }>> = {
  setPasswordByPerson: {
    status: 'active',
    run: async (env, trx, s) =>
      env.platform.accounts.setPassword(trx, 'setPasswordByPerson', { kind: 'person', accountId: s.accountId, ip: '10.0.0.1', lang: 'fa', sessionId: s.sessionIds[0]! }, s.accountId, await env.platform.hasher.hash(NEW_PASSWORD)),
  },
  setPasswordByRecovery: {
    status: 'active',
    run: async (env, trx, s) =>
      env.platform.accounts.setPassword(trx, 'setPasswordByRecovery', { kind: 'person', accountId: s.accountId, ip: '10.0.0.1', lang: 'fa' }, s.accountId, await env.platform.hasher.hash(NEW_PASSWORD)),
  },
  setPasswordByStaff: {
    status: 'active',
    run: async (env, trx, s) => env.platform.accounts.resetPasswordByStaff(trx, staffActor(), (await env.platform.accounts.lockForUpdate(trx, s.accountId))!, await env.platform.hasher.hash('Tabcdefgh4'), 'Tabcdefgh4'),
  },
  setMobileByPerson: {
    status: 'active',
    run: (env, trx, s) => env.platform.accounts.setMobile(trx, 'setMobileByPerson', { kind: 'person', accountId: s.accountId, ip: '10.0.0.1', lang: 'fa', sessionId: s.sessionIds[0]! }, s.accountId, nextMobile()),
  },
  setMobileByStaff: {
    status: 'active',
    run: (env, trx, s) => env.platform.accounts.setMobile(trx, 'setMobileByStaff', staffActor(), s.accountId, nextMobile()),
  },
  disable: {
    status: 'active',
    run: async (env, trx, s) => env.platform.accounts.disable(trx, staffActor(), (await env.platform.accounts.lockForUpdate(trx, s.accountId))!),
  },
  rejectAtBranch: {
    status: 'awaiting_branch_visit',
    run: async (env, trx, s) => env.platform.accounts.rejectAtBranch(trx, staffActor(), (await env.platform.accounts.lockForUpdate(trx, s.accountId))!),
  },
  reject: {
    status: 'pending_verification',
    run: (env, trx, s) =>
      env.platform.accounts.settleProofing(trx, [{ accountId: s.accountId, transition: 'reject', mobile: s.mobile, smsParams: { greeting: '' }, smsKey: `test-reject:${s.accountId}`, auditData: {} }]),
  },
};

/** The invariant of the issue: after these, every earlier credential of the account is dead. */
const MUST_RETIRE_ALL: TransitionName[] = ['setPasswordByPerson', 'setPasswordByRecovery', 'setPasswordByStaff', 'setMobileByPerson', 'setMobileByStaff', 'disable', 'reject', 'rejectAtBranch'];

describe('account lifecycle: every transition carries its duties', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  /** Back-channel logout jobs enqueued for an account (pg-boss's job table). */
  async function logoutJobsOf(accountId: string): Promise<number> {
    const jobs = env.schema ? `${env.schema}_jobs` : 'pgboss';
    const r = await env.platform.database.executeSql(`SELECT count(*)::int AS n FROM ${jobs}.job WHERE name = $1 AND data->>'accountId' = $2`, [SSO_LOGOUT_QUEUE.name, accountId]);
    return Number(r.rows[0].n);
  }

  /** An account holding one of each credential. */
  async function setUp(status: 'active' | 'pending_verification' | 'awaiting_branch_visit'): Promise<Setup> {
    const p = env.platform;
    const a = await insertAccount(p, { status });
    const temporaryPassword = '48213377';
    const t = await p.db.transaction().execute(async (trx) => {
      // Issued as SMS recovery issues it (the row, its SMS, its audit event) — for any state, as a test fixture.
      await trx.insertInto('sms_recoveries').values({ account_id: a.id, tracking_code: '11112222', password_hash: await p.hasher.hash(temporaryPassword), created_at: p.clock(), expires_at: new Date(p.clock().getTime() + 3600_000) }).execute();
      const codeId = `code-${a.id}`.padEnd(43, 'x').slice(0, 43);
      await p.accounts.insertCode(trx, { id: codeId, purpose: 'signin', accountId: a.id, mobile: a.mobile, codeHash: 'h', now: p.clock(), expiresAt: new Date(p.clock().getTime() + 600_000) });
      await sql`INSERT INTO passkeys (account_id, credential_id, public_key, device_type, backed_up, name, created_at)
        VALUES (${a.id}, ${`cred${a.id.replace(/-/g, '')}`}, ${Buffer.from('key')}, 'multiDevice', true, 'phone', ${p.clock()})`.execute(trx);
      const s1 = await p.sessions.create(trx, { accountId: a.id, kind: 'web', authMethod: 'password', requiresPasswordChange: false, ip: '10.0.0.1', userAgent: null });
      const s2 = await p.sessions.create(trx, { accountId: a.id, kind: 'api', authMethod: 'password', requiresPasswordChange: false, ip: '10.0.0.2', userAgent: null });
      return { codeId, s1, s2 };
    });
    return { accountId: a.id, mobile: a.mobile, sessionTokens: [t.s1.token, t.s2.token], sessionIds: [t.s1.id, t.s2.id], temporaryPassword, codeId: t.codeId };
  }

  test('the table: who may run each transition, from which state', () => {
    assert.equal(allowed('activate', 'system', 'pending_verification'), true);
    assert.equal(allowed('activate', 'person', 'pending_verification'), false, 'a person never activates themselves');
    assert.equal(allowed('activateAtBranch', 'staff:branch_operator', 'awaiting_branch_visit'), true);
    assert.equal(allowed('activateAtBranch', 'person', 'awaiting_branch_visit'), false, 'only staff activate at a branch');
    for (const [name, t] of Object.entries(TRANSITIONS)) {
      assert.ok(t.by.every((who) => who !== ('staff:auditor' as string)), `${name}: auditors never change anything`);
      assert.match(t.event, /^[a-z_]+\.[a-z_]+$/, `${name}: an audit event`);
    }
    for (const name of MUST_RETIRE_ALL) assert.notEqual(TRANSITIONS[name].retires, 'none', `${name} must retire every earlier credential`);
  });

  test('docs/account-lifecycle.md is generated from the table and current', () => {
    assert.equal(readFileSync(new URL('../docs/account-lifecycle.md', import.meta.url), 'utf8').trimEnd(), lifecycleMarkdown().trimEnd());
  });

  for (const name of MUST_RETIRE_ALL) {
    test(`${name}: every earlier credential is dead; audit event and SMS in the same transaction`, async () => {
      const runner = RUNNERS[name]!;
      const p = env.platform;
      const s = await setUp(runner.status);
      const logoutsBefore = await logoutJobsOf(s.accountId);
      const smsBefore = (await p.db.selectFrom('sms_messages').select('id').where('template', '=', TRANSITIONS[name].sms!.template).execute()).length;
      const result = (await p.db.transaction().execute((trx) => runner.run(env, trx, s))) as { rotated?: { token: string } | null } | undefined;

      const account = await p.accounts.get(s.accountId);
      if (account) {
        const checked = await p.accounts.checkPassword(account, s.temporaryPassword);
        assert.equal(checked.method, null, 'the temporary password no longer signs in');
      }
      const code = await p.accounts.findCode(s.codeId, 'signin');
      assert.ok(!code || code.consumed_at, 'the one-time code is spent');
      for (const token of s.sessionTokens) {
        assert.equal(await p.sessions.resolve(token, 'web'), null, 'no earlier session token works');
        assert.equal(await p.sessions.resolve(token, 'api'), null, 'no earlier session token works');
      }
      if (TRANSITIONS[name].retires === 'all_but_rotated') {
        assert.ok(result?.rotated, 'the asking session continues under a new token');
        assert.ok(await p.sessions.resolve(result.rotated.token, 'web'), 'the new token works');
      }
      assert.equal(await logoutJobsOf(s.accountId), logoutsBefore + 1, 'every single sign-on grant is ended (job enqueued in the transaction)');
      const events = await p.db.selectFrom('audit_events').select('event').where('account_id', '=', s.accountId).execute();
      assert.ok(events.some((e) => e.event === TRANSITIONS[name].event), `audit event ${TRANSITIONS[name].event}`);
      const passkeysLeft = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM passkeys WHERE account_id = ${s.accountId}`.execute(p.db)).rows[0]!.n;
      if (name === 'disable') assert.equal(passkeysLeft, 0, 'disabling removes every passkey');
      else if (account) assert.equal(passkeysLeft, 1, `${name} keeps passkeys (recovery still works for people who lose their device)`);
      const smsAfter = (await p.db.selectFrom('sms_messages').select('id').where('template', '=', TRANSITIONS[name].sms!.template).execute()).length;
      assert.ok(smsAfter > smsBefore, `SMS ${TRANSITIONS[name].sms!.template}`);
    });
  }

  test('a transition from a state it does not allow, or by an actor it does not list, changes nothing', async () => {
    const p = env.platform;
    const s = await setUp('pending_verification');
    // State: a staff password reset needs an active account.
    await assert.rejects(
      p.db.transaction().execute(async (trx) =>
        p.accounts.resetPasswordByStaff(trx, staffActor(), (await p.accounts.lockForUpdate(trx, s.accountId))!, await p.hasher.hash('Tabcdefgh4'), 'Tabcdefgh4'),
      ),
      /refused/,
    );
    assert.equal((await p.accounts.get(s.accountId))?.must_change_password, false);
    assert.equal((await p.accounts.findCode(s.codeId, 'signin'))?.consumed_at, null, 'nothing retired');
    // Actor: auditors never change anything.
    await assert.rejects(
      p.db.transaction().execute(async (trx) => p.accounts.disable(trx, { ...staffActor(), staff: { ...STAFF, role: 'auditor' } }, (await p.accounts.lockForUpdate(trx, s.accountId))!)),
      /refused/,
    );
    assert.equal((await p.accounts.get(s.accountId))?.disabled_at, null);
  });
});
