import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { lazyRequestLogger, REDACT_PATHS, requestSerializer } from './logger.js';

test('secrets and identifiers never reach a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  log.info({ body: { password: 'Secret#123', nationalCode: '0499370899', mobile: '09121234567', code: '123456' }, headers: { authorization: 'Bearer abc', cookie: 'sid=x' } }, 'x');
  const out = lines.join('');
  for (const secret of ['Secret#123', '0499370899', '09121234567', '123456', 'Bearer abc', 'sid=x']) assert.ok(!out.includes(secret), secret);
});

test('request paths keep only the start of flow ids and tokens; no query strings', () => {
  const out = requestSerializer({ method: 'GET', url: '/register/flow/04F4we4O15g33KPc0OJqeNhPzNt5QtbdzD6LkpvlpRE/code?to=09121234567', id: 'r1' });
  assert.deepEqual(out, { id: 'r1', method: 'GET', path: '/register/flow/04F4we…/code' });
});

test("a request's logger makes its child on first use: request id, redaction and a route's own level kept", () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const parent = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  let children = 0;
  const child = parent.child.bind(parent);
  parent.child = ((...args: Parameters<typeof child>) => (children++, child(...args))) as typeof parent.child;

  const quiet = lazyRequestLogger(parent, { reqId: 'req-1' }, {});
  assert.equal(quiet.level, 'info');
  assert.equal(quiet.isLevelEnabled('info'), true);
  assert.equal(quiet.isLevelEnabled('debug'), false);
  quiet.debug('not written');
  assert.equal(children, 0, 'nothing logged: no child made');
  assert.deepEqual(quiet.bindings(), { reqId: 'req-1' });

  const log = lazyRequestLogger(parent, { reqId: 'req-2' }, {});
  log.info({ body: { password: 'Secret#123' } }, 'first');
  log.warn('second');
  assert.equal(children, 1, 'one child for the request, made once');
  const [first, second] = lines.map((l) => JSON.parse(l));
  assert.equal(first.reqId, 'req-2');
  assert.equal(first.msg, 'first');
  assert.equal(first.body.password, '[redacted]');
  assert.equal(second.reqId, 'req-2');

  // A route with logLevel: 'warn' (e.g. /healthz) logs nothing below warn.
  const route = lazyRequestLogger(parent, { reqId: 'req-3' }, { level: 'warn' });
  assert.equal(route.isLevelEnabled('info'), false);
  route.info('dropped');
  route.error('kept');
  assert.equal(lines.length, 3);
  assert.equal(JSON.parse(lines[2]!).msg, 'kept');
  assert.equal(JSON.parse(lines[2]!).reqId, 'req-3');
  assert.equal(lazyRequestLogger(parent, {}, { level: 'silent' }).isLevelEnabled('fatal'), false);
});
