// SMS gateway providers against local fake servers (node:http on 127.0.0.1, port 0):
// Kavenegar's form API and status codes, the signed JSON gateway, timeouts and network
// errors; and both wired through the platform (SMS_PROVIDER) with the delivery queue.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpSmsProvider, signSmsRequest } from '../src/notifications/http.provider.js';
import { createKavenegarProvider, kavenegarLocalId } from '../src/notifications/kavenegar.provider.js';
import { SMS_QUEUE } from '../src/notifications/sms.service.js';
import { createTestEnv } from './support.js';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
type Reply = { status: number; body: string; delayMs?: number } | 'hang';

/** A fake gateway: records every request and answers from a script (the last answer repeats). */
async function fakeServer(script: Reply[]) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = script.length > 1 ? script.shift()! : script[0]!;
      if (reply === 'hang') return; // never answers: the client's timeout must fire
      setTimeout(() => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body), reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    script,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const kave = (status: number, message = 'x') =>
  ({ status, body: JSON.stringify({ return: { status, message }, entries: status === 200 ? [{ messageid: 8792343, status: 1, receptor: '09121234567' }] : null }) });

const message = { to: '09121234567', text: 'سلام، کد شما ۱۲۳۴ است', idempotencyKey: 'verification-outcome:abc' };

describe('kavenegar provider', () => {
  test('posts the form over the API path with key, receptor, sender, message and a stable localid', async () => {
    const fake = await fakeServer([kave(200)]);
    try {
      const provider = createKavenegarProvider({ url: fake.url, apiKey: 'SECRET-KEY-123', sender: '10004346', timeoutMs: 30_000 });
      const result = await provider.send(message);
      assert.deepEqual(result, { kind: 'sent', providerMessageId: '8792343' });
      const req = fake.seen[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/v1/SECRET-KEY-123/sms/send.json');
      assert.match(String(req.headers['content-type']), /application\/x-www-form-urlencoded/);
      const form = new URLSearchParams(req.body);
      assert.equal(form.get('receptor'), '09121234567');
      assert.equal(form.get('sender'), '10004346');
      assert.equal(form.get('message'), message.text);
      assert.equal(form.get('localid'), kavenegarLocalId(message.idempotencyKey));
      assert.match(form.get('localid')!, /^\d+$/);
      assert.equal(kavenegarLocalId('a'), kavenegarLocalId('a'));
      assert.notEqual(kavenegarLocalId('a'), kavenegarLocalId('b'));
    } finally {
      await fake.close();
    }
  });

  const cases: [number, 'retry' | 'rejected', string][] = [
    [409, 'retry', 'kavenegar:busy'],
    [500, 'retry', 'kavenegar:status_500'],
    [502, 'retry', 'kavenegar:status_502'],
    [429, 'retry', 'kavenegar:status_429'],
    [418, 'rejected', 'kavenegar:no_credit'],
    [411, 'rejected', 'kavenegar:bad_receptor'],
    [403, 'rejected', 'kavenegar:bad_api_key'],
    [413, 'rejected', 'kavenegar:message_too_long'],
    [424, 'rejected', 'kavenegar:template_not_approved'],
    [412, 'rejected', 'kavenegar:status_412'],
  ];
  for (const [status, kind, reason] of cases) {
    test(`status ${status} → ${kind} (${reason}), and the reason never holds the key`, async () => {
      const fake = await fakeServer([kave(status)]);
      try {
        const provider = createKavenegarProvider({ url: fake.url, apiKey: 'SECRET-KEY-123', sender: '1000', timeoutMs: 30_000 });
        const result = await provider.send(message);
        assert.deepEqual(result, { kind, reason });
      } finally {
        await fake.close();
      }
    });
  }

  test('a proxy error page without JSON is retried; a timeout and a refused connection are retried', async () => {
    const fake = await fakeServer([{ status: 503, body: '<html>bad gateway</html>' }]);
    const provider = createKavenegarProvider({ url: fake.url, apiKey: 'K', sender: '1', timeoutMs: 30_000 });
    assert.deepEqual(await provider.send(message), { kind: 'retry', reason: 'kavenegar:status_503' });
    await fake.close();

    const slow = await fakeServer(['hang']);
    const timed = createKavenegarProvider({ url: slow.url, apiKey: 'K', sender: '1', timeoutMs: 200 });
    assert.deepEqual(await timed.send(message), { kind: 'retry', reason: 'kavenegar:timeout' });
    await slow.close();

    const refused = createKavenegarProvider({ url: fake.url, apiKey: 'K', sender: '1', timeoutMs: 30_000 });
    assert.deepEqual(await refused.send(message), { kind: 'retry', reason: 'kavenegar:network_error' });
  });
});

describe('http (signed JSON) provider', () => {
  test('posts {to, text, idempotencyKey} with a verifiable HMAC signature over timestamp and body', async () => {
    const fake = await fakeServer([{ status: 202, body: JSON.stringify({ id: 'gw-77' }) }]);
    try {
      const provider = createHttpSmsProvider({ url: `${fake.url}/send`, secret: 'shh-secret', timeoutMs: 30_000, now: () => 1795300000 });
      assert.deepEqual(await provider.send(message), { kind: 'sent', providerMessageId: 'gw-77' });
      const req = fake.seen[0]!;
      assert.equal(req.url, '/send');
      assert.deepEqual(JSON.parse(req.body), message);
      assert.equal(req.headers['idempotency-key'], message.idempotencyKey);
      assert.equal(req.headers['x-dargah-timestamp'], '1795300000');
      // What a gateway does: recompute over the raw body it received.
      assert.equal(req.headers['x-dargah-signature'], signSmsRequest('shh-secret', '1795300000', req.body));
      assert.notEqual(req.headers['x-dargah-signature'], signSmsRequest('other-secret', '1795300000', req.body));
      assert.match(String(req.headers['x-dargah-signature']), /^sha256=[0-9a-f]{64}$/);
    } finally {
      await fake.close();
    }
  });

  const cases: [number, 'retry' | 'rejected'][] = [[500, 'retry'], [503, 'retry'], [408, 'retry'], [429, 'retry'], [400, 'rejected'], [401, 'rejected'], [422, 'rejected']];
  for (const [status, kind] of cases) {
    test(`status ${status} → ${kind}`, async () => {
      const fake = await fakeServer([{ status, body: '{}' }]);
      try {
        const provider = createHttpSmsProvider({ url: fake.url, secret: 's', timeoutMs: 30_000 });
        assert.deepEqual(await provider.send(message), { kind, reason: `http:status_${status}` });
      } finally {
        await fake.close();
      }
    });
  }

  test('an empty 2xx is sent; a timeout is retried', async () => {
    const fake = await fakeServer([{ status: 204, body: '' }]);
    assert.deepEqual(await createHttpSmsProvider({ url: fake.url, secret: 's', timeoutMs: 30_000 }).send(message), { kind: 'sent', providerMessageId: null });
    await fake.close();
    const slow = await fakeServer(['hang']);
    assert.deepEqual(await createHttpSmsProvider({ url: slow.url, secret: 's', timeoutMs: 200 }).send(message), { kind: 'retry', reason: 'http:timeout' });
    await slow.close();
  });
});

describe('providers wired by SMS_PROVIDER through the delivery queue', () => {
  let fake: Awaited<ReturnType<typeof fakeServer>>;
  before(async () => {
    fake = await fakeServer([kave(409), kave(200)]);
  });
  after(async () => fake.close());

  test('SMS_PROVIDER=kavenegar: busy then sent — one message delivered, retried with the same localid', async () => {
    const env = await createTestEnv({
      noApp: true,
      env: { SMS_PROVIDER: 'kavenegar', KAVENEGAR_API_KEY: 'KEY-XYZ', KAVENEGAR_SENDER: '2000500', KAVENEGAR_URL: fake.url, SMS_RETRY_DELAY_SECONDS: '1' },
    });
    try {
      await env.platform.db.transaction().execute((trx) =>
        env.platform.sms.enqueue(trx, { to: '09121234567', template: 'sms.registration_code', params: { code: '482913' }, lang: 'fa', idempotencyKey: 'wired:1' }),
      );
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      let row = await env.platform.db.selectFrom('sms_messages').selectAll().where('idempotency_key', '=', 'wired:1').executeTakeFirstOrThrow();
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error, 'kavenegar:busy');
      assert.ok(!row.last_error!.includes('KEY-XYZ'));
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true });
      row = await env.platform.db.selectFrom('sms_messages').selectAll().where('idempotency_key', '=', 'wired:1').executeTakeFirstOrThrow();
      assert.equal(row.status, 'sent');
      assert.equal(row.provider, 'kavenegar');
      assert.equal(row.provider_message_id, '8792343');
      assert.equal(fake.seen.length, 2, 'one failed try, one delivery, nothing after');
      const ids = fake.seen.map((s) => new URLSearchParams(s.body).get('localid'));
      assert.equal(ids[0], ids[1]);
      assert.match(new URLSearchParams(fake.seen[1]!.body).get('message')!, /۴۸۲۹۱۳|482913/);
    } finally {
      await env.close();
    }
  });

  test('SMS_PROVIDER=http: a rejection goes straight to the dead-letter list', async () => {
    const gateway = await fakeServer([{ status: 400, body: '{"error":"bad number"}' }]);
    const env = await createTestEnv({ noApp: true, env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_SECRET: 'gateway-secret' } });
    try {
      await env.platform.db.transaction().execute((trx) =>
        env.platform.sms.enqueue(trx, { to: '09121234567', template: 'sms.registration_code', params: { code: '111222' }, lang: 'en', idempotencyKey: 'wired:2' }),
      );
      assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true }), 1);
      assert.equal(await env.platform.queue.runDue(SMS_QUEUE.name, { includeFuture: true }), 0);
      const dead = await env.platform.sms.listDead();
      assert.equal(dead.total, 1);
      assert.equal(dead.messages[0]!.lastError, 'http:status_400');
      assert.equal(gateway.seen.length, 1);
      const req = gateway.seen[0]!;
      assert.equal(req.headers['x-dargah-signature'], signSmsRequest('gateway-secret', String(req.headers['x-dargah-timestamp']), req.body));
    } finally {
      await env.close();
      await gateway.close();
    }
  });
});
