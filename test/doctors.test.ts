// Doctors' registration end to end through HTTP (API and pages): a request, its check by the
// job against a medical council registry of this test's own people (MEDICAL_COUNCIL_CSV),
// the SMS, the `doctor` permission, and every refusal: expired licence, another name, a
// number already held, a registry that is down (retried, then verified), an account that
// is not active, a bad number. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { DOCTOR_VERIFICATION_QUEUE } from '../src/doctors/doctors.service.js';
import type { RegistryFaults } from '../src/registries/index.js';
import { apiSignIn, bearer, insertAccount, nextNationalCode } from './signin.support.js';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';

// The test clock starts on 2026-11-22, i.e. 1 Azar 1405 in Tehran.
const people = {
  verified: { nationalCode: nextNationalCode(), number: '52001' },
  expired: { nationalCode: nextNationalCode(), number: '52002' },
  misnamed: { nationalCode: nextNationalCode(), number: '52003' },
  holder: { nationalCode: nextNationalCode(), number: '52004' },
  down: { nationalCode: nextNationalCode(), number: '52005' },
  page: { nationalCode: nextNationalCode(), number: '52006' },
  ending: { nationalCode: nextNationalCode(), number: '52007' },
};
const CSV = [
  'medicalCouncilNumber,nationalCode,firstName,lastName,specialty,licenceValidUntil',
  // The registry spells the name with Arabic letters; the account has Persian ones.
  `52001,${people.verified.nationalCode},علي,كاظمی,جراحی عمومی,1410-01-01`,
  `52002,${people.expired.nationalCode},مریم,کاظمی,کودکان,1402-06-31`,
  `52003,${people.misnamed.nationalCode},مریم,حسینی,پوست,1410-01-01`,
  `52004,${people.holder.nationalCode},مریم,کاظمی,داخلی,1410-01-01`,
  `52005,${people.down.nationalCode},مریم,کاظمی,چشم,1410-01-01`,
  `52006,${people.page.nationalCode},مریم,کاظمی,رادیولوژی,1410-01-01`,
  // Valid until 10 Azar 1405: nine days after the clock's start.
  `52007,${people.ending.nationalCode},مریم,کاظمی,قلب,1405-09-10`,
].join('\n');

let env: TestEnv;
const faults: RegistryFaults = {};

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-doctors-'));
  const csv = path.join(dir, 'medical-council.csv');
  writeFileSync(csv, `${CSV}\n`);
  env = await createTestEnv({ env: { MEDICAL_COUNCIL_CSV: csv }, platform: { registryFaults: faults } });
});
after(async () => {
  await env?.close();
});

async function signedIn(p: { nationalCode: string }, o: { firstName?: string; lastName?: string } = {}) {
  const account = await insertAccount(env.platform, { nationalCode: p.nationalCode, firstName: o.firstName ?? 'مریم', lastName: o.lastName ?? 'کاظمی' });
  const res = await apiSignIn(env.app, account.nationalCode, account.password);
  assert.equal(res.statusCode, 200, res.body);
  return { ...account, token: res.json().sessionToken as string };
}

const register = (token: string, medicalCouncilNumber: unknown, lang = 'fa') =>
  env.app.inject({ method: 'POST', url: '/api/v1/me/doctor', headers: { ...bearer(token), 'accept-language': lang }, payload: { medicalCouncilNumber } });
const me = async (token: string) => (await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).json();
const runChecks = (options: { includeFuture?: boolean } = {}) => env.platform.queue.runDue(DOCTOR_VERIFICATION_QUEUE.name, options);
const events = async (accountId: string) =>
  (await env.platform.db.selectFrom('audit_events').select('event').where('account_id', '=', accountId).orderBy('id').execute()).map((e) => e.event);

describe('doctors: registration and verification', () => {
  test('verified: number, national code and name match (letters folded) and the licence is valid → doctor permission, SMS in the request\'s language', async () => {
    const a = await signedIn(people.verified, { firstName: 'علی', lastName: 'کاظمی' });
    assert.equal((await me(a.token)).doctor, null);
    // Persian digits, as typed on a Persian phone keyboard; English asked for by the app.
    const res = await register(a.token, '۵۲۰۰۱', 'en');
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { status: 'pending_verification' });
    assert.deepEqual((await me(a.token)).doctor, { medicalCouncilNumber: '52001', specialty: null, status: 'pending_verification' });

    // The development helper settles doctors' requests too (API.md).
    const run = await env.app.inject({ method: 'POST', url: '/dev/verification/run' });
    assert.equal(run.statusCode, 200);
    assert.ok(run.json().processed >= 1);

    const after = await me(a.token);
    assert.deepEqual(after.doctor, { medicalCouncilNumber: '52001', specialty: 'جراحی عمومی', status: 'verified' });
    assert.ok(after.permissions.includes('doctor'));
    const sms = await lastSmsTo(env.platform, a.mobile);
    assert.match(sms ?? '', /medical council number 52001 is verified/);
    // The permission is the accounts capability's change, with its own event, in the same transaction.
    const trail = await events(a.id);
    assert.deepEqual(trail.filter((e) => e.startsWith('doctors.')), ['doctors.requested', 'doctors.verified']);
    assert.equal(trail.length, 3, trail.join(', '));

    // A second request: already a doctor.
    const again = await register(a.token, '52001');
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'doctors.already_doctor');
    assert.match(again.json().error.message, /پزشک تأیید شده‌اید/);
  });

  test('expired licence: rejected, no permission, the SMS says the licence has expired; a new request may follow', async () => {
    const a = await signedIn(people.expired);
    assert.equal((await register(a.token, '52002')).statusCode, 202);
    assert.equal(await runChecks(), 1);
    const after = await me(a.token);
    assert.equal(after.doctor.status, 'rejected');
    assert.ok(!after.permissions.includes('doctor'));
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /اعتبار پروانه پزشکی شماره 52002 به پایان رسیده است/);
    const record = await env.platform.doctors.recordOf(a.id);
    assert.equal(record?.rejectionReason, 'licence_expired');
    assert.deepEqual(record?.history.map((h) => [h.status, h.reason, h.actorType]), [
      ['rejected', 'licence_expired', 'system'],
      ['pending_verification', null, 'person'],
    ]);
    // Rejected is not final: the person may send a number again.
    assert.equal((await register(a.token, '52002')).statusCode, 202);
  });

  test('name mismatch: the council has another surname → rejected with the mismatch SMS', async () => {
    const a = await signedIn(people.misnamed);
    assert.equal((await register(a.token, '52003')).statusCode, 202);
    await runChecks();
    assert.equal((await me(a.token)).doctor.status, 'rejected');
    assert.equal((await env.platform.doctors.recordOf(a.id))?.rejectionReason, 'name_mismatch');
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /یکسان نبود و تأیید نشد/);
    assert.deepEqual(await events(a.id), ['doctors.requested', 'doctors.rejected']);
  });

  test('a number that is not in the registry, or belongs to another national code, is rejected', async () => {
    const a = await signedIn({ nationalCode: nextNationalCode() });
    assert.equal((await register(a.token, '99999')).statusCode, 202);
    await runChecks();
    assert.equal((await env.platform.doctors.recordOf(a.id))?.rejectionReason, 'not_in_registry');
    assert.equal((await register(a.token, '52006')).statusCode, 202);
    await runChecks();
    assert.equal((await env.platform.doctors.recordOf(a.id))?.rejectionReason, 'national_code_mismatch');
  });

  test('number already used: 409 while another account waits for it and once it holds it', async () => {
    const holder = await signedIn(people.holder);
    const other = await signedIn({ nationalCode: nextNationalCode() });
    assert.equal((await register(holder.token, '52004')).statusCode, 202);
    const pendingClaim = await register(other.token, '052004', 'en');
    assert.equal(pendingClaim.statusCode, 409);
    assert.equal(pendingClaim.json().error.code, 'doctors.number_taken');
    assert.match(pendingClaim.json().error.message, /registered to another account/);
    // The holder's own second request while the first is checked.
    assert.equal((await register(holder.token, '52004')).json().error.code, 'doctors.request_pending');
    await runChecks();
    assert.equal((await me(holder.token)).doctor.status, 'verified');
    assert.equal((await register(other.token, '52004')).statusCode, 409);
    assert.equal((await env.platform.doctors.summaryOf(other.id)), null);
  });

  test('registry down: the check is retried (never a "no"), then verified when the registry answers', async () => {
    const a = await signedIn(people.down);
    assert.equal((await register(a.token, '52005')).statusCode, 202);
    faults.medicalCouncil = 'unavailable';
    try {
      assert.equal(await runChecks(), 1);
      await runChecks({ includeFuture: true });
    } finally {
      faults.medicalCouncil = null;
    }
    const waiting = await env.platform.doctors.recordOf(a.id);
    assert.equal(waiting?.status, 'pending_verification');
    assert.equal(waiting?.attempts, 2);
    assert.equal(waiting?.lastError, 'medical_council:simulated_outage');
    assert.equal(await lastSmsTo(env.platform, a.mobile), undefined, 'nothing is announced while the registry is down');

    // The job waits for its retry delay; the dev helper makes it due now.
    await runChecks({ includeFuture: true });
    assert.equal((await me(a.token)).doctor.status, 'verified');
    assert.ok((await me(a.token)).permissions.includes('doctor'));
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /52005/);
  });

  test('bad number → 400 with a localised error on the field', async () => {
    const a = await signedIn({ nationalCode: nextNationalCode() });
    for (const [input, code] of [
      ['12a45', 'medical_council_number.format'],
      ['123456789', 'medical_council_number.format'],
      ['', 'medical_council_number.required'],
    ] as const) {
      const res = await register(a.token, input, 'en');
      assert.equal(res.statusCode, 400, String(input));
      assert.equal(res.json().error.fields.medicalCouncilNumber, code);
    }
    const fa = await register(a.token, 'abc');
    assert.equal(fa.json().error.fields.medicalCouncilNumber, 'medical_council_number.format');
    assert.equal(await env.platform.doctors.summaryOf(a.id), null);
  });

  test('not active → 403: an account without a national code over the API, and a pending account at the service', async () => {
    const foreign = await insertAccount(env.platform, { foreignNationalId: '123456789012' });
    const signin = await apiSignIn(env.app, foreign.nationalCode, foreign.password);
    assert.equal(signin.statusCode, 200, signin.body);
    const res = await register(signin.json().sessionToken, '52001', 'en');
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'doctors.national_code_required');

    // Sessions exist only for active accounts; the service checks again itself.
    const pending = await insertAccount(env.platform, { status: 'pending_verification' });
    const refused = await env.platform.doctors.register(pending.id, { medicalCouncilNumber: '52001' }, { ip: '127.0.0.1', lang: 'fa' });
    assert.deepEqual(refused, { ok: false, error: { kind: 'forbidden', code: 'doctors.account_not_active' } });

    // A pending password change comes first (the session gate answers 403 too).
    const forced = await insertAccount(env.platform, { mustChangePassword: true });
    const forcedToken = (await apiSignIn(env.app, forced.nationalCode, forced.password)).json().sessionToken;
    assert.equal((await register(forcedToken, '52001')).statusCode, 403);
    assert.equal((await register('not-a-token', '52001')).statusCode, 401);
  });

  test('a licence that ends: the daily re-check takes the permission back and says so by SMS', async () => {
    const a = await signedIn(people.ending);
    assert.equal((await register(a.token, '52007')).statusCode, 202);
    await runChecks();
    assert.ok((await me(a.token)).permissions.includes('doctor'));
    assert.equal(await env.platform.doctors.recheckEndedLicences(), 0, 'still valid');
    assert.deepEqual(await env.platform.doctors.claimsOf(a.id), { medical_council_number: '52007', specialty: 'قلب' });

    // 10 Azar is the last valid day; on 11 Azar the licence has ended.
    env.clock.advance(10 * 86400_000);
    assert.equal(await env.platform.doctors.claimsOf(a.id), null, 'an ended licence is not vouched for');
    assert.equal(await env.platform.doctors.recheckEndedLicences(), 1);
    await runChecks();
    // (The session has long expired: read through the services.)
    assert.equal((await env.platform.doctors.summaryOf(a.id))?.status, 'rejected');
    assert.equal((await env.platform.doctors.recordOf(a.id))?.rejectionReason, 'licence_expired');
    assert.ok(!(await env.platform.account.profile(a.id))?.permissions.includes('doctor'));
    assert.match((await lastSmsTo(env.platform, a.mobile)) ?? '', /دسترسی پزشک از حساب شما/);
    assert.equal((await events(a.id)).at(-1), 'doctors.licence_ended');
  });
});

describe('doctors: pages', () => {
  test('the sign-in page links the guide; the guide explains the steps; /account/doctor takes the number (303) and shows it', async () => {
    const agent = browser(env.app);
    const signinPage = await agent.get('/signin');
    assert.match(signinPage.body, /<a href="\/doctors">ثبت نام پزشکان<\/a>/);
    const guide = await agent.get('/doctors');
    assert.equal(guide.statusCode, 200);
    assert.match(guide.body, /ابتدا در درگاه ثبت نام کنید/);
    assert.match(guide.body, /href="\/signin\?next=%2Faccount%2Fdoctor"/);

    const a = await insertAccount(env.platform, { firstName: 'مریم', lastName: 'کاظمی' });
    assert.equal((await agent.get('/account/doctor')).statusCode, 303, 'signed out: to the sign-in page');
    await agent.get('/signin');
    const signin = await agent.post('/signin', { username: a.nationalCode, password: a.password });
    assert.equal(signin.statusCode, 303, signin.body);

    const form = await agent.get('/account/doctor');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="medicalCouncilNumber"/);

    const bad = await agent.post('/account/doctor', { medicalCouncilNumber: '۱۲الف' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="medicalCouncilNumber-error"[^>]*>شماره نظام پزشکی فقط از رقم تشکیل می‌شود/);
    assert.match(bad.body, /aria-invalid="true"/);
    assert.match(bad.body, /value="۱۲الف"/, 'what was typed comes back');

    const ok = await agent.post('/account/doctor', { medicalCouncilNumber: '۹۸۷۶۵' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/account/doctor?notice=submitted');
    const shown = await agent.get('/account/doctor?notice=submitted');
    assert.match(shown.body, /درخواست شما ثبت شد/);
    assert.match(shown.body, /id="doctor-number"[^>]*>۹۸۷۶۵</);
    assert.match(shown.body, /در انتظار بررسی/);
    assert.doesNotMatch(shown.body, /name="medicalCouncilNumber"/, 'no second request while one is checked');
    const account = await agent.get('/account');
    assert.match(account.body, /id="account-doctor-status"[^>]*>در انتظار بررسی/);
    const conflict = await agent.post('/account/doctor', { medicalCouncilNumber: '98765' });
    assert.equal(conflict.statusCode, 409);
    assert.match(conflict.body, /درخواست قبلی شما هنوز در حال بررسی است/);

    // Not in the registry: the page says why and offers the form again.
    await runChecks();
    const rejected = await agent.get('/account/doctor?notice=submitted');
    assert.match(rejected.body, /id="doctor-status"[^>]*>تأیید نشد/);
    assert.match(rejected.body, /این شماره در سامانه نظام پزشکی پیدا نشد/);
    assert.match(rejected.body, /name="medicalCouncilNumber"/);
    assert.doesNotMatch(rejected.body, /درخواست شما ثبت شد/);
  });

  test('the back office shows a person\'s doctor record and its history', async () => {
    const a = await signedIn({ nationalCode: nextNationalCode() });
    assert.equal((await register(a.token, '99998')).statusCode, 202);
    await runChecks();

    const created = await env.platform.staff.create({ username: 'doctors-admin', role: 'admin' });
    assert.ok(created.ok);
    const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
    const staff = browser(env.app);
    await staff.get('/backoffice/signin');
    const code = await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
    const signin = await staff.post('/backoffice/signin', { username: 'doctors-admin', password: created.value.oneTimePassword, code });
    assert.equal(signin.statusCode, 303, signin.body);
    await staff.get('/backoffice/password');
    assert.equal((await staff.post('/backoffice/password', { newPassword: 'Branch!Desk2026xq', newPasswordConfirmation: 'Branch!Desk2026xq' })).statusCode, 303);

    const page = await staff.get(`/backoffice/people/${a.id}`);
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /پزشک \(نظام پزشکی\)/);
    assert.match(page.body, /id="doctor-number"[^>]*>۹۹۹۹۸</);
    const history = /<table class="data" id="doctor-history">([\s\S]*?)<\/table>/.exec(page.body)?.[1] ?? '';
    assert.match(history, /تأیید نشد[\s\S]*این شماره در سامانه نظام پزشکی پیدا نشد[\s\S]*سامانه/);
    assert.match(history, /در انتظار بررسی[\s\S]*خود شخص/);
  });
});
