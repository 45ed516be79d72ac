// Identity proofing end to end: registrations of tricky demo people (demo/PEOPLE.md) go
// through the real registration service, the verification job runs through the queue,
// and each outcome is checked with its account state, audit event and the SMS it sends.
// Then the hard cases: a run repeated, two runs at once, a worker killed before commit,
// registries and the SMS gateway down and back up, messages that end as dead letters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SmsProvider } from '../src/notifications/providers.js';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { t } from '../src/messages/index.js';
import { verifyAuditChain } from '../src/audit/audit.js';
import { createAccountsService } from '../src/accounts/accounts.service.js';
import { createVerificationService, VERIFICATION_QUEUE } from '../src/verification/verification.service.js';
import { createTestEnv, lastCodeTo, type TestEnv } from './support.js';

type Person = { nationalCode: string; mobile: string; operator: string };
type Details = Record<string, string>;

const base = {
  country: 'IR',
  city: 'تهران',
  email: '',
  password: 'Kuhsar!Pelak93Zard',
  passwordConfirmation: 'Kuhsar!Pelak93Zard',
  securityQuestion: 'first_school',
  securityAnswer: 'دبستان فردوسی',
};

const ALI: Person = { nationalCode: '0014789663', mobile: '09128890822', operator: 'mci' };
const ALI_DETAILS: Details = {
  ...base, firstName: 'علی', lastName: 'رضایی', gender: 'male', birthDate: '1362-04-18',
  birthCertificateNumber: '37042', birthCertificateSerial: '983341', birthCertificateSeries: 'ج/50',
};
const MARYAM: Person = { nationalCode: '1282871242', mobile: '09351925705', operator: 'irancell' };
const MARYAM_DETAILS: Details = {
  ...base, firstName: 'مریم', lastName: 'احمدی', gender: 'female', birthDate: '1370-07-02',
  birthCertificateNumber: '1282871242', birthCertificateSerial: '470983', birthCertificateSeries: 'ج/88',
};
const HASAN: Person = { nationalCode: '0636676595', mobile: '09123636577', operator: 'mci' };
const HASAN_DETAILS: Details = {
  ...base, firstName: 'حسن', lastName: 'موسوی', gender: 'male', birthDate: '1345-11-09',
  birthCertificateNumber: '38181', birthCertificateSerial: '636943', birthCertificateSeries: 'ب/55',
};
// The registry writes «علي كاظمی» (Arabic yeh and kaf); the person types Persian letters.
const KAZEMI: Person = { nationalCode: '3864391784', mobile: '09984507015', operator: 'mci' };
const KAZEMI_DETAILS: Details = {
  ...base, firstName: 'علی', lastName: 'کاظمی', gender: 'male', birthDate: '1366-09-30',
  birthCertificateNumber: '46292', birthCertificateSerial: '514429', birthCertificateSeries: 'ج/21',
};
// The registry writes «حسین‌زاده» with a ZWNJ; typed with a space. Born on leap day 1375-12-30.
const FATEMEH: Person = { nationalCode: '0048818593', mobile: '09995262032', operator: 'aptel' };
const FATEMEH_DETAILS: Details = {
  ...base, firstName: 'فاطمه', lastName: 'حسین زاده', gender: 'female', birthDate: '۱۳۷۵-۱۲-۳۰',
  birthCertificateNumber: '0048818593', birthCertificateSerial: '417684', birthCertificateSeries: 'ج ۴۲',
};
// «محمد رضا نیک‌نام» in the registry; typed «محمدرضا» and «نیک نام».
const NIKNAM: Person = { nationalCode: '5198987281', mobile: '09124042174', operator: 'mci' };
const NIKNAM_DETAILS: Details = {
  ...base, firstName: 'محمدرضا', lastName: 'نیک نام', gender: 'male', birthDate: '1349-03-14',
  birthCertificateNumber: '78537', birthCertificateSerial: '506905', birthCertificateSeries: 'ب/90',
};
// Deceased in the registry although his number still matches.
const ABBAS: Person = { nationalCode: '3421873291', mobile: '09122811655', operator: 'mci' };
const ABBAS_DETAILS: Details = {
  ...base, firstName: 'عباس', lastName: 'قاسمی', gender: 'male', birthDate: '1318-05-12',
  birthCertificateNumber: '988', birthCertificateSerial: '226700', birthCertificateSeries: 'الف/66',
};
// Owns a number but has no civil record.
const GHOST: Person = { nationalCode: '6649943223', mobile: '09129417847', operator: 'mci' };
const GHOST_DETAILS: Details = {
  ...base, firstName: 'کاوه', lastName: 'بهرامی', gender: 'male', birthDate: '1365-02-02',
  birthCertificateNumber: '12345', birthCertificateSerial: '123456', birthCertificateSeries: 'الف/10',
};
// Branch visit asked by the ownership service, ZWNJ surname «میر‌محمدی» typed without it.
const NARGES: Person = { nationalCode: '6089946753', mobile: '09356082591', operator: 'irancell' };
const NARGES_DETAILS: Details = {
  ...base, firstName: 'نرگس', lastName: 'میرمحمدی', gender: 'female', birthDate: '1380-01-05',
  birthCertificateNumber: '6089946753', birthCertificateSerial: '495541', birthCertificateSeries: 'الف/32',
};
const SARA: Person = { nationalCode: '7847653079', mobile: '09124859161', operator: 'mci' };
const SARA_DETAILS: Details = {
  ...base, firstName: 'سارا', lastName: 'جعفری', gender: 'female', birthDate: '1368-01-01',
  birthCertificateNumber: '7847653079', birthCertificateSerial: '223925', birthCertificateSeries: 'ج/97',
};
const LEILA: Person = { nationalCode: '2272604587', mobile: '09122289680', operator: 'mci' };
const LEILA_DETAILS: Details = {
  ...base, firstName: 'لیلا', lastName: 'نوری', gender: 'female', birthDate: '1364-03-03',
  birthCertificateNumber: '65767', birthCertificateSerial: '310721', birthCertificateSeries: 'الف/48',
};
const JAVAD: Person = { nationalCode: '7547256635', mobile: '09353144692', operator: 'irancell' };
const JAVAD_DETAILS: Details = {
  ...base, firstName: 'جواد', lastName: 'مرادی', gender: 'male', birthDate: '1340-12-29',
  birthCertificateNumber: '21115', birthCertificateSerial: '861010', birthCertificateSeries: 'ج/22',
};
const MAHDI: Person = { nationalCode: '0074367463', mobile: '09355459031', operator: 'irancell' };
const MAHDI_DETAILS: Details = {
  ...base, firstName: 'مهدی', lastName: 'طاهری', gender: 'male', birthDate: '1355-08-08',
  birthCertificateNumber: '13784', birthCertificateSerial: '595817', birthCertificateSeries: 'د/42',
};

let ipCounter = 0;
async function register(env: TestEnv, person: Person, details: Details) {
  const meta = { ip: `10.0.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`, lang: 'fa' as const };
  const reg = env.platform.registration;
  const started = await reg.start({ nationalCode: person.nationalCode, mobileOperator: person.operator, mobile: person.mobile }, meta);
  assert.ok(started.ok, `start: ${JSON.stringify(started)}`);
  const flowId = started.value.flowId;
  const code = await lastCodeTo(env.platform, person.mobile);
  const confirmed = await reg.verifyCode(flowId, { code });
  assert.ok(confirmed.ok, `code: ${JSON.stringify(confirmed)}`);
  const done = await reg.complete(flowId, details, meta);
  assert.ok(done.ok, `complete: ${JSON.stringify(done)}`);
  const row = await env.platform.db
    .selectFrom('accounts as a')
    .innerJoin('verification_requests as r', 'r.account_id', 'a.id')
    .select(['a.id as accountId', 'r.id as requestId'])
    .where('a.national_code', '=', person.nationalCode)
    .executeTakeFirstOrThrow();
  return row;
}

const runVerifications = (env: TestEnv) => env.platform.queue.runDue(VERIFICATION_QUEUE.name, { includeFuture: true });
const runSms = (env: TestEnv) => env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });

async function outcomeSms(env: TestEnv, requestId: string) {
  return env.platform.db
    .selectFrom('sms_messages')
    .select(['to_mobile', 'template', 'body', 'status', 'attempts', 'id'])
    .where('idempotency_key', '=', `verification-outcome:${requestId}`)
    .execute();
}

async function auditEvents(env: TestEnv, accountId: string) {
  const rows = await env.platform.db
    .selectFrom('audit_events')
    .select(['event', 'data'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ event: r.event, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown> }));
}

async function accountState(env: TestEnv, nationalCode: string) {
  return env.platform.db
    .selectFrom('accounts')
    .select(['status', 'activated_at'])
    .where('national_code', '=', nationalCode)
    .executeTakeFirst();
}

async function status(env: TestEnv, person: Person) {
  const r = await env.platform.registration.status({ nationalCode: person.nationalCode, mobile: person.mobile }, { ip: '10.9.9.9', lang: 'fa' });
  assert.ok(r.ok);
  return r.value.status;
}

const fa = (template: Parameters<typeof t>[1], greeting: string) => t('fa', template, { greeting });

describe('verification outcomes on tricky demo people', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ noApp: true });
  });
  after(async () => env.close());

  const cases: {
    title: string;
    person: Person;
    details: Details;
    expect: 'active' | 'awaiting_branch_visit' | 'rejected';
    reason?: string;
    greeting: string;
  }[] = [
    {
      title: 'a birth date one day off → rejected (details_mismatch on birthDate only)',
      person: ALI,
      details: { ...ALI_DETAILS, birthDate: '1362-04-19' },
      expect: 'rejected',
      reason: 'details_mismatch',
      greeting: 'آقای رضایی',
    },
    { title: 'the same person with the right details registers again and is activated', person: ALI, details: ALI_DETAILS, expect: 'active', greeting: 'آقای رضایی' },
    { title: 'Arabic yeh/kaf in the registry, Persian letters typed → activated', person: KAZEMI, details: KAZEMI_DETAILS, expect: 'active', greeting: 'آقای کاظمی' },
    { title: 'ZWNJ surname typed with a space, leap-day birth, Persian digits → activated', person: FATEMEH, details: FATEMEH_DETAILS, expect: 'active', greeting: 'خانم حسین زاده' },
    { title: 'compound first name without its space, ZWNJ surname with a space → activated', person: NIKNAM, details: NIKNAM_DETAILS, expect: 'active', greeting: 'آقای نیک نام' },
    { title: 'ownership service asks for a branch visit → awaiting_branch_visit', person: HASAN, details: HASAN_DETAILS, expect: 'awaiting_branch_visit', greeting: 'آقای موسوی' },
    { title: 'branch visit and ZWNJ surname typed without it → awaiting_branch_visit', person: NARGES, details: NARGES_DETAILS, expect: 'awaiting_branch_visit', greeting: 'خانم میرمحمدی' },
    { title: 'deceased in the registry → rejected, never active', person: ABBAS, details: ABBAS_DETAILS, expect: 'rejected', reason: 'deceased', greeting: 'آقای قاسمی' },
    { title: 'no civil record → rejected', person: GHOST, details: GHOST_DETAILS, expect: 'rejected', reason: 'not_in_civil_registry', greeting: 'آقای بهرامی' },
    {
      title: 'wrong gender and certificate serial → rejected',
      person: MARYAM,
      details: { ...MARYAM_DETAILS, gender: 'male', birthCertificateSerial: '470984' },
      expect: 'rejected',
      reason: 'details_mismatch',
      greeting: 'آقای احمدی',
    },
  ];

  for (const c of cases) {
    test(c.title, async () => {
      const { accountId, requestId } = await register(env, c.person, c.details);
      assert.equal(await status(env, c.person), 'pending_verification');
      assert.equal(await runVerifications(env), 1, 'one job ran');

      const account = await accountState(env, c.person.nationalCode);
      const events = await auditEvents(env, accountId);
      const messages = await outcomeSms(env, requestId);
      assert.equal(messages.length, 1, 'exactly one outcome SMS');
      const message = messages[0]!;
      assert.equal(message.to_mobile, c.person.mobile);

      if (c.expect === 'rejected') {
        assert.equal(account, undefined, 'the registration is deleted with its personal data');
        const left = await env.platform.db.selectFrom('verification_requests').select('id').where('id', '=', requestId).execute();
        assert.equal(left.length, 0, 'the request went with the account');
        assert.equal(await status(env, c.person), 'rejected');
        assert.equal(message.template, 'sms.verification_mismatch');
        assert.equal(message.body, fa('sms.verification_mismatch', c.greeting));
        const rejected = events.find((e) => e.event === 'verification.rejected');
        assert.ok(rejected, 'an audit record stays');
        assert.equal(rejected.data.reason, c.reason);
        const text = JSON.stringify(rejected.data);
        assert.ok(!text.includes(c.person.nationalCode) && !text.includes(c.person.mobile) && !text.includes(c.details.lastName!), 'no personal data in the audit record');
        if (c.reason === 'details_mismatch' && c.person === ALI) assert.deepEqual(rejected.data.fields, ['birthDate']);
        if (c.person === MARYAM) assert.deepEqual(rejected.data.fields, ['gender', 'birthCertificateSerial']);
      } else {
        assert.equal(account?.status, c.expect);
        assert.equal(await status(env, c.person), c.expect);
        assert.equal(account?.activated_at !== null, c.expect === 'active', 'activated_at only when active');
        const template = c.expect === 'active' ? 'sms.verification_active' : 'sms.verification_branch_visit';
        assert.equal(message.template, template);
        assert.equal(message.body, fa(template, c.greeting));
        assert.ok(message.body.startsWith(c.greeting));
        assert.deepEqual(
          events.map((e) => e.event),
          ['registration.submitted', c.expect === 'active' ? 'verification.activated' : 'verification.awaiting_branch_visit'],
        );
        const request = await env.platform.db.selectFrom('verification_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
        assert.equal(request.status, 'completed');
        assert.equal(request.outcome, c.expect);
      }
      // The SMS is delivered by its own job (outbox here).
      await runSms(env);
      assert.equal((await outcomeSms(env, requestId))[0]!.status, 'sent');
    });
  }

  test('after a rejection the same person registers again and is activated', async () => {
    assert.equal(await status(env, ALI), 'active', 'ALI was rejected, then activated');
    // MARYAM was rejected above (wrong gender): her national code is free again.
    const { requestId } = await register(env, MARYAM, MARYAM_DETAILS);
    assert.equal(await status(env, MARYAM), 'pending_verification', 'a new submission replaces the remembered rejection');
    await runVerifications(env);
    assert.equal(await status(env, MARYAM), 'active');
    assert.equal((await outcomeSms(env, requestId))[0]!.body, fa('sms.verification_active', 'خانم احمدی'));
  });

  test('metrics count outcomes by reason and time from submission to outcome', async () => {
    const text = await env.platform.metrics.registry.metrics();
    assert.match(text, /dargah_verification_outcomes_total\{outcome="active",reason=""\} 5/);
    assert.match(text, /dargah_verification_outcomes_total\{outcome="awaiting_branch_visit",reason=""\} 2/);
    assert.match(text, /dargah_verification_outcomes_total\{outcome="rejected",reason="details_mismatch"\} 2/);
    assert.match(text, /dargah_verification_outcomes_total\{outcome="rejected",reason="deceased"\} 1/);
    assert.match(text, /dargah_verification_seconds_count 11/);
    assert.match(text, /dargah_queue_depth\{queue="verification-run"\} \d+/);
    assert.match(text, /dargah_verifications_overdue 0/);
  });
});

describe('idempotency: repeated, concurrent and interrupted runs', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ noApp: true });
  });
  after(async () => env.close());

  test('a run repeated gives one outcome, one SMS, one audit event', async () => {
    const { accountId, requestId } = await register(env, SARA, SARA_DETAILS);
    const first = await env.platform.verification.verify(requestId);
    const second = await env.platform.verification.verify(requestId);
    assert.deepEqual(first, { kind: 'outcome', outcome: 'active' });
    assert.deepEqual(second, { kind: 'already_done' });
    // The queued job itself also finds it done.
    assert.equal(await runVerifications(env), 1);
    assert.equal((await outcomeSms(env, requestId)).length, 1);
    assert.equal((await auditEvents(env, accountId)).filter((e) => e.event === 'verification.activated').length, 1);
  });

  test('two runs at the same time give one outcome and one SMS (rejection path too)', async () => {
    const a = await register(env, LEILA, LEILA_DETAILS);
    const b = await register(env, JAVAD, { ...JAVAD_DETAILS, lastName: 'مراد' });
    const results = await Promise.all([
      env.platform.verification.verify(a.requestId),
      env.platform.verification.verify(a.requestId),
      env.platform.verification.verify(b.requestId),
      env.platform.verification.verify(b.requestId),
    ]);
    const kinds = results.map((r) => r.kind).sort();
    assert.deepEqual(kinds, ['already_done', 'already_done', 'outcome', 'outcome']);
    assert.equal((await outcomeSms(env, a.requestId)).length, 1);
    assert.equal((await outcomeSms(env, b.requestId)).length, 1);
    assert.equal((await auditEvents(env, a.accountId)).filter((e) => e.event.startsWith('verification.')).length, 1);
    assert.equal((await auditEvents(env, b.accountId)).filter((e) => e.event === 'verification.rejected').length, 1);
    assert.equal(await status(env, LEILA), 'active');
    assert.equal(await status(env, JAVAD), 'rejected');
    await runVerifications(env); // the queued jobs find nothing left to do
  });

  test('a worker killed after the outcome write but before commit leaves nothing; the re-run gives one outcome and one SMS', async () => {
    const { accountId, requestId } = await register(env, MAHDI, MAHDI_DETAILS);
    const p = env.platform;
    const deps = { db: p.db, queue: p.queue, config: p.config, registries: p.registries, metrics: p.metrics, logger: p.logger, clock: p.clock };
    // A worker whose process dies inside the transaction: the SMS row and the account
    // update are written, then the "process" is gone before COMMIT.
    const crashingSms = {
      ...p.sms,
      async enqueueMany(trx: Parameters<typeof p.sms.enqueueMany>[0], list: Parameters<typeof p.sms.enqueueMany>[1]) {
        await p.sms.enqueueMany(trx, list);
        throw new Error('worker killed');
      },
    };
    const crashingAccounts = createAccountsService({ db: p.db, config: p.config, hasher: p.hasher, secrets: p.secrets, limiter: p.limiter, sms: crashingSms, logger: p.logger, clock: p.clock, changes: p.changes });
    const crashing = createVerificationService({ ...deps, sms: crashingSms, accounts: crashingAccounts });
    crashing.setRejectionMemory(p.registration.rememberRejections);
    assert.equal(await runVerifications(env), 1);
    assert.equal((await accountState(env, MAHDI.nationalCode))?.status, 'pending_verification', 'nothing committed');
    assert.equal((await outcomeSms(env, requestId)).length, 0, 'no SMS enqueued');
    assert.equal((await auditEvents(env, accountId)).filter((e) => e.event.startsWith('verification.')).length, 0);

    // "Restart": a fresh worker takes the job from the queue again.
    const restarted = createVerificationService({ ...deps, sms: p.sms, accounts: p.accounts });
    restarted.setRejectionMemory(p.registration.rememberRejections);
    assert.equal(await runVerifications(env), 1, 'the failed job is retried');
    assert.equal((await accountState(env, MAHDI.nationalCode))?.status, 'active');
    assert.equal((await outcomeSms(env, requestId)).length, 1);
    assert.equal((await auditEvents(env, accountId)).filter((e) => e.event === 'verification.activated').length, 1);
    assert.equal(await runVerifications(env), 0, 'nothing left in the queue');
  });
});

describe('registries and SMS gateway down, then up', () => {
  let env: TestEnv;
  let gatewayUp = false;
  const sends = new Map<string, number>();
  const provider: SmsProvider = {
    name: 'fake-gateway',
    async send(m) {
      if (!gatewayUp) return { kind: 'retry', reason: 'fake-gateway:down' };
      sends.set(m.idempotencyKey, (sends.get(m.idempotencyKey) ?? 0) + 1);
      return { kind: 'sent', providerMessageId: `id-${sends.size}` };
    },
  };
  before(async () => {
    env = await createTestEnv({
      noApp: true,
      env: { SMS_RETRY_LIMIT: '3', SMS_RETRY_DELAY_SECONDS: '1', VERIFICATION_RETRY_DELAY_SECONDS: '1' },
      platform: { smsProvider: provider },
    });
    gatewayUp = true; // registration codes go out
  });
  after(async () => env.close());

  test('civil registry down: no outcome, no SMS, counted as overdue after 48 hours; up again: one outcome, one SMS delivered once', async () => {
    const { accountId, requestId } = await register(env, ALI, ALI_DETAILS);
    await runSms(env); // the registration code
    gatewayUp = false;
    env.platform.registries.faults.civilRegistry = 'unavailable';

    assert.equal(await runVerifications(env), 1);
    assert.equal(await runVerifications(env), 1, 'each call retries the waiting job once');
    assert.equal((await accountState(env, ALI.nationalCode))?.status, 'pending_verification', 'a registry down is not a mismatch');
    assert.equal((await outcomeSms(env, requestId)).length, 0);
    const request = await env.platform.db.selectFrom('verification_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    assert.equal(request.attempts, 2);
    assert.equal(request.last_error, 'civil_registry:simulated_outage');

    // Past the promise: listed for the back office and counted by the metric.
    assert.equal((await env.platform.verification.listOverdue()).total, 0);
    env.clock.advance(49 * 3600_000);
    const overdue = await env.platform.verification.listOverdue();
    assert.equal(overdue.total, 1);
    assert.equal(overdue.requests[0]!.requestId, requestId);
    assert.equal(overdue.requests[0]!.nationalCode, ALI.nationalCode);
    assert.equal(overdue.requests[0]!.lastError, 'civil_registry:simulated_outage');
    assert.match(await env.platform.metrics.registry.metrics(), /dargah_verifications_overdue 1/);

    // Mobile ownership down alone: still postponed.
    env.platform.registries.faults.civilRegistry = null;
    env.platform.registries.faults.mobileOwnership = 'unavailable';
    await runVerifications(env);
    assert.equal((await accountState(env, ALI.nationalCode))?.status, 'pending_verification');

    // Registries up, gateway still down: the outcome is decided, the SMS waits.
    env.platform.registries.faults.mobileOwnership = null;
    assert.equal(await runVerifications(env), 1);
    assert.equal((await accountState(env, ALI.nationalCode))?.status, 'active');
    assert.equal((await env.platform.verification.listOverdue()).total, 0);
    await runSms(env);
    await runSms(env);
    let [sms] = await outcomeSms(env, requestId);
    assert.equal(sms!.status, 'failed');
    assert.equal(sms!.attempts, 2);

    // Gateway up: delivered, once, however often the queue is run.
    gatewayUp = true;
    await runSms(env);
    await runSms(env);
    [sms] = await outcomeSms(env, requestId);
    assert.equal(sms!.status, 'sent');
    assert.equal(sends.get(`verification-outcome:${requestId}`), 1);
    assert.equal(await runVerifications(env), 0);
    assert.equal((await auditEvents(env, accountId)).filter((e) => e.event === 'verification.activated').length, 1);
  });

  test('past the last retry a message is dead, listed, and a resend delivers it once', async () => {
    const { requestId } = await register(env, HASAN, HASAN_DETAILS);
    await runSms(env);
    gatewayUp = false;
    await runVerifications(env);
    // SMS_RETRY_LIMIT=3: the first attempt and three retries.
    for (let i = 0; i < 4; i++) await runSms(env);
    const [sms] = await outcomeSms(env, requestId);
    assert.equal(sms!.status, 'dead');
    assert.equal(sms!.attempts, 4);
    assert.equal(await runSms(env), 0, 'no job left for a dead message');

    const dead = await env.platform.sms.listDead();
    assert.equal(dead.total, 1);
    assert.equal(dead.messages[0]!.id, sms!.id);
    assert.equal(dead.messages[0]!.template, 'sms.verification_branch_visit');
    assert.equal(dead.messages[0]!.lastError, 'fake-gateway:down');
    assert.ok(!('body' in dead.messages[0]!), 'the list carries no message text');

    gatewayUp = true;
    const resent = await env.platform.sms.resend(sms!.id, { type: 'staff', id: 'staff-1', ip: '10.1.1.1' });
    assert.ok(resent.ok);
    const again = await env.platform.sms.resend(sms!.id, { type: 'staff', id: 'staff-1' });
    assert.ok(!again.ok && again.error.code === 'notifications.sms_not_resendable', 'only dead messages are re-sent');
    await runSms(env);
    assert.equal((await outcomeSms(env, requestId))[0]!.status, 'sent');
    assert.equal(sends.get(`verification-outcome:${requestId}`), 1);
    assert.equal((await env.platform.sms.listDead()).total, 0);
    const audit = await env.platform.db.selectFrom('audit_events').select(['event', 'actor_id']).where('event', '=', 'sms.resent').execute();
    assert.deepEqual(audit, [{ event: 'sms.resent', actor_id: 'staff-1' }]);
  });

  test('a gateway rejection (bad number, no credit) is dead at once, without retries', async () => {
    const rejecting: SmsProvider = { name: 'rejecting', send: async () => ({ kind: 'rejected', reason: 'rejecting:no_credit' }) };
    const local = await createTestEnv({ noApp: true, platform: { smsProvider: rejecting } });
    try {
      const inserted = await local.platform.db.transaction().execute((trx) =>
        local.platform.sms.enqueue(trx, { to: '09120000001', template: 'sms.registration_code', params: { code: '123456' }, lang: 'fa', idempotencyKey: 'test:rejected' }),
      );
      assert.equal(inserted, true);
      assert.equal(await local.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true }), 1);
      const row = await local.platform.db.selectFrom('sms_messages').selectAll().where('idempotency_key', '=', 'test:rejected').executeTakeFirstOrThrow();
      assert.equal(row.status, 'dead');
      assert.equal(row.attempts, 1);
      assert.equal(await local.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true }), 0);
    } finally {
      await local.close();
    }
  });
});

describe('batches: one transaction for many requests', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ noApp: true, env: { VERIFICATION_RETRY_DELAY_SECONDS: '1' } });
  });
  after(async () => env.close());

  test('a batch mixing active, branch visit, rejected and registry-unavailable requests: right outcomes, one SMS each, the unavailable one retried', async () => {
    const ali = await register(env, ALI, ALI_DETAILS);
    const hasan = await register(env, HASAN, HASAN_DETAILS);
    const abbas = await register(env, ABBAS, ABBAS_DETAILS);
    const kazemi = await register(env, KAZEMI, KAZEMI_DETAILS);
    const civil = env.platform.registries.civilRegistry;
    const lookup = civil.lookup;
    // The registry does not answer for one person only.
    civil.lookup = async (nationalCode) =>
      nationalCode === KAZEMI.nationalCode ? { kind: 'unavailable', reason: 'timeout' } : lookup.call(civil, nationalCode);
    try {
      assert.equal(await runVerifications(env), 4, 'the four jobs ran (one batch)');
    } finally {
      civil.lookup = lookup;
    }
    assert.equal((await accountState(env, ALI.nationalCode))?.status, 'active');
    assert.equal((await accountState(env, HASAN.nationalCode))?.status, 'awaiting_branch_visit');
    assert.equal(await accountState(env, ABBAS.nationalCode), undefined, 'rejected: deleted');
    assert.equal(await status(env, ABBAS), 'rejected');
    assert.equal((await accountState(env, KAZEMI.nationalCode))?.status, 'pending_verification', 'a registry down is not a mismatch');
    for (const [r, template] of [[ali, 'sms.verification_active'], [hasan, 'sms.verification_branch_visit'], [abbas, 'sms.verification_mismatch']] as const) {
      const messages = await outcomeSms(env, r.requestId);
      assert.equal(messages.length, 1);
      assert.equal(messages[0]!.template, template);
    }
    assert.equal((await outcomeSms(env, kazemi.requestId)).length, 0);
    const request = await env.platform.db.selectFrom('verification_requests').selectAll().where('id', '=', kazemi.requestId).executeTakeFirstOrThrow();
    assert.equal(request.attempts, 1);
    assert.equal(request.last_error, 'civil_registry:timeout');
    assert.equal(request.status, 'pending');
    assert.deepEqual((await auditEvents(env, abbas.accountId)).map((e) => e.event), ['registration.submitted', 'verification.rejected']);
    assert.deepEqual((await auditEvents(env, hasan.accountId)).at(-1)?.data, { requestId: hasan.requestId, causes: ['ownership_service'] });

    // Only the unavailable one waits for a retry; it then gets its outcome and its SMS.
    assert.equal(await runVerifications(env), 1, 'one job left: the one retried');
    assert.equal((await accountState(env, KAZEMI.nationalCode))?.status, 'active');
    for (const r of [ali, hasan, abbas, kazemi]) assert.equal((await outcomeSms(env, r.requestId)).length, 1);
    // One delivery job per SMS: each is sent once.
    await runSms(env);
    for (const r of [ali, hasan, abbas, kazemi]) assert.equal((await outcomeSms(env, r.requestId))[0]!.status, 'sent');
    assert.equal(await runSms(env), 0);
    assert.deepEqual(await verifyAuditChain(env.platform.db), { ok: true, checked: Number((await env.platform.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) });
  });

  test('batches sharing requests, run at the same time: one outcome and one SMS per request', async () => {
    const a = await register(env, LEILA, LEILA_DETAILS);
    const b = await register(env, JAVAD, { ...JAVAD_DETAILS, lastName: 'مراد' });
    const c = await register(env, SARA, SARA_DETAILS);
    const d = await register(env, MAHDI, MAHDI_DETAILS);
    const v = env.platform.verification;
    const batches = [
      [a, b, c],
      [c, b, a],
      [b, d],
      [d, c, a, b],
    ].map((list) => list.map((r) => r.requestId));
    const results = await Promise.all(batches.map((ids) => v.verifyBatch(ids)));
    for (const r of [a, b, c, d]) {
      const kinds = results.flatMap((m) => (m.has(r.requestId) ? [m.get(r.requestId)!.kind] : []));
      assert.equal(kinds.filter((k) => k === 'outcome').length, 1, `one outcome for ${r.requestId}: ${kinds}`);
      assert.ok(kinds.every((k) => k === 'outcome' || k === 'already_done'), `${kinds}`);
      assert.equal((await outcomeSms(env, r.requestId)).length, 1);
      assert.equal((await auditEvents(env, r.accountId)).filter((e) => e.event.startsWith('verification.')).length, 1);
    }
    assert.equal(await status(env, LEILA), 'active');
    assert.equal(await status(env, JAVAD), 'rejected');
    assert.equal(await status(env, SARA), 'active');
    assert.equal(await status(env, MAHDI), 'active');
    assert.equal((await verifyAuditChain(env.platform.db)).ok, true);
    await runVerifications(env); // the queued jobs find nothing left to do
    for (const r of [a, b, c, d]) assert.equal((await outcomeSms(env, r.requestId)).length, 1);
  });
});

describe('POST /dev/verification/run', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv();
  });
  after(async () => env.close());

  test('runs every waiting verification now and says how many', async () => {
    await register(env, KAZEMI, KAZEMI_DETAILS);
    await register(env, ABBAS, ABBAS_DETAILS);
    const res = await env.app.inject({ method: 'POST', url: '/dev/verification/run' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { processed: 2 });
    assert.equal(await status(env, KAZEMI), 'active');
    assert.equal(await status(env, ABBAS), 'rejected');
  });
});
