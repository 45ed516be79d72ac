import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localPath } from './redirect.js';

test('local paths pass, with their query', () => {
  assert.equal(localPath('/account'), '/account');
  assert.equal(localPath('/account/password?next=%2Faccount&x=1#main'), '/account/password?next=%2Faccount&x=1#main');
  assert.equal(localPath('/'), '/');
});

test('other hosts, schemes, backslashes and control characters are refused', () => {
  for (const bad of [
    '//evil.example/', '/\\evil.example/', '\\\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'evil.example',
    '/\t/evil.example', '/\n/evil.example', '/a\\b', '/a\u0000b', '/a\u007fb', '/a b', '', '/' + 'a'.repeat(2000), 42, undefined, null,
    '/\u2028/evil.example', '/a\u0085b',
  ]) {
    assert.equal(localPath(bad), undefined, JSON.stringify(bad));
  }
});

test('non-ASCII is percent-encoded as UTF-8 (a header cannot carry it raw); a lone surrogate is refused', () => {
  assert.equal(localPath('/account?q=سلام'), '/account?q=%D8%B3%D9%84%D8%A7%D9%85');
  assert.equal(localPath('/حساب'), '/%D8%AD%D8%B3%D8%A7%D8%A8');
  assert.equal(localPath('/a\ud800'), undefined);
  // Already-encoded input is left as it is (no double encoding).
  assert.equal(localPath('/a%20b'), '/a%20b');
});
