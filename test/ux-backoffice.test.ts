// The back office as staff meet it: its own header and footer, a timeline in words (no raw
// keys or ids), one "file viewed" per visit, Persian digits on Persian pages, and branch names
// found in English too. Sessions described as "Chrome on Android".
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { recordAudit } from '../src/audit/audit.js';
import { describeUserAgent } from '../src/web/userAgent.js';
import { browser, createTestEnv, lastSmsTo, type TestEnv } from './support.js';
import { insertAccount } from './signin.support.js';

const STAFF_PASSWORD = 'Branch!Desk2026xq';
let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

async function signedInStaff(username: string, role: 'admin' | 'branch_operator') {
  const created = await env.platform.staff.create({ username, role });
  assert.ok(created.ok);
  const secret = new URL(created.value.totpUri).searchParams.get('secret')!;
  const code = () => generate({ secret, epoch: Math.floor(env.clock.now().getTime() / 1000) });
  const agent = browser(env.app);
  await agent.get('/backoffice/signin');
  const res = await agent.post('/backoffice/signin', { username, password: created.value.oneTimePassword, code: await code() });
  assert.equal(res.statusCode, 303);
  await agent.get('/backoffice/password');
  assert.equal((await agent.post('/backoffice/password', { newPassword: STAFF_PASSWORD, newPasswordConfirmation: STAFF_PASSWORD })).statusCode, 303);
  env.clock.advance(30_000);
  return agent;
}

const viewsOf = async (accountId: string) =>
  (await env.platform.db.selectFrom('audit_events').select('id').where('account_id', '=', accountId).where('event', '=', 'backoffice.person_viewed').execute()).length;

describe('back office pages', () => {
  test('own header and footer: no citizen sign-in link', async () => {
    const page = await browser(env.app).get('/backoffice/signin');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /href="\/signin"/);
    assert.match(page.body, /class="brand" href="\/backoffice"/);
    assert.match(page.body, /میز کار کارکنان شعب/);
    assert.match(page.body, /ویژه کارکنان سازمان/);
    assert.doesNotMatch(page.body, /برای کمک به نزدیک‌ترین شعبه مراجعه کنید/);
  });

  test('an activation is one view, the timeline is in words, digits are Persian', async () => {
    const agent = await signedInStaff('ux.operator', 'admin');
    const a = await insertAccount(env.platform, { status: 'awaiting_branch_visit' });
    // The verification's own event, as the worker writes it (causes, request id).
    await env.platform.db.transaction().execute((trx) =>
      recordAudit(trx, {
        actorType: 'system',
        actorId: null,
        accountId: a.id,
        event: 'verification.awaiting_branch_visit',
        data: { requestId: '3f1c7a9e-1b2c-4d5e-8f90-123456789abc', causes: ['ownership_service'] },
        ip: null,
        at: env.clock.now(),
      }),
    );
    const page = await agent.get(`/backoffice/people/${a.id}`);
    assert.equal(page.statusCode, 200);
    assert.equal(await viewsOf(a.id), 1);
    const done = await agent.post(`/backoffice/people/${a.id}/activate`, { documents: 'national_card', reason: 'مدارک دیده شد' });
    assert.equal(done.statusCode, 303);
    const after = await agent.get(String(done.headers.location));
    assert.equal(after.statusCode, 200);
    assert.equal(await viewsOf(a.id), 1, 'the page after the action is the same visit');
    const timeline = /<table class="data" id="timeline">[\s\S]*?<\/table>/.exec(after.body)?.[0] ?? '';
    assert.ok(timeline, 'a timeline');
    assert.doesNotMatch(timeline, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/i, 'no ids');
    assert.doesNotMatch(timeline, /ownership_service|requestId|documents:|national_card|\bfrom\b/);
    assert.match(timeline, /مدارک/);
    assert.match(timeline, /کارت ملی/);
    assert.match(timeline, /سامانه مالکیت شماره همراه مراجعه حضوری را لازم دانست/);
    // Identifiers in Persian digits on the Persian page.
    const toFa = (s: string) => s.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    assert.ok(after.body.includes(toFa(a.nationalCode)));
    assert.ok(after.body.includes(toFa(a.mobile)));
    // A new visit is a new view.
    await agent.get(`/backoffice/people/${a.id}`);
    assert.equal(await viewsOf(a.id), 2);
  });

  test('wide tables scroll inside their box (no page overflow on a phone)', async () => {
    const agent = await signedInStaff('ux.admin2', 'admin');
    const a = await insertAccount(env.platform);
    await agent.get(`/backoffice/people/${a.id}`);
    const page = await agent.get(`/backoffice/people/${a.id}`);
    assert.match(page.body, /<div class="table-scroll" tabindex="0">\s*<table class="data" id="timeline">/);
  });
});

describe('SMS from the back office', () => {
  test('go out in the language of the pages the person last signed in on', async () => {
    const agent = await signedInStaff('ux.lang', 'admin');
    const a = await insertAccount(env.platform);
    const person = browser(env.app);
    await person.get('/signin?lang=en');
    await person.get('/signin');
    assert.equal((await person.post('/signin', { username: a.nationalCode, password: a.password })).statusCode, 303);
    const row = await env.platform.db.selectFrom('accounts').select('preferred_lang').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.preferred_lang, 'en');
    await agent.get(`/backoffice/people/${a.id}`);
    const done = await agent.post(`/backoffice/people/${a.id}/disable`, { reason: 'درخواست خود شخص' });
    assert.equal(done.statusCode, 303, done.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 1500));
    const sms = (await lastSmsTo(env.platform, a.mobile))!;
    assert.doesNotMatch(sms, /[\u0600-\u06FF]/, sms);
  });
});

describe('sessions in words', () => {
  test('Chrome on Android, Safari on iOS, in both languages', () => {
    const android = 'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    assert.equal(describeUserAgent(android, 'en'), 'Chrome on Android');
    assert.equal(describeUserAgent(android, 'fa'), 'Chrome روی Android');
    assert.equal(describeUserAgent(iphone, 'en'), 'Safari on iOS');
    assert.equal(describeUserAgent('', 'en'), null);
  });

  test('the account sessions page shows the browser, not the raw header', async () => {
    const a = await insertAccount(env.platform);
    const agent = browser(env.app);
    await agent.get('/signin');
    const ua = 'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
    const res = await env.app.inject({
      method: 'POST',
      url: '/signin',
      payload: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec((await agent.get('/signin')).body)![1]!, username: a.nationalCode, password: a.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': ua, cookie: [...agent.jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(res.statusCode, 303);
    for (const c of ([] as string[]).concat(res.headers['set-cookie'] as string[])) {
      const [pair] = c.split(';');
      agent.jar.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
    }
    const page = await agent.get('/account/sessions');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, />Chrome روی Android</);
  });
});

describe('branches in English', () => {
  test('an optional nameEn column: found by English words, shown on English pages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ux-branches-'));
    const file = path.join(dir, 'branches.csv');
    writeFileSync(file, 'code,name,province,city,nameEn\n112,شعبه ۱۲ تهران - شهید بهشتی,تهران,تهران,Branch 12 Tehran - Shahid Beheshti\n999,شعبه آزمایشی,تهران,تهران,\n');
    const imported = await env.platform.branches.importCsv(file);
    assert.equal(imported.read, 2);
    const found = await env.platform.branches.search('beheshti');
    assert.deepEqual(found.map((b) => b.code), ['112']);
    assert.equal(found[0]!.nameEn, 'Branch 12 Tehran - Shahid Beheshti');
    assert.deepEqual((await env.platform.branches.search('بهشتی')).map((b) => b.code), ['112']);
    // The fixed header without the optional column still loads (API.md's CSV format).
    writeFileSync(file, 'code,name,province,city\n998,شعبه دیگر,تهران,تهران\n');
    assert.equal((await env.platform.branches.importCsv(file)).read, 1);
    const api = await env.app.inject({ method: 'GET', url: '/api/v1/branches?q=Shahid' });
    assert.equal(api.json().branches[0].nameEn, 'Branch 12 Tehran - Shahid Beheshti');
  });
});
