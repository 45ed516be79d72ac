// Central registration through HTTP: the JSON API and the browser forms, every bad input of
// both steps, flows that expire or are replayed, limits, and the status page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browser, createTestEnv, lastCodeTo, lastSmsTo, type TestEnv } from './support.js';

// Demo people (demo/PEOPLE.md).
const ALI = { nationalCode: '0014789663', mobile: '09128890822' };
const MARYAM = { nationalCode: '1282871242', mobile: '09351925705' };
const HASAN = { nationalCode: '0636676595', mobile: '09123636577' };
const NO_PHONE = { nationalCode: '4094556850', mobile: '09120000000' };
const SARA = { nationalCode: '7847653079', mobile: '09124859161' };
const KAZEMI = { nationalCode: '3864391784', mobile: '09984507015' };

const goodDetails = {
  firstName: 'علی',
  lastName: 'رضایی',
  birthCertificateNumber: '1234',
  birthCertificateSerial: '123456',
  birthCertificateSeries: 'الف/12',
  birthDate: '1360-01-15',
  gender: 'male',
  country: 'IR',
  city: 'تهران',
  email: 'ali@example.ir',
  password: 'Tavana#Sahel92',
  passwordConfirmation: 'Tavana#Sahel92',
  securityQuestion: 'first_school',
  securityAnswer: 'دبستان فردوسی',
};

const toPersian = (s: string) => s.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env.close();
});

async function api(method: 'POST' | 'GET', url: string, payload?: object, lang = 'fa') {
  const res = await env.app.inject({ method, url, payload, headers: { 'accept-language': lang } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
}

async function startAndConfirm(person: { nationalCode: string; mobile: string }, operator = 'mci') {
  const start = await api('POST', '/api/v1/registration', { nationalCode: person.nationalCode, mobileOperator: operator, mobile: person.mobile });
  assert.equal(start.status, 201, JSON.stringify(start.body));
  const flowId = start.body.flowId as string;
  const code = await lastCodeTo(env.platform, person.mobile);
  const confirm = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  return flowId;
}

describe('registration API', () => {
  test('a demo person registers: step 1 with Persian digits, SMS code, step 2 → pending, one audit event, one verification request', async () => {
    const start = await api('POST', '/api/v1/registration', {
      nationalCode: toPersian(ALI.nationalCode),
      mobileOperator: 'mci',
      mobile: '+98' + ALI.mobile.slice(1),
    });
    assert.equal(start.status, 201);
    assert.equal(start.body.mobileCodeSent, true);
    assert.match(start.body.flowId, /^[A-Za-z0-9_-]{43}$/);
    const sms = await lastSmsTo(env.platform, ALI.mobile);
    assert.ok(sms && /\d{6}/.test(sms), 'the code went to the mobile by SMS');

    // Step 2 before the code is confirmed is refused.
    const early = await api('POST', `/api/v1/registration/${start.body.flowId}/details`, goodDetails);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'registration.flow_wrong_step');

    const code = await lastCodeTo(env.platform, ALI.mobile);
    const confirm = await api('POST', `/api/v1/registration/${start.body.flowId}/mobile-code`, { code: toPersian(code) });
    assert.equal(confirm.status, 200);

    const done = await api('POST', `/api/v1/registration/${start.body.flowId}/details`, goodDetails);
    assert.equal(done.status, 202, JSON.stringify(done.body));
    assert.deepEqual(done.body, { status: 'pending_verification' });

    const account = await env.platform.db.selectFrom('accounts').selectAll().where('national_code', '=', ALI.nationalCode).executeTakeFirstOrThrow();
    assert.equal(account.status, 'pending_verification');
    assert.equal(account.mobile, ALI.mobile);
    assert.equal(account.birth_date, '1981-04-04'); // 1360-01-15
    assert.equal(account.birth_certificate_series, 'الف/12');
    assert.match(account.password_hash!, /^\$argon2id\$/);
    assert.match(account.security_answer_hash!, /^\$argon2id\$/);
    assert.ok(await env.platform.hasher.verify(account.security_answer_hash!, 'دبستان فردوسی').then((r) => r.valid));

    const requests = await env.platform.db.selectFrom('verification_requests').selectAll().where('account_id', '=', account.id).execute();
    assert.equal(requests.length, 1);
    const audit = await env.platform.db.selectFrom('audit_events').selectAll().where('account_id', '=', account.id).execute();
    assert.deepEqual(audit.map((a) => a.event), ['registration.submitted']);
    assert.ok(!JSON.stringify(audit[0]!.data).includes(ALI.nationalCode), 'no full national code in the audit data');

    // Replaying step 2 is refused cleanly, and so is a second registration.
    const replay = await api('POST', `/api/v1/registration/${start.body.flowId}/details`, goodDetails);
    assert.equal(replay.status, 409);
    const again = await api('POST', '/api/v1/registration', { nationalCode: ALI.nationalCode, mobileOperator: 'mci', mobile: ALI.mobile });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'registration.already_registered');
    assert.match(again.body.error.message, /شعبه/);

    const status = await api('POST', '/api/v1/registration/status', { nationalCode: ALI.nationalCode, mobile: ALI.mobile });
    assert.deepEqual(status.body, { status: 'pending_verification' });
  });

  test('step 1: every bad field is reported at once, localised, and nothing is saved', async () => {
    const before = await env.platform.db.selectFrom('registration_flows').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await api('POST', '/api/v1/registration', { nationalCode: '0684159415', mobileOperator: 'nokia', mobile: '0812345' }, 'en');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error.fields, { nationalCode: 'national_code.invalid', mobileOperator: 'mobile_operator.invalid', mobile: 'mobile.format' });
    const empty = await api('POST', '/api/v1/registration', {});
    assert.deepEqual(empty.body.error.fields, { nationalCode: 'national_code.required', mobileOperator: 'mobile_operator.required', mobile: 'mobile.required' });
    for (const nationalCode of ['1234567890', '0000000000', '3333333333', '0010000000', '123456789', '12340499370899']) {
      const r = await api('POST', '/api/v1/registration', { nationalCode, mobileOperator: 'mci', mobile: ALI.mobile });
      assert.equal(r.status, 400, nationalCode);
      assert.ok(r.body.error.fields.nationalCode, nationalCode);
    }
    const after = await env.platform.db.selectFrom('registration_flows').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  test('step 1: a number that is not the person’s gets the generic message; the operator is only a hint', async () => {
    const res = await api('POST', '/api/v1/registration', { ...NO_PHONE, mobileOperator: 'mci' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'registration.identity_mismatch');
    // Irancell chosen for an MCI (0912) number: still accepted.
    const ok = await api('POST', '/api/v1/registration', { ...SARA, mobileOperator: 'irancell' });
    assert.equal(ok.status, 201);
  });

  test('mobile ownership service down: a clear 503, never a "no"', async () => {
    env.platform.registries.faults.mobileOwnership = 'unavailable';
    try {
      const res = await api('POST', '/api/v1/registration', { ...HASAN, mobileOperator: 'mci' });
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'registration.ownership_unavailable');
    } finally {
      env.platform.registries.faults.mobileOwnership = null;
    }
  });

  test('mobile code: wrong, malformed, expired, too many tries; a resend replaces the old code', async () => {
    const start = await api('POST', '/api/v1/registration', { ...HASAN, mobileOperator: 'mci' });
    const flowId = start.body.flowId;
    const first = await lastCodeTo(env.platform, HASAN.mobile);
    const wrongCode = first === '000000' ? '111111' : '000000';
    let r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: '12' });
    assert.deepEqual(r.body.error.fields, { code: 'registration.code_format' });
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, {});
    assert.deepEqual(r.body.error.fields, { code: 'registration.code_required' });
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: wrongCode });
    assert.deepEqual(r.body.error.fields, { code: 'registration.code_wrong' });

    // Resend too soon, then after the wait: the old code stops working.
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code/resend`);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) > 0);
    env.clock.advance(61_000);
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code/resend`);
    assert.equal(r.status, 200);
    const second = await lastCodeTo(env.platform, HASAN.mobile);
    if (second !== first) {
      r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: first });
      assert.deepEqual(r.body.error.fields, { code: 'registration.code_wrong' });
    }
    // Expired code.
    env.clock.advance(181_000);
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: second });
    assert.deepEqual(r.body.error.fields, { code: 'registration.code_expired' });
    // Attempts run out (5 by default): the flow must restart.
    for (let i = 0; i < 3; i++) await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: wrongCode });
    r = await api('POST', `/api/v1/registration/${flowId}/mobile-code`, { code: second });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'registration.code_attempts_exceeded');
  });

  test('step 2: every bad field reported at once, each broken password rule named, nothing saved', async () => {
    const flowId = await startAndConfirm(MARYAM, 'irancell');
    const bad = await api(
      'POST',
      `/api/v1/registration/${flowId}/details`,
      {
        firstName: 'Maryam',
        lastName: '',
        birthCertificateNumber: 'abc',
        birthCertificateSerial: '12',
        birthCertificateSeries: 'x/999',
        birthDate: '1402-12-30',
        gender: 'other',
        country: 'XX',
        city: '',
        email: 'not-an-email',
        password: '1abc',
        passwordConfirmation: 'different',
        securityQuestion: 'pet_name',
        securityAnswer: '',
      },
      'en',
    );
    assert.equal(bad.status, 400);
    const f = bad.body.error.fields;
    for (const field of ['firstName', 'lastName', 'birthCertificateNumber', 'birthCertificateSerial', 'birthCertificateSeries', 'birthDate', 'gender', 'country', 'city', 'email', 'password', 'securityQuestion', 'securityAnswer']) {
      assert.ok(f[field], `${field} reported`);
    }
    assert.equal(f.birthDate, 'birth_date.invalid');
    assert.ok(bad.body.error.details.password.length >= 3, 'each broken password rule is named');
    assert.ok(bad.body.error.details.password.includes('password.must_start_with_letter'));

    // Password rules: personal information, weak passwords the rules allow, mismatch.
    const withCode = await api('POST', `/api/v1/registration/${flowId}/details`, { ...goodDetails, firstName: 'مریم', lastName: 'احمدی', password: `Ab${MARYAM.nationalCode}`, passwordConfirmation: `Ab${MARYAM.nationalCode}` });
    assert.ok(withCode.body.error.details?.password?.includes('password.contains_personal_info') || withCode.body.error.fields.password === 'password.contains_personal_info');
    const weak = await api('POST', `/api/v1/registration/${flowId}/details`, { ...goodDetails, password: 'Password1', passwordConfirmation: 'Password1' });
    assert.equal(weak.body.error.fields.password, 'password.too_weak');
    const mismatch = await api('POST', `/api/v1/registration/${flowId}/details`, { ...goodDetails, passwordConfirmation: 'Tavana#Sahel93' });
    assert.deepEqual(mismatch.body.error.fields, { passwordConfirmation: 'registration.password_mismatch' });

    const count = await env.platform.db.selectFrom('accounts').select('id').where('national_code', '=', MARYAM.nationalCode).execute();
    assert.equal(count.length, 0, 'nothing half-saved');
  });

  test('Jalali birth dates: leap day of a leap year accepted, of a common year refused', async () => {
    const flowId = await startAndConfirm(KAZEMI, 'shatel');
    const r = await api('POST', `/api/v1/registration/${flowId}/details`, { ...goodDetails, birthDate: '1404-12-30' });
    assert.equal(r.body.error.fields.birthDate, 'birth_date.invalid');
    const ok = await api('POST', `/api/v1/registration/${flowId}/details`, { ...goodDetails, firstName: 'علي', lastName: 'كاظمی', birthDate: '۱۳۷۵-۱۲-۳۰' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const account = await env.platform.db.selectFrom('accounts').select(['first_name', 'last_name', 'birth_date']).where('national_code', '=', KAZEMI.nationalCode).executeTakeFirstOrThrow();
    assert.equal(account.first_name, 'علی', 'Arabic letters stored in their Persian form');
    assert.equal(account.last_name, 'کاظمی');
    assert.equal(account.birth_date, '1997-03-20');
  });

  test('an expired or unknown flow restarts cleanly, never a 500', async () => {
    const unknown = await api('POST', '/api/v1/registration/not-a-flow/mobile-code', { code: '123456' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'registration.flow_expired');
    const start = await api('POST', '/api/v1/registration', { nationalCode: '2743729457', mobileOperator: 'rightel', mobile: '09213086960' });
    env.clock.advance(31 * 60_000);
    const late = await api('POST', `/api/v1/registration/${start.body.flowId}/mobile-code`, { code: '123456' });
    assert.equal(late.status, 404);
    assert.equal(await env.platform.registration.purgeExpiredFlows() >= 1, true);
  });

  test('status: unknown people and wrong mobiles answer "none"; bad input is a 400', async () => {
    assert.deepEqual((await api('POST', '/api/v1/registration/status', { nationalCode: '0499370899', mobile: '09120000000' })).body, { status: 'none' });
    assert.deepEqual((await api('POST', '/api/v1/registration/status', { nationalCode: ALI.nationalCode, mobile: '09120000000' })).body, { status: 'none' });
    const bad = await api('POST', '/api/v1/registration/status', { nationalCode: '1', mobile: '' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.fields, { nationalCode: 'national_code.format', mobile: 'mobile.required' });
  });

  test('the OpenAPI document lists the registration operations', async () => {
    const doc = await api('GET', '/api/openapi.json');
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of ['startRegistration', 'verifyRegistrationMobile', 'completeRegistration', 'getRegistrationStatus']) assert.ok(ops.includes(id), id);
  });
});

describe('registration pages', () => {
  test('the whole flow through forms, in Persian, with CSRF', async () => {
    const b = browser(env.app);
    const page = await b.get('/register');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="fa" dir="rtl">/);
    assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);

    // Without the CSRF token the form is refused with a clear page.
    const noToken = await b.post('/register', { nationalCode: '2743729457', mobileOperator: 'rightel', mobile: '09213086960' }, { csrf: null });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /مهلت این فرم/);

    await b.get('/register');
    const bad = await b.post('/register', { nationalCode: '123', mobileOperator: '', mobile: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /error-summary/);
    assert.match(bad.body, /id="nationalCode-error"/);
    assert.match(bad.body, /value="123"/, 'the typed value comes back');

    const person = { nationalCode: '6089946753', mobile: '09356082591' };
    const started = await b.post('/register', { ...person, mobileOperator: 'irancell' });
    assert.equal(started.statusCode, 303);
    const flowUrl = started.headers.location as string;
    const codePage = await b.get(flowUrl);
    assert.match(codePage.body, /name="code"/);
    const code = await lastCodeTo(env.platform, person.mobile);
    const wrong = await b.post(`${flowUrl}/code`, { code: code === '999999' ? '000000' : '999999' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /کد وارد شده درست نیست/);
    const confirmed = await b.post(`${flowUrl}/code`, { code });
    assert.equal(confirmed.statusCode, 303);
    const details = await b.get(flowUrl);
    assert.match(details.body, /name="birthYear"/);
    assert.match(details.body, /readonly/);

    const invalid = await b.post(`${flowUrl}/details`, { firstName: 'نرگس', password: 'short' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /value="نرگس"/);
    assert.doesNotMatch(invalid.body, /value="short"/, 'passwords are never echoed');

    const submitted = await b.post(`${flowUrl}/details`, {
      firstName: 'نرگس',
      lastName: 'میر محمدی',
      birthCertificateNumber: '۵۶۷',
      birthCertificateSerial: '۲۳۴۵۶۷',
      birthCertificateSeriesLetter: 'ب',
      birthCertificateSeriesNumber: '۳۴',
      birthDay: '۳',
      birthMonth: '7',
      birthYear: '۱۳۶۵',
      gender: 'female',
      country: 'IR',
      city: 'اصفهان',
      email: '',
      password: 'Golestan!Bahar58',
      passwordConfirmation: 'Golestan!Bahar58',
      securityQuestion: 'favourite_book',
      securityAnswer: 'بوستان',
    });
    assert.equal(submitted.statusCode, 303, submitted.body.slice(0, 2000));
    const done = await b.get(flowUrl);
    assert.match(done.body, /درخواست شما ثبت شد/);
    assert.match(done.body, /۴۸ ساعت/);

    const status = await b.get('/register/status');
    assert.equal(status.statusCode, 200);
    const answered = await b.post('/register/status', person);
    assert.equal(answered.statusCode, 303);
    const result = await b.get(String(answered.headers.location));
    assert.match(result.body, /در حال بررسی/);
  });

  test('English on request, and the language switch keeps the page', async () => {
    const b = browser(env.app);
    const switched = await b.get('/register?lang=en');
    assert.equal(switched.statusCode, 303);
    assert.equal(switched.headers.location, '/register');
    const page = await b.get('/register');
    assert.match(page.body, /<html lang="en" dir="ltr">/);
    assert.match(page.body, /National code/);
  });

  test('health, readiness and metrics', async () => {
    assert.equal((await env.app.inject('/healthz')).statusCode, 200);
    const ready = await env.app.inject('/readyz');
    // Redis is a dependency (and reported) when REDIS_URL is set.
    assert.deepEqual(ready.json(), { status: 'ready', database: true, ...(process.env.TEST_REDIS_URL ? { redis: true } : {}) });
    const metrics = await env.app.inject('/metrics');
    assert.match(metrics.body, /dargah_registrations_total/);
  });

  test('development helpers: /dev/sms as JSON and as a page', async () => {
    const json = await env.app.inject({ url: `/dev/sms?to=${ALI.mobile}`, headers: { accept: 'application/json' } });
    const list = json.json() as { to: string; text: string; createdAt: string }[];
    assert.ok(list.length >= 1);
    assert.equal(list[0]!.to, ALI.mobile);
    const page = await env.app.inject({ url: '/dev/sms', headers: { accept: 'text/html' } });
    assert.match(page.body, /<table class="data">/);
  });
});

describe('production mode', () => {
  test('development helpers are off', async () => {
    const prod = await createTestEnv({ env: { NODE_ENV: 'production', PUBLIC_URL: 'https://portal.example.ir' } });
    try {
      assert.equal((await prod.app.inject('/dev/sms')).statusCode, 404);
      assert.equal((await prod.app.inject({ method: 'POST', url: '/dev/verification/run' })).statusCode, 404);
      const home = await prod.app.inject('/');
      assert.match(home.headers['strict-transport-security'] as string, /max-age/);
    } finally {
      await prod.close();
    }
  });
});
