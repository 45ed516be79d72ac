import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { REDACT_PATHS, requestSerializer } from './logger.js';

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
