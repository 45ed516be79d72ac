import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostile, hostPrefixed, isDataException, isPersonalPath } from './edge.js';

test('hostPrefixed: the portal cookies get __Host- with Secure and Path=/, no Domain; others pass', () => {
  assert.equal(hostPrefixed('dargah_session=abc; Path=/; HttpOnly; SameSite=Lax'), '__Host-dargah_session=abc; HttpOnly; SameSite=Lax; Path=/; Secure');
  assert.equal(hostPrefixed('bo_session=x; Max-Age=36000; Path=/backoffice; Domain=example.ir; HttpOnly; Secure; SameSite=Strict'), '__Host-bo_session=x; Max-Age=36000; HttpOnly; SameSite=Strict; Path=/; Secure');
  assert.equal(hostPrefixed('_interaction=1; Path=/oidc/interaction/x'), '_interaction=1; Path=/oidc/interaction/x');
  assert.equal(hostPrefixed('lang=en'), '__Host-lang=en; Path=/; Secure');
});

test('hostile: controls, broken UTF-16 and overlong values; ordinary Persian text and line breaks in bodies pass', () => {
  for (const v of ['a\u0000', '\u0007', '\ud800', 'x'.repeat(2001), { a: ['\u0000'] }, { 'k\u0000': 'v' }]) assert.equal(hostile(v, 'query'), true, JSON.stringify(v));
  for (const v of ['سلام ۱۲۳', '😀', '', 'a b', { a: ['x', 'y'] }, 42, null, undefined]) assert.equal(hostile(v, 'query'), false, JSON.stringify(v));
  assert.equal(hostile('line one\r\nline two\ttab', 'body'), false);
  assert.equal(hostile('line\r\n', 'query'), true);
  assert.equal(hostile({ l1: { l2: { l3: { l4: { l5: { l6: { l7: { l8: { l9: 'x' } } } } } } } } }, 'body'), true);
});

test('isDataException and isPersonalPath', () => {
  assert.equal(isDataException({ code: '22021' }), true);
  assert.equal(isDataException({ code: '22P02' }), true);
  assert.equal(isDataException({ code: '54000' }), true);
  assert.equal(isDataException({ code: '23505' }), false);
  assert.equal(isDataException(new Error('x')), false);
  assert.equal(isDataException(null), false);
  for (const p of ['/api/v1/me', '/api/v1/me/permissions', '/api/v1/session', '/account', '/account/sessions', '/backoffice/search']) assert.ok(isPersonalPath(p), p);
  for (const p of ['/', '/signin', '/api/v1/branches', '/accounts-help', '/api/v1/messages']) assert.ok(!isPersonalPath(p), p);
});
