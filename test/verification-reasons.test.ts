// A rejected registration keeps why (field names only, never values) on verification's own
// table: the back office finds it by national code search, on the person page of a later
// registration and in the list of rejections; a metric counts the differing fields; the
// citizen's SMS and status page stay as they were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { maskNationalCode } from '../src/identity/nationalCode.js';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { t } from '../src/messages/index.js';
import { VERIFICATION_QUEUE } from '../src/verification/verification.service.js';
import { browser, createTestEnv, lastCodeTo, type TestEnv } from './support.js';

type Person = { nationalCode: string; mobile: string; operator: string };
const base = {
  country: 'IR',
  city: 'تهران',
  email: '',
  password: 'Kuhsar!Pelak93Zard',
  passwordConfirmation: 'Kuhsar!Pelak93Zard',
  securityQuestion: 'first_school',
  securityAnswer: 'دبستان فردوسی',
};
// Demo people of the civil registry (demo/civil-registry.csv).
const ALI: Person = { nationalCode: '0014789663', mobile: '09128890822', operator: 'mci' };
const ALI_DETAILS = {
  ...base, firstName: 'علی', lastName: 'رضایی', gender: 'male', birthDate: '1362-04-18',
  birthCertificateNumber: '37042', birthCertificateSerial: '983341', birthCertificateSeries: 'ج/50',
};
const MARYAM: Person = { nationalCode: '1282871242', mobile: '09351925705', operator: 'irancell' };
const MARYAM_DETAILS = {
  ...base, firstName: 'مریم', lastName: 'احمدی', gender: 'female', birthDate: '1370-07-02',
  birthCertificateNumber: '1282871242', birthCertificateSerial: '470983', birthCertificateSeries: 'ج/88',
};
const GHOST: Person = { nationalCode: '6649943223', mobile: '09129417847', operator: 'mci' };
const GHOST_DETAILS = {
  ...base, firstName: 'کاوه', lastName: 'بهرامی', gender: 'male', birthDate: '1365-02-02',
  birthCertificateNumber: '12345', birthCertificateSerial: '123456', birthCertificateSeries: 'الف/10',
};

let ip = 0;
async function register(env: TestEnv, person: Person, details: Record<string, string>) {
  const meta = { ip: `10.7.0.${++ip}`, lang: 'fa' as const };
  const reg = env.platform.registration;
  const started = await reg.start({ nationalCode: person.nationalCode, mobileOperator: person.operator, mobile: person.mobile }, meta);
  assert.ok(started.ok, JSON.stringify(started));
  assert.ok((await reg.verifyCode(started.value.flowId, { code: await lastCodeTo(env.platform, person.mobile) })).ok);
  const done = await reg.complete(started.value.flowId, details, meta);
  assert.ok(done.ok, JSON.stringify(done));
  return env.platform.db
    .selectFrom('accounts as a')
    .innerJoin('verification_requests as r', 'r.account_id', 'a.id')
    .select(['a.id as accountId', 'r.id as requestId'])
    .where('a.national_code', '=', person.nationalCode)
    .executeTakeFirstOrThrow();
}

const runVerifications = (env: TestEnv) => env.platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true });

async function statusOf(env: TestEnv, person: Person) {
  const r = await env.platform.registration.status({ nationalCode: person.nationalCode, mobile: person.mobile }, { ip: '10.7.9.9', lang: 'fa' });
  assert.ok(r.ok);
  return r.value.status;
}

async function signedInStaff(env: TestEnv, username: string, role: 'branch_operator' | 'auditor') {
  const created = await env.platform.staff.create({ username, role, ...(role === 'branch_operator' ? { branchCode: '112' } : {}) });
  assert.ok(created.ok, JSON.stringify(!created.ok && created.error));
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const code = await generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  const res = await agent.post('/backoffice/signin', { username, password: created.value.oneTimePassword, code });
  assert.equal(res.statusCode, 303, res.body);
  await agent.get('/backoffice/password');
  const changed = await agent.post('/backoffice/password', { newPassword: 'Branch!Desk2026xq', newPasswordConfirmation: 'Branch!Desk2026xq' });
  assert.equal(changed.statusCode, 303, changed.body);
  env.clock.advance(30_000);
  return agent;
}

/** The rows of the rejections table(s) on a page, as text cells. */
function rejectionRows(html: string): string[][] {
  const tables = [...html.matchAll(/<table class="data rejections">([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
  return tables.flatMap((table) =>
    [...table.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].flatMap((b) =>
      [...b[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => [...tr[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => td[1]!.trim())),
    ),
  );
}

describe('why a registration was rejected, for staff', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(async () => env.close());

  test('a rejection records the fields that differed (names only) on verification_rejections', async () => {
    const ali = await register(env, ALI, { ...ALI_DETAILS, birthDate: '1362-04-19' });
    const maryam = await register(env, MARYAM, { ...MARYAM_DETAILS, gender: 'male', birthCertificateSerial: '470984' });
    const ghost = await register(env, GHOST, GHOST_DETAILS);
    assert.equal(await runVerifications(env), 3);

    const rows = await env.platform.db.selectFrom('verification_rejections').selectAll().execute();
    const byRequest = new Map(rows.map((r) => [r.request_id, r]));
    assert.equal(rows.length, 3);
    assert.deepEqual(byRequest.get(ali.requestId)?.fields, ['birthDate']);
    assert.equal(byRequest.get(ali.requestId)?.reason, 'details_mismatch');
    assert.deepEqual(byRequest.get(maryam.requestId)?.fields, ['gender', 'birthCertificateSerial']);
    assert.deepEqual(byRequest.get(ghost.requestId)?.fields, []);
    assert.equal(byRequest.get(ghost.requestId)?.reason, 'not_in_civil_registry');
    assert.equal(byRequest.get(ali.requestId)?.national_code_masked, maskNationalCode(ALI.nationalCode));
    for (const r of rows) {
      // Nothing personal in clear: not the code, the mobile, a name, a date or a certificate value.
      // The two random columns (the request's id and the code's HMAC) are checked for what they
      // are, not searched for digits: a random value holds '1983' now and then (a run failed so).
      const { request_id: requestId, national_code_hash: hash, ...rest } = r;
      assert.ok([ali.requestId, maryam.requestId, ghost.requestId].includes(requestId));
      assert.match(hash, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(![ALI.nationalCode, MARYAM.nationalCode, GHOST.nationalCode].includes(hash));
      const text = JSON.stringify(rest);
      for (const value of [ALI.nationalCode, MARYAM.nationalCode, GHOST.nationalCode, ALI.mobile, 'رضایی', 'احمدی', '470984', '1362', '1983']) {
        assert.ok(!text.includes(value), `${value} is not kept`);
      }
      assert.equal(r.submitted_at.getTime() <= r.rejected_at.getTime(), true);
    }
    // The account and its request are gone as before.
    assert.equal((await env.platform.db.selectFrom('verification_requests').select('id').where('id', '=', ali.requestId).execute()).length, 0);
    assert.equal((await env.platform.db.selectFrom('accounts').select('id').where('national_code', '=', ALI.nationalCode).execute()).length, 0);
  });

  test('the citizen still gets the same SMS and status page: no reasons there', async () => {
    assert.equal(await statusOf(env, ALI), 'rejected');
    const sms = await env.platform.db.selectFrom('sms_messages').select(['template', 'body']).where('to_mobile', '=', ALI.mobile).where('template', '=', 'sms.verification_mismatch').execute();
    assert.equal(sms.length, 1);
    assert.equal(sms[0]!.body, t('fa', 'sms.verification_mismatch', { greeting: 'آقای رضایی' }));
    assert.ok(!sms[0]!.body.includes('تاریخ تولد'));
    await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
  });

  test('the metric counts rejections by differing field', async () => {
    const text = await env.platform.metrics.registry.metrics();
    assert.match(text, /dargah_verification_mismatched_fields_total\{field="birthDate"\} 1\n/);
    assert.match(text, /dargah_verification_mismatched_fields_total\{field="gender"\} 1\n/);
    assert.match(text, /dargah_verification_mismatched_fields_total\{field="birthCertificateSerial"\} 1\n/);
    assert.doesNotMatch(text, /dargah_verification_mismatched_fields_total\{field="firstName"\}/);
  });

  test('the back office: search by national code, the list of rejections, the person page of a later registration', async () => {
    const operator = await signedInStaff(env, 'op.reasons', 'branch_operator');

    // The account is gone; a search by the code still tells why it was rejected.
    const search = await operator.get(`/backoffice/search?q=${ALI.nationalCode}`);
    assert.equal(search.statusCode, 200);
    assert.match(search.body, /حسابی با این مشخصات پیدا نشد/);
    const found = rejectionRows(search.body);
    assert.equal(found.length, 1, 'only this code’s rejection');
    assert.equal(found[0]![0], maskNationalCode(ALI.nationalCode));
    assert.equal(found[0]![3], 'مشخصات با ثبت احوال یکسان نیست');
    assert.equal(found[0]![4], 'تاریخ تولد');

    // Persian digits typed: the same.
    const persian = await operator.get(`/backoffice/search?q=${encodeURIComponent('۰۰۱۴۷۸۹۶۶۳')}`);
    assert.equal(rejectionRows(persian.body).length, 1);

    // A code without rejections shows none.
    const none = await operator.get('/backoffice/search?q=0636676595');
    assert.equal(rejectionRows(none.body).length, 0);

    // The overdue list leads to the rejected one.
    assert.match((await operator.get('/backoffice/overdue')).body, /<a href="\/backoffice\/rejections">ثبت‌نام‌هایی که در بررسی ثبت احوال رد شده‌اند و دلیل آن‌ها<\/a>/);

    // The list: newest first, every reason, in English too.
    const list = await operator.get('/backoffice/rejections');
    assert.equal(list.statusCode, 200);
    const all = rejectionRows(list.body);
    assert.equal(all.length, 3);
    const maryamRow = all.find((r) => r[0] === maskNationalCode(MARYAM.nationalCode))!;
    assert.equal(maryamRow[4], 'جنسیت، سریال شناسنامه');
    assert.equal(all.find((r) => r[0] === maskNationalCode(GHOST.nationalCode))![3], 'کد ملی در ثبت احوال نیست');
    operator.jar.set('lang', 'en');
    const english = await operator.get('/backoffice/rejections');
    operator.jar.delete('lang');
    assert.match(english.body, /<html[^>]* lang="en"/);
    const englishRows = rejectionRows(english.body);
    assert.equal(englishRows.find((r) => r[0] === maskNationalCode(MARYAM.nationalCode))![4], 'Gender, Birth certificate serial');
    assert.equal(englishRows.find((r) => r[0] === maskNationalCode(MARYAM.nationalCode))![3], 'Details differ from the civil registry');

    // ALI registers again with the right details and is activated: his page shows the earlier rejection.
    await register(env, ALI, ALI_DETAILS);
    await runVerifications(env);
    const account = await env.platform.db.selectFrom('accounts').select(['id', 'status']).where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
    assert.equal(account.status, 'active');
    const page = await operator.get(`/backoffice/people/${account.id}`);
    assert.equal(page.statusCode, 200);
    const earlier = rejectionRows(page.body);
    assert.equal(earlier.length, 1);
    assert.equal(earlier[0]![4], 'تاریخ تولد');
  });

  test('an auditor may read the list too; housekeeping forgets rejections after the retention', async () => {
    const auditor = await signedInStaff(env, 'audit.reasons', 'auditor');
    assert.equal((await auditor.get('/backoffice/rejections')).statusCode, 200);
    assert.equal(await env.platform.verification.purgeOldRejections(), 0, 'nothing old yet');
    env.clock.advance(181 * 86_400_000);
    assert.equal(await env.platform.verification.purgeOldRejections(), 3);
    assert.equal(rejectionRows((await auditor.get('/backoffice/rejections')).body).length, 0);
  });
});
