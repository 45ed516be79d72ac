import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUsername } from './username.js';

test('national codes, foreign identifiers and typed digits are usernames', () => {
  assert.deepEqual(parseUsername('0499370899'), { ok: true, value: { kind: 'national_code', value: '0499370899' } });
  assert.deepEqual(parseUsername('۰۴۹۹۳۷۰۸۹۹'), { ok: true, value: { kind: 'national_code', value: '0499370899' } });
  assert.deepEqual(parseUsername(' 049-937-0899 '), { ok: true, value: { kind: 'national_code', value: '0499370899' } });
  assert.deepEqual(parseUsername('123456789012'), { ok: true, value: { kind: 'foreign_national_id', value: '123456789012' } });
});

test('anything else is refused with a field code', () => {
  for (const bad of ['0684159415', '123456789', '12345678901', 'abc', '1234567890123', '0000000000']) {
    assert.deepEqual(parseUsername(bad), { ok: false, error: 'signin.username_format' }, bad);
  }
  assert.deepEqual(parseUsername(''), { ok: false, error: 'signin.username_required' });
  assert.deepEqual(parseUsername(undefined), { ok: false, error: 'signin.username_required' });
  assert.deepEqual(parseUsername(499370899), { ok: false, error: 'signin.username_format' });
});
