// Passkeys in the back office: the person page lists them; "remove all passkeys" needs
// the `act` role and a reason, removes them with one audit event and an SMS; a staff
// password reset keeps them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate } from 'otplib';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';
import { insertAccount, type TestAccount } from './signin.support.js';
import { softAuthenticator } from './passkeys.support.js';

const STAFF_PASSWORD = 'Branch!Desk2026xq';
let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

async function signedInStaff(username: string, role: 'admin' | 'branch_operator' | 'auditor') {
  const created = await env.platform.staff.create({ username, role, ...(role === 'branch_operator' ? { branchCode: '112' } : {}) });
  assert.ok(created.ok, JSON.stringify(!created.ok && created.error));
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const code = await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  const res = await agent.post('/backoffice/signin', { username, password: created.value.oneTimePassword, code });
  assert.equal(res.statusCode, 303, res.body);
  await agent.get('/backoffice/password');
  assert.equal((await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD })).statusCode, 303);
  env.clock.advance(30_000);
  return agent;
}

/** Two passkeys added through the service, as the person's browser would. */
async function withPasskeys(a: TestAccount, n = 2) {
  const auth = softAuthenticator({ rpId: env.platform.passkeys.rpID, origin: env.platform.passkeys.origin });
  const me = { accountId: a.id, signedInAt: env.clock.now() };
  const meta = { ip: '10.3.0.1', lang: 'fa' as const, userAgent: null };
  for (let i = 0; i < n; i++) {
    const o = await env.platform.passkeys.registrationOptions(me, meta);
    assert.ok(o.ok);
    const r = await env.platform.passkeys.register(me, { flowId: o.value.flowId, credential: auth.register(o.value.options), name: `کلید ${i + 1}` }, meta);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  }
}

test('the person page lists passkeys; remove all needs a reason, then removes them with an audit event and an SMS', async () => {
  const a = await insertAccount(env.platform);
  await withPasskeys(a);
  const staff = await signedInStaff('passkey.admin', 'admin');
  const page = await staff.get(`/backoffice/people/${a.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /کلید 1/);
  assert.match(page.body, /کلید 2/);
  assert.match(page.body, /action="\/backoffice\/people\/[^"]+\/remove-passkeys"/);

  const noReason = await staff.post(`/backoffice/people/${a.id}/remove-passkeys`, { reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /id="remove-passkeys-reason-error"/);
  assert.equal((await env.platform.passkeys.list(a.id)).length, 2);

  const done = await staff.post(`/backoffice/people/${a.id}/remove-passkeys`, { reason: 'گوشی شخص دزدیده شده است' });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal(done.headers.location, `/backoffice/people/${a.id}?done=passkeys_removed#main`);
  assert.equal((await env.platform.passkeys.list(a.id)).length, 0);
  const events = await env.platform.db.selectFrom('audit_events').select(['event', 'actor_type', 'data']).where('account_id', '=', a.id).where('event', '=', 'passkeys.removed_all').execute();
  assert.equal(events.length, 1);
  assert.equal(events[0]!.actor_type, 'staff');
  assert.equal((events[0]!.data as { removed: number }).removed, 2);
  assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /همه کلیدهای عبور/);
  const after = await staff.get(`/backoffice/people/${a.id}?done=passkeys_removed`);
  assert.match(after.body, /این شخص کلید عبوری ندارد/);
  assert.match(after.body, /همه کلیدهای عبور این شخص حذف شد/);

  const again = await staff.post(`/backoffice/people/${a.id}/remove-passkeys`, { reason: 'دوباره' });
  assert.equal(again.statusCode, 409);
});

test('an auditor sees passkeys but cannot remove them', async () => {
  const a = await insertAccount(env.platform);
  await withPasskeys(a, 1);
  const auditor = await signedInStaff('passkey.auditor', 'auditor');
  const page = await auditor.get(`/backoffice/people/${a.id}`);
  assert.match(page.body, /کلید 1/);
  assert.doesNotMatch(page.body, /remove-passkeys/);
  const res = await auditor.post(`/backoffice/people/${a.id}/remove-passkeys`, { reason: 'تلاش بی‌اجازه' });
  assert.equal(res.statusCode, 403);
  assert.equal((await env.platform.passkeys.list(a.id)).length, 1);
});

test('a staff password reset keeps the person’s passkeys (recovery does not need them gone)', async () => {
  const a = await insertAccount(env.platform);
  await withPasskeys(a, 1);
  const staff = await signedInStaff('passkey.reset', 'admin');
  await staff.get(`/backoffice/people/${a.id}`);
  const res = await staff.post(`/backoffice/people/${a.id}/reset-password`, { reason: 'فراموشی گذرواژه' });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal((await env.platform.passkeys.list(a.id)).length, 1);
});

test('an operator removes passkeys of people of their own branch only (admins of anyone)', async () => {
  const mine = await insertAccount(env.platform);
  const other = await insertAccount(env.platform);
  await env.platform.db.updateTable('accounts').set({ branch_code: '112' }).where('id', '=', mine.id).execute();
  await env.platform.db.updateTable('accounts').set({ branch_code: '999' }).where('id', '=', other.id).execute();
  await withPasskeys(mine, 1);
  await withPasskeys(other, 1);
  const operator = await signedInStaff('passkey.operator', 'branch_operator');
  const otherPage = await operator.get(`/backoffice/people/${other.id}`);
  assert.doesNotMatch(otherPage.body, /remove-passkeys/, 'no form for a person of another branch');
  const refused = await operator.post(`/backoffice/people/${other.id}/remove-passkeys`, { reason: 'گوشی گم شده' });
  assert.equal(refused.statusCode, 403);
  assert.equal((await env.platform.passkeys.list(other.id)).length, 1);
  await operator.get(`/backoffice/people/${mine.id}`);
  const done = await operator.post(`/backoffice/people/${mine.id}/remove-passkeys`, { reason: 'گوشی گم شده' });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal((await env.platform.passkeys.list(mine.id)).length, 0);
});
