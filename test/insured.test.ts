// Insured-person (SAMT) registration through HTTP: every refusal of the JSON API (terms,
// captcha missing/wrong/replayed/expired, branch, insurance number, closed group,
// duplicate, foreign national without identifier), the SMS variant, the initial
// password's expiry rule, the permissions granted after the first change, the branch
// search (JSON and without JavaScript), the browser forms, and the CLI import.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { FastifyInstance } from 'fastify';
import { initialPasswordExpired } from '../src/insured/initialPassword.js';
import { INSURED_IDENTITY_QUEUE } from '../src/insured/insured.service.js';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';

// Demo people (demo/PEOPLE.md).
const TAHERI = { nationalCode: '0074367463', branchCode: '112', insuranceNumber: '6545679641', mobile: '09355459031' }; // self_employed
const NOORI = { nationalCode: '2272604587', branchCode: '301', insuranceNumber: '1412366831' }; // voluntary at 301, compulsory at 303
const MORADI = { nationalCode: '7547256635', branchCode: '401', insuranceNumber: '2701599895' }; // compulsory only
const FOREIGN = { foreignNationalId: '445328824738', branchCode: '112', insuranceNumber: '8079754923' }; // voluntary
const FOREIGN_2 = { foreignNationalId: '190483093846', branchCode: '601', insuranceNumber: '2170500918' }; // construction_workers
const NOT_INSURED = '0014789663';

const fast = { CAPTCHA_COST: '20' };

async function solvedCaptcha(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/captcha' });
  assert.equal(res.statusCode, 200);
  const challenge = res.json() as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.ok(solution, 'the challenge is solvable');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

async function register(env: TestEnv, body: Record<string, unknown>, captcha?: string | null) {
  const payload = { acceptTerms: true, ...body, ...(captcha === null ? {} : { captcha: captcha ?? (await solvedCaptcha(env.app)) }) };
  return env.app.inject({ method: 'POST', url: '/api/v1/insured-registration', payload, headers: { 'accept-language': 'en' } });
}

const accountOf = (env: TestEnv, username: string) =>
  env.platform.db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb.or([eb('national_code', '=', username), eb('foreign_national_id', '=', username)]))
    .executeTakeFirst();

describe('insured registration API', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: { ...fast, GENERAL_PERMISSIONS: 'pension_statement' } });
  });
  after(() => env.close());

  test('registers an insured person: active, must change the password, initial password = national code, expiring', async () => {
    const res = await register(env, { isForeignNational: false, ...TAHERI, mobile: '۰۹۳۵۵۴۵۹۰۳۱', email: 'taheri@example.ir' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), { username: TAHERI.nationalCode });
    const a = await accountOf(env, TAHERI.nationalCode);
    assert.ok(a);
    assert.equal(a.status, 'active');
    assert.equal(a.origin, 'insured');
    assert.equal(a.must_change_password, true);
    assert.equal(a.mobile, TAHERI.mobile);
    assert.equal(a.email, 'taheri@example.ir');
    assert.deepEqual(a.permissions, []);
    assert.match(a.password_hash!, /^\$argon2id\$/);
    assert.equal((await env.platform.hasher.verify(a.password_hash!, TAHERI.nationalCode)).valid, true);
    assert.equal(a.initial_password_expires_at!.getTime(), env.clock.now().getTime() + 7 * 86_400_000);
    const audit = await env.platform.db.selectFrom('audit_events').selectAll().where('account_id', '=', a.id).execute();
    assert.deepEqual(audit.map((e) => e.event), ['insured.registered']);
    assert.ok(!JSON.stringify(audit[0]!.data).includes(TAHERI.nationalCode), 'no clear national code in the audit data');
    // No SMS in the identifier variant.
    assert.equal(await lastSmsTo(env.platform, TAHERI.mobile), undefined);
  });

  test('a second registration of the same person is refused with 409', async () => {
    const res = await register(env, { ...TAHERI });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'insured.already_registered');
  });

  test('terms not accepted', async () => {
    const res = await register(env, { ...NOORI, acceptTerms: false });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.acceptTerms, 'insured.terms_required');
    const res2 = await env.app.inject({ method: 'POST', url: '/api/v1/insured-registration', payload: { ...NOORI, captcha: 'x' } });
    assert.equal(res2.json().error.fields.acceptTerms, 'insured.terms_required');
  });

  test('captcha missing', async () => {
    const res = await register(env, { ...NOORI }, null);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.captcha, 'captcha.required');
    assert.equal(await accountOf(env, NOORI.nationalCode), undefined);
  });

  test('captcha wrong: tampered solution, forged signature, garbage', async () => {
    const good = JSON.parse(Buffer.from(await solvedCaptcha(env.app), 'base64').toString());
    const wrongKey = { ...good, solution: { ...good.solution, counter: good.solution.counter + 1 } };
    const forged = { ...good, challenge: { ...good.challenge, parameters: { ...good.challenge.parameters, cost: 1 } } };
    for (const payload of [wrongKey, forged]) {
      const res = await register(env, { ...NOORI }, Buffer.from(JSON.stringify(payload)).toString('base64'));
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.fields.captcha, 'captcha.invalid');
    }
    const res = await register(env, { ...NOORI }, 'bm90IGpzb24=');
    assert.equal(res.json().error.fields.captcha, 'captcha.invalid');
    assert.equal(await accountOf(env, NOORI.nationalCode), undefined);
  });

  test('captcha replayed: a solved challenge works once', async () => {
    const captcha = await solvedCaptcha(env.app);
    const first = await register(env, { isForeignNational: true, ...FOREIGN }, captcha);
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(first.json(), { username: FOREIGN.foreignNationalId });
    const again = await register(env, { ...NOORI }, captcha);
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.fields.captcha, 'captcha.replayed');
  });

  test('captcha expired', async () => {
    const captcha = await solvedCaptcha(env.app);
    env.clock.advance((env.config.captcha.ttlSeconds + 1) * 1000);
    const res = await register(env, { ...NOORI }, captcha);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.captcha, 'captcha.expired');
  });

  test('wrong branch: the number is held at another branch', async () => {
    const res = await register(env, { ...NOORI, branchCode: '303' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.branchCode, 'insured.branch_mismatch');
    assert.match(res.json().error.message, /branch/);
  });

  test('unknown branch code and no branch at all', async () => {
    const res = await register(env, { ...NOORI, branchCode: '999' }, null);
    assert.equal(res.json().error.fields.branchCode, 'insured.branch_unknown');
    const none = await register(env, { ...NOORI, branchCode: '' }, null);
    assert.equal(none.json().error.fields.branchCode, 'insured.branch_required');
  });

  test('wrong insurance number', async () => {
    const res = await register(env, { ...NOORI, insuranceNumber: '1412366832' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.insuranceNumber, 'insured.insurance_number_mismatch');
    const bad = await register(env, { ...NOORI, insuranceNumber: '12345678901' }, null);
    assert.equal(bad.json().error.fields.insuranceNumber, 'insurance_number.format');
  });

  test('person without any insurance record', async () => {
    const res = await register(env, { nationalCode: NOT_INSURED, branchCode: '112', insuranceNumber: '1234567890' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'insured.not_insured');
  });

  test('closed group: compulsory insured are refused by default (403)', async () => {
    const res = await register(env, { ...MORADI });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'insured.group_closed');
    assert.match(res.json().error.message, /compulsory/);
    // Her compulsory record at 303 is closed too, her voluntary one at 301 is open (tested below).
    const noori = await register(env, { ...NOORI, branchCode: '303', insuranceNumber: '3086776685' });
    assert.equal(noori.statusCode, 403);
  });

  test('foreign national without identifier, and with a malformed one', async () => {
    const res = await register(env, { isForeignNational: true, branchCode: '601', insuranceNumber: FOREIGN_2.insuranceNumber, nationalCode: '' }, null);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.fields.foreignNationalId, 'foreign_national_id.required');
    assert.equal(res.json().error.fields.nationalCode, undefined);
    const bad = await register(env, { isForeignNational: true, ...FOREIGN_2, foreignNationalId: '12345' }, null);
    assert.equal(bad.json().error.fields.foreignNationalId, 'foreign_national_id.format');
  });

  test('all field errors at once, in the asked language', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/insured-registration',
      payload: { nationalCode: '1234567890', insuranceNumber: 'x', mobile: '123', email: 'no' },
    });
    assert.equal(res.statusCode, 400);
    const fields = res.json().error.fields;
    assert.deepEqual(Object.keys(fields).sort(), ['acceptTerms', 'branchCode', 'captcha', 'email', 'insuranceNumber', 'mobile', 'nationalCode']);
    assert.match(res.json().error.message, /[\u0600-\u06FF]/, 'Persian by default');
  });

  test('Persian digits are accepted; an open group registers', async () => {
    const fa = (s: string) => s.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    const res = await register(env, { nationalCode: fa(NOORI.nationalCode), branchCode: NOORI.branchCode, insuranceNumber: fa(NOORI.insuranceNumber) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().username, NOORI.nationalCode);
  });

  test('the initial password expires after the configured days (rule used by sign-in)', async () => {
    const a = (await accountOf(env, NOORI.nationalCode))!;
    const expires = a.initial_password_expires_at!;
    assert.equal(initialPasswordExpired(a, new Date(expires.getTime() - 1)), false);
    assert.equal(initialPasswordExpired(a, expires), true);
    assert.equal(initialPasswordExpired({ ...a, must_change_password: false }, new Date(expires.getTime() + 1)), false, 'a changed password does not expire');
  });

  test('general permissions are granted after the first change, once, with an audit event; not to other accounts', async () => {
    const a = (await accountOf(env, TAHERI.nationalCode))!;
    const granted = await env.platform.db.transaction().execute(async (trx) => {
      await trx.updateTable('accounts').set({ must_change_password: false }).where('id', '=', a.id).execute();
      return env.platform.insured.grantGeneralPermissionsAfterFirstChange(trx, a.id);
    });
    assert.deepEqual(granted, ['payment_slip_issue', 'payment_slip_receive', 'pension_statement']);
    const after1 = (await accountOf(env, TAHERI.nationalCode))!;
    assert.deepEqual(after1.permissions, ['payment_slip_issue', 'payment_slip_receive', 'pension_statement']);
    assert.equal(after1.initial_password_expires_at, null);
    const events = await env.platform.db.selectFrom('audit_events').select(['event', 'data']).where('account_id', '=', a.id).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.event), ['insured.registered', 'account.permissions_granted']);
    assert.deepEqual((events[1]!.data as { permissions: string[] }).permissions, granted);
    // Idempotent.
    const again = await env.platform.db.transaction().execute((trx) => env.platform.insured.grantGeneralPermissionsAfterFirstChange(trx, a.id));
    assert.deepEqual(again, []);
    // A rolled-back change grants nothing.
    const noori = (await accountOf(env, NOORI.nationalCode))!;
    await assert.rejects(
      env.platform.db.transaction().execute(async (trx) => {
        await env.platform.insured.grantGeneralPermissionsAfterFirstChange(trx, noori.id);
        throw new Error('password change failed');
      }),
    );
    assert.deepEqual((await accountOf(env, NOORI.nationalCode))!.permissions, []);
    // A central account is not an insured one.
    const central = await env.platform.db
      .insertInto('accounts')
      .values({ national_code: '1282871242', status: 'active', origin: 'central' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const none = await env.platform.db.transaction().execute((trx) => env.platform.insured.grantGeneralPermissionsAfterFirstChange(trx, central.id));
    assert.deepEqual(none, []);
  });

  test('branch search: any part of the name, Arabic letters and digits folded; at most 10', async () => {
    const q = async (s: string) => {
      const res = await env.app.inject({ method: 'GET', url: `/api/v1/branches?q=${encodeURIComponent(s)}` });
      assert.equal(res.statusCode, 200);
      return (res.json().branches as { code: string }[]).map((b) => b.code);
    };
    assert.ok((await q('بهشتی')).includes('112'));
    assert.ok((await q('شعبه ۱۲ تهران')).includes('112'));
    assert.ok((await q('اصفهان')).includes('301'));
    assert.ok((await q('معالي')).includes('601'), 'Arabic yeh matches');
    assert.deepEqual(await q(''), []);
    assert.deepEqual(await q('ناموجود'), []);
    assert.ok((await q('شعبه')).length <= 10);
    assert.deepEqual(await q('%'), []);
  });

  test('OpenAPI documents registerInsured and getCaptcha', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    assert.equal(doc.paths['/api/v1/insured-registration'].post.operationId, 'registerInsured');
    assert.ok(doc.paths['/api/v1/insured-registration'].post.responses['409']);
    assert.equal(doc.paths['/api/v1/captcha'].get.operationId, 'getCaptcha');
  });
});

describe('insured registration with INSURED_INITIAL_PASSWORD=sms and all groups open', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: { ...fast, INSURED_INITIAL_PASSWORD: 'sms', INSURED_INITIAL_PASSWORD_DAYS: '3', INSURED_REGISTRATION_GROUPS: 'compulsory,voluntary' } });
  });
  after(() => env.close());

  test('mobile is required', async () => {
    const res = await register(env, { ...MORADI }, null);
    assert.equal(res.json().error.fields.mobile, 'insured.mobile_required_for_sms');
  });

  test('a random initial password is sent by SMS in the same transaction; the national code is not the password', async () => {
    const mobile = '09121112233';
    const res = await register(env, { ...MORADI, mobile });
    assert.equal(res.statusCode, 201, res.body);
    const sms = await lastSmsTo(env.platform, mobile);
    assert.ok(sms, 'an SMS was enqueued');
    const password = /\b(\d{10})\b/.exec(sms)![1]!;
    const a = (await accountOf(env, MORADI.nationalCode))!;
    assert.equal((await env.platform.hasher.verify(a.password_hash!, password)).valid, true);
    assert.equal((await env.platform.hasher.verify(a.password_hash!, MORADI.nationalCode)).valid, false);
    assert.equal(a.initial_password_expires_at!.getTime(), env.clock.now().getTime() + 3 * 86_400_000);
  });
});

describe('insured registration attaches the civil registry\'s identity', () => {
  test('registry down at registration: the account is created, a job attaches the identity once it answers (never a blank identity left)', async () => {
    const env = await createTestEnv({ env: fast });
    try {
      env.platform.registries.faults.civilRegistry = 'unavailable';
      const res = await register(env, { ...NOORI });
      assert.equal(res.statusCode, 201, res.body);
      const before = (await accountOf(env, NOORI.nationalCode))!;
      assert.equal(before.first_name, null);
      env.platform.registries.faults.civilRegistry = null;
      await env.platform.queue.runDue(INSURED_IDENTITY_QUEUE.name, { includeFuture: true });
      const after = (await accountOf(env, NOORI.nationalCode))!;
      assert.ok(after.first_name && after.last_name && after.birth_date && after.gender, JSON.stringify(after));
      const events = await env.platform.db.selectFrom('audit_events').select('event').where('account_id', '=', after.id).execute();
      assert.ok(events.some((e) => e.event === 'account.identity_attached'));
    } finally {
      await env.close();
    }
  });
});

describe('insured accounts registered before the identity was attached', () => {
  test('the daily housekeeping task queues a job per account; the job attaches the identity', async () => {
    const env = await createTestEnv({ env: fast });
    try {
      assert.equal((await register(env, { ...TAHERI })).statusCode, 201);
      const a = (await accountOf(env, TAHERI.nationalCode))!;
      // As an account registered by the first version was: no name, birth date or gender.
      await env.platform.db.updateTable('accounts').set({ first_name: null, last_name: null, birth_date: null, gender: null }).where('id', '=', a.id).execute();
      assert.equal(await env.platform.insured.backfillIdentities(), 1);
      await env.platform.queue.runDue(INSURED_IDENTITY_QUEUE.name);
      assert.equal((await accountOf(env, TAHERI.nationalCode))!.first_name, 'مهدی');
      assert.equal(await env.platform.insured.backfillIdentities(), 0, 'nothing left');
    } finally {
      await env.close();
    }
  });
});

describe('insured registration pages (no JavaScript)', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: fast });
  });
  after(() => env.close());

  test('main page links to it with the open groups', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/', headers: { cookie: 'lang=en' } });
    assert.match(res.body, /href="\/insured\/register"/);
    assert.match(res.body, /self-employed/);
    assert.match(res.body, /currently open only to/);
  });

  test('terms → form → branch search → registration completed', async () => {
    const agent = browser(env.app);
    const terms = await agent.get('/insured/register');
    assert.equal(terms.statusCode, 200);
    assert.match(terms.body, /name="acceptTerms"/);
    const refused = await agent.get('/insured/register/form');
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /error-summary/);
    const form = await agent.get('/insured/register/form?acceptTerms=1');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<altcha-widget name="captcha" challenge="\/api\/v1\/captcha"/);
    const filled = { acceptTerms: '1', nationalCode: TAHERI.nationalCode, insuranceNumber: TAHERI.insuranceNumber, mobile: '', email: '' };
    const search = await agent.post('/insured/register', { ...filled, branchQuery: 'بهشتی', intent: 'search_branch' });
    assert.equal(search.statusCode, 200);
    assert.match(search.body, /type="radio" name="branchCode" value="112"/);
    assert.match(search.body, new RegExp(`value="${TAHERI.nationalCode}"`), 'typed values are kept');
    // Submitting without the captcha: the form comes back with the branch still chosen.
    const noCaptcha = await agent.post('/insured/register', { ...filled, branchCode: '112', intent: 'register' });
    assert.equal(noCaptcha.statusCode, 400);
    assert.match(noCaptcha.body, /id="captcha-error"/);
    assert.match(noCaptcha.body, /type="hidden" name="branchCode" value="112"/);
    const done = await agent.post('/insured/register', { ...filled, branchCode: '112', intent: 'register', captcha: await solvedCaptcha(env.app) });
    assert.equal(done.statusCode, 303, done.body);
    const success = await agent.get(String(done.headers.location));
    assert.match(success.body, /ثبت‌نام با موفقیت انجام شد/);
  });

  test('the form refuses a post without CSRF token and without accepted terms', async () => {
    const agent = browser(env.app);
    await agent.get('/insured/register/form?acceptTerms=1');
    const noCsrf = await agent.post('/insured/register', { acceptTerms: '1' }, { csrf: null });
    assert.equal(noCsrf.statusCode, 403);
    const noTerms = await agent.post('/insured/register', { nationalCode: NOORI.nationalCode });
    assert.equal(noTerms.statusCode, 400);
    assert.match(noTerms.body, /name="acceptTerms" value="1" required/);
  });

  test('configured terms text replaces the shipped one', async () => {
    const custom = await createTestEnv({ env: { ...fast, INSURED_TERMS_EN: 'First rule.\n\nSecond rule.' } });
    try {
      const res = await custom.app.inject({ method: 'GET', url: '/insured/register', headers: { cookie: 'lang=en' } });
      assert.match(res.body, /<p>First rule.<\/p>\s*<p>Second rule.<\/p>/);
    } finally {
      await custom.close();
    }
  });

  test('the ALTCHA widget bundle is served locally', async () => {
    const css = await env.app.inject({ method: 'GET', url: '/static/vendor/altcha.css' });
    assert.equal(css.statusCode, 200);
    assert.equal((await env.app.inject({ method: 'GET', url: '/static/vendor/other.js' })).statusCode, 404);
    const res = await env.app.inject({ method: 'GET', url: '/static/vendor/altcha.min.js' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.ok(res.body.length > 10_000);
  });
});

describe('branch list import', () => {
  test('seeded from BRANCHES_CSV when empty; import upserts (CLI)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dargah-branches-'));
    const file = path.join(dir, 'branches.csv');
    writeFileSync(file, 'code,name,province,city\n112,شعبه ۱۲ تهران - ولنجک,تهران,تهران\n999,شعبه آزمایشی,یزد,یزد\n');
    const env = await createTestEnv({ env: fast, noApp: true });
    try {
      const before = await env.platform.branches.find('112');
      assert.equal(before?.name, 'شعبه ۱۲ تهران - شهید بهشتی');
      const result = await env.platform.branches.importCsv(file);
      assert.deepEqual(result, { read: 2, written: 2 });
      assert.equal((await env.platform.branches.find('112'))?.name, 'شعبه ۱۲ تهران - ولنجک');
      assert.deepEqual((await env.platform.branches.search('آزمایشی')).map((b) => b.code), ['999']);
      assert.equal(await env.platform.branches.seedIfEmpty(file), 0, 'a filled list is left alone');
    } finally {
      await env.close();
    }
    // The command itself, on its own embedded database.
    const { runCli } = await import('../src/cli.js');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) };
    const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
    process.env.DATA_DIR = path.join(dir, 'data');
    if (process.env.TEST_DATABASE_URL) delete process.env.DATABASE_URL;
    try {
      assert.equal(await runCli(['branches', 'import', file], io), 0, lines.join('\n'));
      assert.match(lines.join('\n'), /branches read: 2/);
      assert.equal(await runCli(['branches', 'import', path.join(dir, 'missing.csv')], io), 1);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
});

describe('first sign-in of an insured person (sign-in and account capabilities)', () => {
  let env: TestEnv;
  before(async () => {
    env = await createTestEnv({ env: fast });
  });
  after(() => env.close());

  const signIn = (username: string, password: string) =>
    env.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, headers: { 'accept-language': 'en' } });

  test('national code as username and initial password → forced change → general permissions', async () => {
    assert.equal((await register(env, { ...TAHERI })).statusCode, 201);
    const res = await signIn(TAHERI.nationalCode, TAHERI.nationalCode);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().requiredActions, ['change_password']);
    const auth = { authorization: `Bearer ${res.json().sessionToken}` };
    const blocked = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth });
    assert.equal(blocked.statusCode, 403, 'nothing else opens before the change');
    const changed = await env.app.inject({
      method: 'POST',
      url: '/api/v1/session/password',
      headers: auth,
      payload: { currentPassword: TAHERI.nationalCode, newPassword: 'Kohsar#Baran58', newPasswordConfirmation: 'Kohsar#Baran58' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).statusCode, 401, 'the old token ends with the forced change');
    const me = await env.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${changed.json().sessionToken}` } });
    assert.equal(me.statusCode, 200, me.body);
    assert.deepEqual(me.json().permissions, ['payment_slip_issue', 'payment_slip_receive']);
    // The civil registry's identity is attached at registration (the «—» defect).
    assert.equal(me.json().firstName, 'مهدی');
    assert.equal(me.json().lastName, 'طاهری');
    const a = (await accountOf(env, TAHERI.nationalCode))!;
    assert.equal(a.must_change_password, false);
    const events = await env.platform.db.selectFrom('audit_events').select('event').where('account_id', '=', a.id).orderBy('id').execute();
    assert.ok(events.map((e) => e.event).includes('account.permissions_granted'));
    // The national code no longer works as the password.
    assert.equal((await signIn(TAHERI.nationalCode, TAHERI.nationalCode)).statusCode, 401);
  });

  test('the initial password stops working after the configured days', async () => {
    assert.equal((await register(env, { isForeignNational: true, ...FOREIGN })).statusCode, 201);
    env.clock.advance(7 * 86_400_000 - 60_000);
    assert.equal((await signIn(FOREIGN.foreignNationalId, FOREIGN.foreignNationalId)).statusCode, 200, 'still valid a minute before');
    env.clock.advance(60_000);
    const expired = await signIn(FOREIGN.foreignNationalId, FOREIGN.foreignNationalId);
    assert.equal(expired.statusCode, 403, expired.body);
    assert.equal(expired.json().error.code, 'signin.initial_password_expired');
  });
});
