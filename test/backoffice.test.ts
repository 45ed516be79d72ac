// Branch back office through HTTP: staff sign-in with password + TOTP, the forced
// password change, role boundaries, every action (with its audit event and SMS), the
// lists, the audit chain and the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { recordAudit, verifyAuditChain } from '../src/audit/audit.js';
import { staffAdd } from '../src/backoffice/backoffice.cli.js';
import { COMMANDS } from '../src/cli.js';
import { loadConfig } from '../src/config.js';
import { nationalCodeWithCheckDigit } from '../src/identity/nationalCode.js';
import type { Platform } from '../src/platform.js';
import { browser, createTestEnv, lastCodeTo, lastSmsTo, type TestEnv } from './support.js';

const STAFF_PASSWORD = 'Branch!Desk2026xq';

type Agent = ReturnType<typeof browser>;
type Staff = { username: string; secret: string; agent: Agent; id: string };

const secretOf = (uri: string) => new URL(uri).searchParams.get('secret')!;
const codeAt = (secret: string, env: TestEnv) => generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });

async function newStaff(env: TestEnv, username: string, role: 'admin' | 'branch_operator' | 'auditor', branchCode?: string) {
  const created = await env.platform.staff.create({ username, role, ...(branchCode ? { branchCode } : {}) });
  assert.ok(created.ok, JSON.stringify(!created.ok && created.error));
  return { ...created.value, secret: secretOf(created.value.totpUri) };
}

/** Creates a staff member and signs them in through the pages, replacing the one-time password. */
async function signedInStaff(env: TestEnv, username: string, role: 'admin' | 'branch_operator' | 'auditor', branchCode?: string): Promise<Staff> {
  const s = await newStaff(env, username, role, branchCode);
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const res = await agent.post('/backoffice/signin', { username, password: s.oneTimePassword, code: await codeAt(s.secret, env) });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/backoffice/password');
  await agent.get('/backoffice/password');
  const changed = await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD });
  assert.equal(changed.statusCode, 303, changed.body);
  // The next code of this member belongs to a later time step.
  env.clock.advance(30_000);
  return { username, secret: s.secret, agent, id: s.id };
}

let seq = 0;
/** A fresh valid national code per call. */
function nextNationalCode(): string {
  for (;;) {
    const code = nationalCodeWithCheckDigit(String(213_450_000 + seq++ * 7919).padStart(9, '0'));
    if (code) return code;
  }
}

/** A person's account written straight into the table (the registration flow is tested elsewhere). */
async function person(platform: Platform, fields: Partial<{ status: 'pending_verification' | 'awaiting_branch_visit' | 'active'; mobile: string; locked_until: Date; disabled_at: Date; national_code: string; branch_code: string | null }> = {}) {
  const n = seq;
  const row = await platform.db
    .insertInto('accounts')
    .values({
      national_code: fields.national_code ?? nextNationalCode(),
      status: fields.status ?? 'awaiting_branch_visit',
      origin: 'central',
      first_name: 'مریم',
      last_name: 'احمدی',
      gender: 'female',
      birth_date: '1990-04-04',
      mobile: fields.mobile ?? `0912${String(1000000 + n).slice(-7)}`,
      mobile_operator: 'mci',
      password_hash: await platform.hasher.hash('Person!Pass1234'),
      locked_until: fields.locked_until ?? null,
      disabled_at: fields.disabled_at ?? null,
      // The operator's own branch unless a test says otherwise (walk-ins are tested apart).
      branch_code: fields.branch_code === undefined ? '112' : fields.branch_code,
      created_at: platform.clock(),
      updated_at: platform.clock(),
    })
    .returning(['id', 'national_code', 'mobile'])
    .executeTakeFirstOrThrow();
  return row as { id: string; national_code: string; mobile: string };
}

const account = (platform: Platform, id: string) => platform.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
const eventsOf = (platform: Platform, id: string) =>
  platform.db.selectFrom('audit_events').selectAll().where('account_id', '=', id).orderBy('id').execute();

describe('back office', () => {
  let env: TestEnv;
  let operator: Staff;
  let auditor: Staff;
  let admin: Staff;

  before(async () => {
    env = await createTestEnv();
    operator = await signedInStaff(env, 'op.tehran', 'branch_operator', '112');
    auditor = await signedInStaff(env, 'auditor1', 'auditor');
    admin = await signedInStaff(env, 'admin1', 'admin');
  });
  after(() => env.close());

  /** Opens the person page (for a fresh CSRF token) and posts an action form. */
  async function act(staff: Staff, id: string, action: string, form: Record<string, string>) {
    await staff.agent.get(`/backoffice/people/${id}`);
    return staff.agent.post(`/backoffice/people/${id}/${action}`, form);
  }

  describe('sign-in', () => {
    test('needs the TOTP code: missing or wrong codes are refused, the right one works once', async () => {
      const s = await newStaff(env, 'totp.check', 'auditor');
      const agent = browser(env.app);
      await agent.get('/backoffice/signin');
      const missing = await agent.post('/backoffice/signin', { username: 'totp.check', password: s.oneTimePassword, code: '' });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /کد برنامه احراز هویت را وارد کنید/);
      const right = await codeAt(s.secret, env);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const refused = await agent.post('/backoffice/signin', { username: 'totp.check', password: s.oneTimePassword, code: wrong });
      assert.equal(refused.statusCode, 401);
      assert.equal(agent.jar.has('bo_session'), false);
      // A right code with a wrong password is refused too (and the code is not used up).
      const badPassword = await agent.post('/backoffice/signin', { username: 'totp.check', password: 'Wrong!Pass12345', code: right });
      assert.equal(badPassword.statusCode, 401);
      const ok = await agent.post('/backoffice/signin', { username: 'totp.check', password: s.oneTimePassword, code: right });
      assert.equal(ok.statusCode, 303);
      assert.ok(agent.jar.has('bo_session'));
      // The same code again (a replay) is refused even with the right password.
      const other = browser(env.app);
      await other.get('/backoffice/signin');
      const replay = await other.post('/backoffice/signin', { username: 'totp.check', password: s.oneTimePassword, code: right });
      assert.equal(replay.statusCode, 401);
      const failures = await env.platform.db.selectFrom('audit_events').select(['event', 'data']).where('actor_id', '=', s.id).where('event', '=', 'backoffice.signin_failed').execute();
      assert.deepEqual(failures.map((f) => f.data.factor), ['totp', 'password', 'totp']);
    });

    test('the one-time password must be replaced before anything else', async () => {
      const s = await newStaff(env, 'first.time', 'auditor');
      const agent = browser(env.app);
      await agent.get('/backoffice/signin');
      await agent.post('/backoffice/signin', { username: 'first.time', password: s.oneTimePassword, code: await codeAt(s.secret, env) });
      const search = await agent.get('/backoffice/search');
      assert.equal(search.statusCode, 303);
      assert.equal(search.headers.location, '/backoffice/password');
      const weak = await agent.post('/backoffice/password', { newPassword: 'short', newPasswordConfirmation: 'short' });
      assert.equal(weak.statusCode, 400);
      const same = await agent.post('/backoffice/password', { newPassword: s.oneTimePassword, newPasswordConfirmation: s.oneTimePassword });
      assert.equal(same.statusCode, 400);
      const done = await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal((await agent.get('/backoffice/search')).statusCode, 200);
      env.clock.advance(30_000);
      // The one-time password no longer works.
      const again = browser(env.app);
      await again.get('/backoffice/signin');
      const old = await again.post('/backoffice/signin', { username: 'first.time', password: s.oneTimePassword, code: await codeAt(s.secret, env) });
      assert.equal(old.statusCode, 401);

      // Later changes need the current password (the defect: a session left open could change it).
      const form = await agent.get('/backoffice/password');
      assert.match(form.body, /name="currentPassword"/);
      const next = 'Branch!Desk2027zq';
      const without = await agent.post('/backoffice/password', { newPassword: next, newPasswordConfirmation: next });
      assert.equal(without.statusCode, 400);
      const wrong = await agent.post('/backoffice/password', { currentPassword: 'Not!The1Password', newPassword: next, newPasswordConfirmation: next });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /گذرواژه کنونی درست نیست/);
      const right = await agent.post('/backoffice/password', { currentPassword: STAFF_PASSWORD, newPassword: next, newPasswordConfirmation: next });
      assert.equal(right.statusCode, 303);
    });

    test('sign-in attempts are limited per username', async () => {
      const s = await newStaff(env, 'limited.one', 'auditor');
      const agent = browser(env.app);
      await agent.get('/backoffice/signin');
      const limit = env.config.rateLimits.backofficeSignInPerUser.points;
      for (let i = 0; i < limit; i++) {
        const r = await agent.post('/backoffice/signin', { username: 'limited.one', password: 'Wrong!Pass12345', code: '000000' });
        assert.equal(r.statusCode, 401);
      }
      const blocked = await agent.post('/backoffice/signin', { username: 'limited.one', password: s.oneTimePassword, code: await codeAt(s.secret, env) });
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
    });

    test('every back-office form needs the CSRF token', async () => {
      const p = await person(env.platform, { status: 'active' });
      await operator.agent.get(`/backoffice/people/${p.id}`);
      const res = await operator.agent.post(`/backoffice/people/${p.id}/disable`, { reason: 'بدون توکن' }, { csrf: null });
      assert.equal(res.statusCode, 403);
      assert.equal((await account(env.platform, p.id))!.disabled_at, null);
    });

    test('pages other than sign-in need a session', async () => {
      const anon = browser(env.app);
      for (const url of ['/backoffice/search', '/backoffice/overdue', '/backoffice/sms/dead', '/backoffice/audit']) {
        const r = await anon.get(url);
        assert.equal(r.statusCode, 303, url);
      }
    });
  });

  describe('search and the person page', () => {
    test('finds a person by national code, mobile or foreign identifier and shows the file with Jalali dates', async () => {
      const p = await person(env.platform, { status: 'awaiting_branch_visit', mobile: '09351112233' });
      for (const q of [p.national_code, '۰۹۳۵۱۱۱۲۲۳۳']) {
        const r = await auditor.agent.get(`/backoffice/search?q=${encodeURIComponent(q)}`);
        assert.equal(r.statusCode, 200);
        assert.ok(r.body.includes(`/backoffice/people/${p.id}`), q);
      }
      const bad = await auditor.agent.get('/backoffice/search?q=12345');
      assert.equal(bad.statusCode, 400);
      const page = await auditor.agent.get(`/backoffice/people/${p.id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /در انتظار مراجعه به شعبه/);
      assert.match(page.body, /۱۵ فروردین ۱۳۶۹/, 'birth date in Jalali');
      assert.match(page.body, /آذر ۱۴۰۵/, 'timestamps in Jalali');
      // Viewing a file is itself recorded.
      const views = (await eventsOf(env.platform, p.id)).filter((e) => e.event === 'backoffice.person_viewed');
      assert.ok(views.some((v) => v.actor_id === auditor.id));
    });

    test('a single sign-on token used twice shows in the timeline in the page’s language, with the service and what was used', async () => {
      const p = await person(env.platform, { status: 'active' });
      await recordAudit(env.platform.db, { actorType: 'system', accountId: p.id, event: 'sso.token_reused', data: { client: 'payslip', token: 'refresh_token', revoked: 3 }, ip: '10.1.2.3', at: new Date() });
      const page = await auditor.agent.get(`/backoffice/people/${p.id}`);
      assert.equal(page.statusCode, 200);
      const timeline = page.body.slice(page.body.indexOf('id="timeline"'));
      assert.match(timeline, /ورود یکپارچه: یک توکن دو بار به کار رفت/);
      assert.match(timeline, /سامانه<\/span>: <span>payslip/);
      assert.match(timeline, /توکن تازه\u200cسازی/);
      assert.match(timeline, /توکن\u200cهای لغوشده<\/span>: <span>۳/);
      assert.doesNotMatch(timeline, /refresh_token|>client</);
    });
  });

  describe('actions', () => {
    test('activate: only after documents and a reason, only from awaiting_branch_visit; audit and SMS with it', async () => {
      const p = await person(env.platform, { status: 'awaiting_branch_visit' });
      const noDocs = await act(operator, p.id, 'activate', { reason: 'مدارک دیده شد' });
      assert.equal(noDocs.statusCode, 400);
      assert.match(noDocs.body, /دست‌کم یک مدرک/);
      const noReason = await act(operator, p.id, 'activate', { documents: 'national_card', reason: '' });
      assert.equal(noReason.statusCode, 400);
      assert.equal((await account(env.platform, p.id))!.status, 'awaiting_branch_visit');

      const form = new URLSearchParams({ reason: 'کارت ملی و شناسنامه دیده شد' });
      await operator.agent.get(`/backoffice/people/${p.id}`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await operator.agent.get(`/backoffice/people/${p.id}`)).body)![1]!;
      form.append('documents', 'national_card');
      form.append('documents', 'birth_certificate');
      form.append('_csrf', csrf);
      const res = await env.app.inject({
        method: 'POST',
        url: `/backoffice/people/${p.id}/activate`,
        payload: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...operator.agent.jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      assert.equal(res.statusCode, 303, res.body);
      const a = (await account(env.platform, p.id))!;
      assert.equal(a.status, 'active');
      assert.ok(a.activated_at);
      const ev = (await eventsOf(env.platform, p.id)).find((e) => e.event === 'backoffice.account_activated')!;
      assert.equal(ev.actor_type, 'staff');
      assert.equal(ev.actor_id, operator.id);
      assert.deepEqual(ev.data.documents, ['national_card', 'birth_certificate']);
      assert.equal(ev.data.reason, 'کارت ملی و شناسنامه دیده شد');
      assert.equal(ev.data.branch, '112');
      assert.match((await lastSmsTo(env.platform, p.mobile))!, /خانم احمدی.*فعال شد/s);

      const twice = await act(operator, p.id, 'activate', { documents: 'national_card', reason: 'دوباره' });
      assert.equal(twice.statusCode, 409);
    });

    test('reject: deletes the registration like a mismatch, remembers it, tells the person', async () => {
      const p = await person(env.platform, { status: 'pending_verification' });
      const res = await act(operator, p.id, 'reject', { reason: 'مدارک با اطلاعات ثبت‌نام نمی‌خواند' });
      assert.equal(res.statusCode, 303);
      assert.equal(await account(env.platform, p.id), undefined);
      const status = await env.platform.registration.status({ nationalCode: p.national_code, mobile: p.mobile }, { ip: '10.9.9.9', lang: 'fa' });
      assert.ok(status.ok);
      assert.equal(status.value.status, 'rejected');
      const ev = (await eventsOf(env.platform, p.id)).find((e) => e.event === 'backoffice.registration_rejected')!;
      assert.equal(ev.data.nationalCode, `${p.national_code.slice(0, 3)}****${p.national_code.slice(7)}`, 'masked, not in clear');
      assert.match((await lastSmsTo(env.platform, p.mobile))!, /پذیرفته نشد/);
      const active = await person(env.platform, { status: 'active' });
      assert.equal((await act(operator, active.id, 'reject', { reason: 'نباید' })).statusCode, 409);
    });

    test('change mobile: only to a number the ownership registry ties to the person, with the code the person received typed in; both numbers told', async () => {
      // The demo ownership registry ties 09128890822 to 0014789663.
      const p = await person(env.platform, { status: 'active', national_code: '0014789663' });
      const bad = await act(operator, p.id, 'mobile', { mobile: '123', reason: 'گم شدن سیم‌کارت' });
      assert.equal(bad.statusCode, 400);
      // The defect: any number the operator chose was accepted at once.
      const notOwned = await act(operator, p.id, 'mobile', { mobile: '۰۹۳۹۸۸۸۷۷۶۶', reason: 'گم شدن سیم‌کارت' });
      assert.equal(notOwned.statusCode, 400);
      assert.match(notOwned.body, /به نام صاحب این کد ملی ثبت نشده/);
      assert.equal((await account(env.platform, p.id))!.mobile, p.mobile);

      const start = await act(operator, p.id, 'mobile', { mobile: '۰۹۱۲۸۸۹۰۸۲۲', reason: 'گم شدن سیم‌کارت' });
      assert.equal(start.statusCode, 303);
      const flowId = new URL(start.headers.location as string, 'http://x').searchParams.get('mobileFlow')!;
      assert.ok(flowId);
      assert.equal((await account(env.platform, p.id))!.mobile, p.mobile, 'nothing changes before the code is typed');
      const page = await operator.agent.get(start.headers.location as string);
      assert.match(page.body, /name="flowId"/);
      const wrong = await act(operator, p.id, 'mobile', { flowId, code: '000000', reason: 'گم شدن سیم‌کارت' });
      assert.equal(wrong.statusCode, 400);
      const code = await lastCodeTo(env.platform, '09128890822');
      const res = await act(operator, p.id, 'mobile', { flowId, code: code.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!), reason: 'گم شدن سیم‌کارت' });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal((await account(env.platform, p.id))!.mobile, '09128890822');
      assert.match((await lastSmsTo(env.platform, p.mobile))!, /تغییر کرد/);
      assert.match((await lastSmsTo(env.platform, '09128890822'))!, /ثبت شد/);
      const ev = (await eventsOf(env.platform, p.id)).find((e) => e.event === 'backoffice.mobile_changed')!;
      assert.equal(ev.data.to, '0912***0822');
      // The code works once.
      assert.equal((await act(operator, p.id, 'mobile', { flowId, code, reason: 'دوباره' })).statusCode, 409);
    });

    test('branch scope: an operator acts on another branch\'s person only as a recorded walk-in, listed for supervisors', async () => {
      const other = await person(env.platform, { status: 'active', branch_code: '999' });
      const refused = await act(operator, other.id, 'disable', { reason: 'درخواست خود شخص' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /از شعبه شما نیست/);
      assert.equal((await account(env.platform, other.id))!.disabled_at, null);
      const walkIn = await act(operator, other.id, 'disable', { reason: 'درخواست خود شخص', walkInDocuments: 'national_card' });
      assert.equal(walkIn.statusCode, 303, walkIn.body);
      const ev = (await eventsOf(env.platform, other.id)).find((e) => e.event === 'backoffice.account_disabled')!;
      assert.equal(ev.data.walkIn, true);
      assert.deepEqual(ev.data.walkInDocuments, ['national_card']);
      const list = await admin.agent.get('/backoffice/walk-ins');
      assert.equal(list.statusCode, 200);
      assert.ok(list.body.includes(`/backoffice/people/${other.id}`));
      assert.equal((await operator.agent.get('/backoffice/walk-ins')).statusCode, 403, 'operators do not see the supervisors\' list');
      assert.equal((await act(auditor, other.id, 'enable', { reason: 'x'.repeat(5) })).statusCode, 403, 'auditors never change anything');
    });

    test('reset password: temporary password by SMS, change forced, the person’s sessions end', async () => {
      const p = await person(env.platform, { status: 'active' });
      const open = await env.platform.db.transaction().execute((trx) =>
        env.platform.sessions.create(trx, { accountId: p.id, kind: 'web', authMethod: 'password', requiresPasswordChange: false, ip: null, userAgent: null }),
      );
      const res = await act(operator, p.id, 'reset-password', { reason: 'درخواست حضوری' });
      assert.equal(res.statusCode, 303);
      const a = (await account(env.platform, p.id))!;
      assert.equal(a.must_change_password, true);
      const temp = /:\s*(\S+)\n/.exec((await lastSmsTo(env.platform, p.mobile))!)![1]!;
      assert.ok((await env.platform.hasher.verify(a.password_hash!, temp)).valid);
      const s = await env.platform.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('id', '=', open.id).executeTakeFirstOrThrow();
      assert.ok(s.ended_at);
      assert.equal(s.end_reason, 'ended_by_staff');
      // The temporary password never appears on the person page.
      const page = await operator.agent.get(`/backoffice/people/${p.id}`);
      assert.ok(!page.body.includes(temp));
    });

    test('unlock, disable and enable', async () => {
      const locked = await person(env.platform, { status: 'active', locked_until: new Date(env.clock.now().getTime() + 3600_000) });
      assert.equal((await act(operator, locked.id, 'unlock', { reason: 'تأیید هویت حضوری' })).statusCode, 303);
      assert.equal((await account(env.platform, locked.id))!.locked_until, null);
      assert.equal((await act(operator, locked.id, 'unlock', { reason: 'دوباره' })).statusCode, 409);

      assert.equal((await act(operator, locked.id, 'disable', { reason: 'درخواست خود شخص' })).statusCode, 303);
      assert.ok((await account(env.platform, locked.id))!.disabled_at);
      assert.match((await lastSmsTo(env.platform, locked.mobile))!, /غیرفعال شد/);
      assert.equal((await act(operator, locked.id, 'disable', { reason: 'دوباره' })).statusCode, 409);
      assert.equal((await act(operator, locked.id, 'enable', { reason: 'رفع مشکل' })).statusCode, 303);
      assert.equal((await account(env.platform, locked.id))!.disabled_at, null);
      const events = (await eventsOf(env.platform, locked.id)).map((e) => e.event).filter((e) => e !== 'backoffice.person_viewed');
      assert.deepEqual(events, ['backoffice.account_unlocked', 'backoffice.account_disabled', 'backoffice.account_enabled']);
    });

    test('record a foreign national’s identifier: once, with documents; search shows it', async () => {
      await operator.agent.get('/backoffice/foreign-nationals');
      const bad = await operator.agent.post('/backoffice/foreign-nationals', { foreignNationalId: '12345', reason: 'کارت دیده شد' });
      assert.equal(bad.statusCode, 400);
      await operator.agent.get('/backoffice/foreign-nationals');
      const ok = await operator.agent.post('/backoffice/foreign-nationals', { foreignNationalId: '۱۲۳۴۵۶۷۸۹۰۱۲', documents: 'fida_card', reason: 'کارت فراگیر دیده شد' });
      assert.equal(ok.statusCode, 303);
      const row = await env.platform.db.selectFrom('foreign_national_preregistrations').selectAll().where('foreign_national_id', '=', '123456789012').executeTakeFirstOrThrow();
      assert.equal(row.recorded_by, operator.id);
      assert.equal(row.branch_code, '112');
      await operator.agent.get('/backoffice/foreign-nationals');
      const dup = await operator.agent.post('/backoffice/foreign-nationals', { foreignNationalId: '123456789012', documents: 'fida_card', reason: 'دوباره' });
      assert.equal(dup.statusCode, 400);
      const found = await auditor.agent.get('/backoffice/search?q=123456789012');
      assert.match(found.body, /در شعبه ثبت شده است/);
    });
  });

  describe('roles', () => {
    test('an auditor reads but cannot act', async () => {
      const p = await person(env.platform, { status: 'awaiting_branch_visit' });
      const page = await auditor.agent.get(`/backoffice/people/${p.id}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(`/backoffice/people/${p.id}/activate`), 'no action forms shown');
      for (const [action, form] of [
        ['activate', { documents: 'national_card', reason: 'تلاش بازرس' }],
        ['reject', { reason: 'تلاش بازرس' }],
        ['mobile', { mobile: '09121110000', reason: 'تلاش بازرس' }],
        ['reset-password', { reason: 'تلاش بازرس' }],
        ['disable', { reason: 'تلاش بازرس' }],
      ] as const) {
        const r = await act(auditor, p.id, action, form);
        assert.equal(r.statusCode, 403, action);
      }
      assert.equal((await account(env.platform, p.id))!.status, 'awaiting_branch_visit');
      await auditor.agent.get('/backoffice/search');
      const foreign = await auditor.agent.post('/backoffice/foreign-nationals', { foreignNationalId: '998877665544', documents: 'fida_card', reason: 'تلاش بازرس' });
      assert.equal(foreign.statusCode, 403);
      assert.equal((await auditor.agent.get('/backoffice/foreign-nationals')).statusCode, 403);
      assert.equal((await auditor.agent.get('/backoffice/audit')).statusCode, 200);
    });

    test('a branch operator acts but does not run the audit check; an admin does everything', async () => {
      assert.equal((await operator.agent.get('/backoffice/audit')).statusCode, 403);
      const p = await person(env.platform, { status: 'awaiting_branch_visit' });
      assert.equal((await act(admin, p.id, 'disable', { reason: 'مدیر' })).statusCode, 303);
      assert.equal((await admin.agent.get('/backoffice/audit')).statusCode, 200);
      assert.equal((await admin.agent.get('/backoffice/foreign-nationals')).statusCode, 200);
    });

    test('the service refuses by role too, not only the routes', async () => {
      const p = await person(env.platform, { status: 'awaiting_branch_visit' });
      const auditorPrincipal = { id: auditor.id, username: auditor.username, role: 'auditor' as const, branchCode: null };
      const r = await env.platform.backoffice.activate(auditorPrincipal, p.id, { documents: 'passport', reason: 'مستقیم' }, { ip: '1.1.1.1' });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.code, 'backoffice.forbidden');
      const v = await env.platform.backoffice.verifyAudit({ ...auditorPrincipal, role: 'branch_operator', branchCode: '112' });
      assert.equal(v.ok, false);
    });
  });

  describe('lists', () => {
    test('registrations past the promise without an outcome', async () => {
      const p = await person(env.platform, { status: 'pending_verification' });
      const old = new Date(env.clock.now().getTime() - 49 * 3600_000);
      await env.platform.db.insertInto('verification_requests').values({ account_id: p.id, created_at: old, due_at: old }).execute();
      const fresh = await person(env.platform, { status: 'pending_verification' });
      await env.platform.db.insertInto('verification_requests').values({ account_id: fresh.id, created_at: env.clock.now(), due_at: env.clock.now() }).execute();
      const page = await operator.agent.get('/backoffice/overdue');
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(`/backoffice/people/${p.id}`));
      assert.ok(!page.body.includes(`/backoffice/people/${fresh.id}`));
    });

    test('undelivered SMS are listed and can be resent (operator), not by an auditor', async () => {
      const p = await person(env.platform, { status: 'active' });
      const id = await env.platform.db.transaction().execute(async (trx) => {
        await env.platform.sms.enqueue(trx, { to: p.mobile, template: 'sms.backoffice_enabled', params: {}, lang: 'fa', idempotencyKey: `test-dead-${p.id}`, accountId: p.id });
        const row = await trx.selectFrom('sms_messages').select('id').where('idempotency_key', '=', `test-dead-${p.id}`).executeTakeFirstOrThrow();
        await trx.updateTable('sms_messages').set({ status: 'dead', last_error: 'provider 418', attempts: 9 }).where('id', '=', row.id).execute();
        return row.id;
      });
      const list = await auditor.agent.get('/backoffice/sms/dead');
      assert.ok(list.body.includes('provider 418'));
      assert.ok(!list.body.includes(`/backoffice/sms/${id}/resend`), 'no resend button for an auditor');
      assert.equal((await auditor.agent.post(`/backoffice/sms/${id}/resend`, {})).statusCode, 403);
      await operator.agent.get('/backoffice/sms/dead');
      const res = await operator.agent.post(`/backoffice/sms/${id}/resend`, {});
      assert.equal(res.statusCode, 303);
      const row = await env.platform.db.selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'queued');
      // The fresh delivery job really delivers it.
      await env.platform.queue.runDue('sms-deliver');
      const delivered = await env.platform.db.selectFrom('sms_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(delivered.status, 'sent');
      await operator.agent.get('/backoffice/sms/dead');
      assert.equal((await operator.agent.post(`/backoffice/sms/${id}/resend`, {})).statusCode, 404, 'no longer dead');
      assert.ok((await eventsOf(env.platform, p.id)).some((e) => e.event === 'backoffice.sms_resent'));
    });
  });

  describe('audit trail', () => {
    test('is append-only in the database and a tampered row is named by verifyAuditChain', async () => {
      const intact = await verifyAuditChain(env.platform.db);
      assert.ok(intact.ok, JSON.stringify(intact));
      assert.ok(intact.checked > 10);
      await assert.rejects(sql`UPDATE audit_events SET event = 'x' WHERE id = 3`.execute(env.platform.db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_events WHERE id = 3`.execute(env.platform.db), /append-only/);

      const target = await env.platform.db.selectFrom('audit_events').select('id').where('event', '=', 'backoffice.account_activated').executeTakeFirstOrThrow();
      // Bypass the trigger as an attacker with table-owner rights would.
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(env.platform.db);
      await sql`UPDATE audit_events SET data = jsonb_set(data, '{reason}', '"changed later"') WHERE id = ${target.id}`.execute(env.platform.db);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(env.platform.db);
      const broken = await verifyAuditChain(env.platform.db);
      assert.equal(broken.ok, false);
      assert.deepEqual(!broken.ok && broken.brokenAt, { id: Number(target.id), reason: 'hash' });
      assert.ok(!broken.ok && broken.checked < intact.checked);

      // A row removed from the middle of a chain: the next row of that chain is named.
      const victim = await env.platform.db.selectFrom('audit_events').select(['id', 'chain']).where('id', '<', Number(target.id)).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      const following = await env.platform.db.selectFrom('audit_events').select('id').where('chain', '=', victim.chain).where('id', '>', victim.id).orderBy('id').limit(1).executeTakeFirst();
      if (following && Number(following.id) < Number(target.id)) {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(env.platform.db);
        await sql`DELETE FROM audit_events WHERE id = ${victim.id}`.execute(env.platform.db);
        await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(env.platform.db);
        const cut = await verifyAuditChain(env.platform.db);
        assert.deepEqual(!cut.ok && cut.brokenAt, { id: Number(following.id), reason: 'prev_hash' });
      }

      const page = await auditor.agent.get('/backoffice/audit');
      assert.equal(page.statusCode, 409);
      assert.ok(page.body.includes(`شماره ${target.id}`) || page.body.includes(String(target.id).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!)));
    });
  });

  describe('CLI', () => {
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
    };

    test('staff add refuses an unknown role and a branch operator without a branch', async () => {
      const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-cli-')), SECRET_KEY: 'cli-test-secret-key-cli-test-secret-key-0123' });
      const a = io();
      assert.equal(await COMMANDS['staff add']!.run(['--username', 'someone', '--role', 'superuser'], { config, io: a.io }), 2);
      assert.match(a.err.join('\n'), /unknown role "superuser"/);
      const b = io();
      assert.equal(await staffAdd(['--username', 'nobranch', '--role', 'branch_operator'], env.platform.staff, b.io), 2);
      const c = io();
      assert.equal(await staffAdd(['--username', 'farbranch', '--role', 'branch_operator', '--branch', '999999'], env.platform.staff, c.io), 1);
      assert.match(c.err.join('\n'), /No branch has this code/);
      assert.equal(await env.platform.db.selectFrom('staff_users').select('id').where('username', 'in', ['someone', 'nobranch', 'farbranch']).executeTakeFirst(), undefined);
    });

    test('staff add prints a one-time password and a TOTP URI that sign in', async () => {
      const a = io();
      assert.equal(await staffAdd(['--username', 'cli.op', '--role', 'branch_operator', '--branch', '104'], env.platform.staff, a.io), 0);
      const text = a.out.join('\n');
      const password = /one-time password[^:]*: (\S+)/.exec(text)![1]!;
      const uri = /(otpauth:\/\/totp\/\S+)/.exec(text)![1]!;
      assert.match(uri, /issuer=/);
      const agent = browser(env.app);
      await agent.get('/backoffice/signin');
      const res = await agent.post('/backoffice/signin', { username: 'cli.op', password, code: await codeAt(secretOf(uri), env) });
      assert.equal(res.statusCode, 303);
      const dup = io();
      assert.equal(await staffAdd(['--username', 'cli.op', '--role', 'auditor'], env.platform.staff, dup.io), 1);
    });

    test('audit verify over the CLI on its own database', async () => {
      const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'dargah-cli-')), SECRET_KEY: 'cli-test-secret-key-cli-test-secret-key-0123', ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' });
      const add = io();
      assert.equal(await COMMANDS['staff add']!.run(['--username', 'first.admin', '--role', 'admin'], { config, io: add.io }), 0, add.err.join('\n'));
      const v = io();
      assert.equal(await COMMANDS['audit verify']!.run([], { config, io: v.io }), 0, v.err.join('\n'));
      assert.match(v.out.join('\n'), /intact: 1 events/);
    });
  });
});

describe('back office sessions', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(() => env.close());

  test('a session ends after the idle timeout and at sign-out', async () => {
      const s = await signedInStaff(env, 'idle.one', 'auditor');
      assert.equal((await s.agent.get('/backoffice/search')).statusCode, 200);
      env.clock.advance((env.config.backoffice.idleMinutes - 1) * 60_000);
      assert.equal((await s.agent.get('/backoffice/search')).statusCode, 200, 'activity keeps it alive');
      env.clock.advance((env.config.backoffice.idleMinutes + 1) * 60_000);
      const idle = await s.agent.get('/backoffice/search');
      assert.equal(idle.statusCode, 303);
      assert.match(String(idle.headers.location), /^\/backoffice\/signin/);

      const t = await signedInStaff(env, 'signout.one', 'auditor');
      await t.agent.get('/backoffice/search');
      const out = await t.agent.post('/backoffice/signout', {});
      assert.equal(out.statusCode, 303);
      const cookie = t.agent.jar.get('bo_session');
      const after = await env.app.inject({ method: 'GET', url: '/backoffice/search', headers: { cookie: `bo_session=${cookie}` } });
      assert.equal(after.statusCode, 303);
    });

});
