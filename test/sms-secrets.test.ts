// Secrets in SMS texts (one-time codes, temporary and initial passwords) do not stay in clear
// in sms_messages: redacted by a real gateway's delivery in the statement that marks it sent,
// kept by the development outbox only for the retention or until its flow is over, redacted
// when dead (and then never resent); the catalogs are scanned so no secret template is missed.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  NOT_SECRET_PLACEHOLDERS,
  SECRET_LOOKING_PLACEHOLDER,
  SECRET_MASK,
  SECRET_SMS_TEMPLATES,
  isSecretSmsTemplate,
} from '../src/notifications/secrets.js';
import { redactedText, SMS_QUEUE, type SmsTemplate } from '../src/notifications/sms.service.js';
import { t } from '../src/messages/index.js';
import { createTestEnv, type TestEnv } from './support.js';
import { insertAccount } from './signin.support.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** Every `sms.*` text of every catalog (src/messages/*.ts, and identity's *.messages.ts), by key and language. */
async function smsTextsOfAllCatalogs(): Promise<Map<string, { lang: string; text: string; file: string }[]>> {
  const root = path.resolve(import.meta.dirname, '../src');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.messages.ts') || (f.startsWith(`messages${path.sep}`) && f.endsWith('.ts') && !f.endsWith('index.ts') && !f.endsWith('.test.ts')),
  );
  assert.ok(files.length >= 5, 'catalog files found');
  const texts = new Map<string, { lang: string; text: string; file: string }[]>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(root, file)).href)) as Record<string, unknown>;
    for (const catalog of Object.values(mod)) {
      if (!catalog || typeof catalog !== 'object') continue;
      for (const [lang, entries] of Object.entries(catalog as Record<string, unknown>)) {
        if (!entries || typeof entries !== 'object') continue;
        for (const [key, text] of Object.entries(entries as Record<string, unknown>)) {
          if (!key.startsWith('sms.') || typeof text !== 'string') continue;
          texts.set(key, [...(texts.get(key) ?? []), { lang, text, file }]);
        }
      }
    }
  }
  return texts;
}

describe('the list of secret SMS templates', () => {
  test('catalog scan: every secret-looking placeholder of every SMS text is masked or explicitly not secret', async () => {
    const texts = await smsTextsOfAllCatalogs();
    assert.ok(texts.size >= 20, `SMS texts found: ${texts.size}`);
    const problems: string[] = [];
    for (const [key, versions] of texts) {
      const masked: readonly string[] = isSecretSmsTemplate(key) ? SECRET_SMS_TEMPLATES[key] : [];
      const allowed: readonly string[] = (NOT_SECRET_PLACEHOLDERS as Record<string, readonly string[]>)[key] ?? [];
      for (const { lang, text, file } of versions) {
        for (const p of placeholders(text)) {
          if (SECRET_LOOKING_PLACEHOLDER.test(p) && !masked.includes(p) && !allowed.includes(p)) {
            problems.push(`${file} ${lang}.${key}: {${p}} looks secret — add the template to SECRET_SMS_TEMPLATES (src/notifications/secrets.ts) or the placeholder to NOT_SECRET_PLACEHOLDERS with a reason`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    // The scan sees the ones we know of (a broken scan would pass vacuously).
    for (const key of ['sms.registration_code', 'sms.signin_code', 'sms.mobile_change_code', 'sms.recovery_password', 'sms.insured_initial_password', 'sms.backoffice_password_reset']) {
      assert.ok(isSecretSmsTemplate(key), key);
      assert.ok(texts.has(key), `scanned ${key}`);
    }
  });

  test('every listed template exists and holds each masked placeholder in both languages; its redacted text has no secret left', async () => {
    const texts = await smsTextsOfAllCatalogs();
    for (const [key, names] of Object.entries(SECRET_SMS_TEMPLATES)) {
      const versions = texts.get(key) ?? [];
      assert.deepEqual(versions.map((v) => v.lang).sort(), ['en', 'fa'], key);
      for (const v of versions) for (const n of names) assert.ok(placeholders(v.text).includes(n), `${v.lang}.${key} has {${n}}`);
      for (const lang of ['fa', 'en'] as const) {
        const params = { code: '482913', password: 'Zx9!secretPw', trackingCode: '77665544', days: 3, hours: 24 };
        const redacted = redactedText(lang, key as SmsTemplate, params)!;
        assert.ok(redacted.includes(SECRET_MASK), `${lang}.${key} masked`);
        assert.ok(!redacted.includes('482913') && !redacted.includes('Zx9!secretPw'), `${lang}.${key}: ${redacted}`);
      }
    }
    assert.equal(redactedText('fa', 'sms.verification_active', { greeting: 'خانم کاظمی' }), null, 'no redacted text for a template without a secret');
    assert.ok(redactedText('fa', 'sms.recovery_password', { trackingCode: '77665544', password: 'p', hours: 24 })!.includes('77665544'), 'the tracking code stays');
  });
});

/** A gateway that accepts everything (200) or refuses everything (400), recording what it got. */
async function gateway(status: number) {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const row = (env: TestEnv, key: string) => env.platform.db.selectFrom('sms_messages').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

async function enqueue(env: TestEnv, key: string, template: SmsTemplate, params: Record<string, string | number>, to = '09121234567') {
  await env.platform.db.transaction().execute((trx) => env.platform.sms.enqueue(trx, { to, template, params, lang: 'en', idempotencyKey: key }));
}

describe('a real gateway (SMS_PROVIDER=http)', () => {
  test('a secret is redacted in the row as it is marked sent; a message without a secret keeps its text', async () => {
    const gw = await gateway(200);
    const env = await createTestEnv({ noApp: true, env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url, SMS_HTTP_SECRET: 'gw-secret' } });
    try {
      await enqueue(env, 'secret:1', 'sms.signin_code', { code: '482913' });
      await enqueue(env, 'plain:1', 'sms.verification_active', { greeting: 'Ms Kazemi' });
      const before = await row(env, 'secret:1');
      assert.match(before.body, /482913/, 'in clear until delivered');
      assert.equal(before.redacted_at, null);

      assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name), 2);
      assert.equal(gw.bodies.length, 2);
      assert.ok(gw.bodies.some((b) => JSON.parse(b).text.includes('482913')), 'the gateway got the code');

      const secret = await row(env, 'secret:1');
      assert.equal(secret.status, 'sent');
      assert.ok(!secret.body.includes('482913'), secret.body);
      assert.equal(secret.body, t('en', 'sms.signin_code', { code: SECRET_MASK }));
      assert.equal(secret.redacted_at?.getTime(), env.clock.now().getTime());
      assert.ok(!secret.idempotency_key.includes('482913'));

      const plain = await row(env, 'plain:1');
      assert.equal(plain.status, 'sent');
      assert.equal(plain.body, t('en', 'sms.verification_active', { greeting: 'Ms Kazemi' }));
      assert.equal(plain.redacted_body, null);
      assert.equal(plain.redacted_at, null);

      // The purge never touches a message without a secret, however old.
      env.clock.advance(30 * 24 * 3600_000);
      assert.equal(await env.platform.sms.purgeSecrets(), 0);
      assert.equal((await row(env, 'plain:1')).body, plain.body);
    } finally {
      await env.close();
      await gw.close();
    }
  });

  test('a dead secret is redacted, listed as secret, and its resend is refused (service and back office)', async () => {
    const gw = await gateway(400);
    const env = await createTestEnv({ noApp: true, env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url, SMS_HTTP_SECRET: 'gw-secret' } });
    try {
      await enqueue(env, 'secret:dead', 'sms.backoffice_password_reset', { password: 'Tmp#Pass9911' });
      await enqueue(env, 'plain:dead', 'sms.backoffice_enabled', {});
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      const dead = await row(env, 'secret:dead');
      assert.equal(dead.status, 'dead');
      assert.ok(!dead.body.includes('Tmp#Pass9911'), dead.body);
      assert.ok(dead.body.includes(SECRET_MASK));
      assert.ok(dead.redacted_at);
      const plain = await row(env, 'plain:dead');
      assert.equal(plain.status, 'dead');
      assert.equal(plain.body, t('en', 'sms.backoffice_enabled'), 'nothing to hide: kept (and resendable)');

      const listed = await env.platform.sms.listDead();
      assert.deepEqual(listed.messages.map((m) => [m.template, m.secret]).sort(), [['sms.backoffice_enabled', false], ['sms.backoffice_password_reset', true]]);

      const refused = await env.platform.sms.resend(dead.id, { type: 'system', id: null });
      assert.ok(!refused.ok);
      assert.equal(refused.error.kind, 'conflict');
      assert.equal(refused.error.code, 'notifications.sms_secret_not_resendable');
      const staff = { id: '00000000-0000-4000-8000-000000000001', username: 'op', role: 'branch_operator' as const, branchCode: null };
      const meta = { ip: '127.0.0.1', lang: 'fa' as const, userAgent: null };
      const byStaff = await env.platform.backoffice.resendSms(staff, dead.id, meta as never);
      assert.ok(!byStaff.ok);
      assert.equal(byStaff.error.code, 'notifications.sms_secret_not_resendable');
      assert.equal((await row(env, 'secret:dead')).status, 'dead', 'still dead, still redacted');

      assert.ok((await env.platform.sms.resend(plain.id, { type: 'system', id: null })).ok, 'a message without a secret may be resent');
    } finally {
      await env.close();
      await gw.close();
    }
  });

  test('a secret still queued when the retention passes is redacted and then not sent at all', async () => {
    const gw = await gateway(200);
    const env = await createTestEnv({ noApp: true, env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url, SMS_HTTP_SECRET: 'gw-secret', SMS_SECRET_RETENTION_SECONDS: '600' } });
    try {
      await enqueue(env, 'secret:late', 'sms.registration_code', { code: '135790' });
      env.clock.advance(601_000);
      assert.equal(await env.platform.sms.purgeSecrets(), 1);
      await env.platform.queue.runDue(SMS_QUEUE.name);
      assert.equal(gw.bodies.length, 0, 'the masked text is not sent');
      const r = await row(env, 'secret:late');
      assert.equal(r.status, 'dead');
      assert.equal(r.last_error, 'secret_redacted_before_delivery');
      assert.ok(!r.body.includes('135790'));
    } finally {
      await env.close();
      await gw.close();
    }
  });
});

describe('the development outbox', () => {
  test('keeps a code for the retention (shown at /dev/sms), then the purge redacts it', async () => {
    const env = await createTestEnv({ env: { SMS_SECRET_RETENTION_SECONDS: '3600' } });
    try {
      await enqueue(env, 'outbox:1', 'sms.registration_code', { code: '246801' });
      await env.platform.queue.runDue(SMS_QUEUE.name);
      assert.equal((await row(env, 'outbox:1')).status, 'sent');
      assert.match((await row(env, 'outbox:1')).body, /246801/, 'kept after the outbox "delivery"');
      const page = await env.app.inject({ method: 'GET', url: '/dev/sms?to=09121234567', headers: { accept: 'application/json' } });
      assert.match(page.body, /246801/);

      env.clock.advance(3599_000);
      assert.equal(await env.platform.sms.purgeSecrets(), 0, 'within the retention');
      assert.match((await row(env, 'outbox:1')).body, /246801/);

      env.clock.advance(2_000);
      assert.equal((await env.platform.housekeeping.runAll())['sms-secrets'], 1, 'the housekeeping task redacts it');
      const r = await row(env, 'outbox:1');
      assert.ok(!r.body.includes('246801'));
      assert.equal(r.body, t('en', 'sms.registration_code', { code: SECRET_MASK }));
      const after = await env.app.inject({ method: 'GET', url: '/dev/sms?to=09121234567', headers: { accept: 'application/json' } });
      assert.ok(!after.body.includes('246801'));
      assert.ok(after.body.includes(SECRET_MASK));
    } finally {
      await env.close();
    }
  });

  test('the end of the flow redacts earlier: a sign-in code once used, temporary passwords once the password changes', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      const a = await insertAccount(env.platform);
      const meta = { ip: '10.0.0.7', lang: 'en' as const, userAgent: null };
      const started = await env.platform.signin.startCode({ username: a.nationalCode }, meta);
      assert.ok(started.ok);
      const key = `signin-code:${started.value.flowId}`;
      const code = /\b(\d{6})\b/.exec((await row(env, key)).body)![1]!;
      await env.platform.queue.runDue(SMS_QUEUE.name);
      assert.match((await row(env, key)).body, new RegExp(code), 'the outbox keeps it while the flow is open');
      const signed = await env.platform.signin.verifyCode(started.value.flowId, { code }, { ...meta, kind: 'web' });
      assert.ok(signed.ok, JSON.stringify(!signed.ok && signed.error));
      const used = await row(env, key);
      assert.ok(!used.body.includes(code), used.body);
      assert.ok(used.redacted_at);

      // A temporary password sent for this account goes when the password is changed.
      await env.platform.db.transaction().execute((trx) =>
        env.platform.sms.enqueue(trx, { to: a.mobile, template: 'sms.backoffice_password_reset', params: { password: 'Tmp#Pass4455' }, lang: 'en', idempotencyKey: 'tmp:1', accountId: a.id }),
      );
      await env.platform.queue.runDue(SMS_QUEUE.name);
      assert.match((await row(env, 'tmp:1')).body, /Tmp#Pass4455/, 'delivered to the outbox, kept');
      const hash = await env.platform.hasher.hash('Kouh#Damavand57');
      await env.platform.db.transaction().execute((trx) =>
        env.platform.accounts.setPassword(trx, 'setPasswordByPerson', { kind: 'person', accountId: a.id, ip: '10.0.0.7', lang: 'en' }, a.id, hash),
      );
      assert.ok(!(await row(env, 'tmp:1')).body.includes('Tmp#Pass4455'));
    } finally {
      await env.close();
    }
  });
});

describe('housekeeping', () => {
  test('every purge is a task with its own pg-boss cron schedule', async () => {
    const env = await createTestEnv({ noApp: true });
    try {
      const names = env.platform.housekeeping.tasks.map((t) => t.name).sort();
      assert.deepEqual(names, ['captcha-uses', 'doctor-licences', 'insured-identities', 'passkey-challenges', 'registration-flows', 'signin-codes', 'sms-secrets', 'sso-artifacts', 'staff-sessions', 'verification-rejections']);
      await env.platform.housekeeping.schedule();
      await env.platform.housekeeping.schedule(); // idempotent (every worker calls it at start)
      const schedules = await env.platform.queue.boss.getSchedules();
      assert.deepEqual(schedules.map((s) => s.name).sort(), env.platform.housekeeping.tasks.map((t) => t.queue).sort());
      // A task's job runs through the queue like any other.
      await env.platform.queue.send('housekeeping-sms-secrets', {});
      assert.equal(await env.platform.queue.runDue('housekeeping-sms-secrets'), 1);
      const all = await env.platform.housekeeping.runAll();
      assert.deepEqual(Object.keys(all).sort(), names);
    } finally {
      await env.close();
    }
  });
});
