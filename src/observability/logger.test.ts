import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAccessLog, lazyRequestLogger, REDACT_PATHS, requestSerializer } from './logger.js';

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

const FLOW_URL = '/register/flow/04F4we4O15g33KPc0OJqeNhPzNt5QtbdzD6LkpvlpRE/code?to=09121234567';

test('an access line says request id, method, shortened path, status and time, through a logger writing elsewhere', () => {
  // (The line used to lose its path: the request, already serialized, went through the
  // logger's request serializer a second time.)
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const access = createAccessLog(pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink));
  access.write({ reqId: 'req-7', method: 'GET', url: FLOW_URL, statusCode: 200, responseTime: 1.5 });
  access.close();
  const line = JSON.parse(lines[0]!);
  assert.equal(line.msg, 'request completed');
  assert.deepEqual([line.reqId, line.method, line.path, line.statusCode, line.responseTime], ['req-7', 'GET', '/register/flow/04F4we…/code', 200, 1.5]);
  assert.ok(!lines[0]!.includes('09121234567') && !lines[0]!.includes('PzNt5Qtbd'));
});

test('on standard output the access lines are written in blocks, and none is lost when the process exits', () => {
  const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
  const script = `
    const { createLogger, createAccessLog } = await import(${JSON.stringify(logger)});
    const log = createLogger('info');
    const access = createAccessLog(log);
    for (let i = 0; i < 25; i++) access.write({ reqId: 'req-' + i, method: 'GET', url: ${JSON.stringify(FLOW_URL)}, statusCode: 200, responseTime: i });
    log.warn('between');
    process.exit(0);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const access = lines.filter((l) => l.msg === 'request completed');
  assert.deepEqual(access.map((l) => l.reqId), Array.from({ length: 25 }, (_, i) => `req-${i}`), 'every line, whole and in order');
  for (const l of access) {
    assert.equal(l.level, 30);
    assert.equal(typeof l.time, 'number');
    assert.equal(l.pid, run.pid);
    assert.equal(typeof l.hostname, 'string');
    assert.equal(l.path, '/register/flow/04F4we…/code');
  }
  assert.equal(lines.filter((l) => l.msg === 'between').length, 1);
});
