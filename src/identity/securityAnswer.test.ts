// Tests: security answer normalisation (what must compare equal) and limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { err, ok } from './result.js';
import {
  SECURITY_ANSWER_ERRORS,
  SECURITY_ANSWER_MAX_LENGTH,
  normalizeSecurityAnswer,
  parseSecurityAnswer,
} from './securityAnswer.js';

describe('normalizeSecurityAnswer', () => {
  const same: [string, string, string][] = [
    ['علي  رضا', 'علی رضا', 'Arabic yeh and a doubled space'],
    ['  علی رضا  ', 'علی رضا', 'outer spaces'],
    ['حسین\u200Cزاده', 'حسین زاده', 'ZWNJ counts as a space'],
    ['كتاب', 'کتاب', 'Arabic kaf'],
    ['آبی', 'ابی', 'alef with madda'],
    ['رئیس', 'رییس', 'yeh with hamza'],
    ['محمّد', 'محمد', 'shadda'],
    ['محـــمد', 'محمد', 'tatweel'],
    ['\uFECB\uFEE0\uFEF2', 'علی', 'presentation forms'],
    ['۱۳۷۰', '1370', 'Persian digits'],
    ['١٣٧٠', '1370', 'Arabic-Indic digits'],
    ['Tehran', 'tehran', 'Latin case'],
    ['Tehran!', 'tehran', 'punctuation'],
    ['«تهران»؟', 'تهران', 'Persian punctuation'],
    ['ali-reza', 'ali reza', 'a hyphen is a word break'],
    ['ali,reza', 'ali reza', 'a comma is a word break'],
  ];
  for (const [a, b, why] of same) {
    it(`${why}: «${a}» ≡ «${b}»`, () => assert.equal(normalizeSecurityAnswer(a), normalizeSecurityAnswer(b)));
  }
  it('keeps words apart', () => {
    assert.equal(normalizeSecurityAnswer('علي  رضا'), 'علی رضا');
    assert.notEqual(normalizeSecurityAnswer('new york'), normalizeSecurityAnswer('newyork'));
  });
  it('is idempotent and leaves single inner spaces, no upper-case ASCII, no punctuation', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string()), (s) => {
        const out = normalizeSecurityAnswer(s);
        assert.equal(normalizeSecurityAnswer(out), out);
        assert.doesNotMatch(out, /\s\s|^\s|\s$|[A-Z]|[\p{P}\p{S}]|[\u200C\u200D]/u);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseSecurityAnswer', () => {
  it('returns the normalised answer', () => {
    assert.deepEqual(parseSecurityAnswer('  علي  رضا '), ok('علی رضا'));
    assert.deepEqual(parseSecurityAnswer('ab'), ok('ab'));
    assert.deepEqual(parseSecurityAnswer('a'.repeat(SECURITY_ANSWER_MAX_LENGTH)), ok('a'.repeat(SECURITY_ANSWER_MAX_LENGTH)));
  });
  for (const input of [undefined, null, '', '    ', 5, ['ab']]) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseSecurityAnswer(input), err('security_answer.required')));
  }
  for (const input of ['a', '!!!', 'ـ', 'a!']) {
    it(`too_short: ${JSON.stringify(input)}`, () => assert.deepEqual(parseSecurityAnswer(input), err('security_answer.too_short')));
  }
  it('too_long above the limit, counted after normalisation', () => {
    assert.deepEqual(parseSecurityAnswer('a'.repeat(SECURITY_ANSWER_MAX_LENGTH + 1)), err('security_answer.too_long'));
    assert.deepEqual(parseSecurityAnswer(`${'a'.repeat(SECURITY_ANSWER_MAX_LENGTH)}!!!   `), ok('a'.repeat(SECURITY_ANSWER_MAX_LENGTH)));
  });
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseSecurityAnswer(input);
        if (result.ok) assert.equal(result.value, normalizeSecurityAnswer(input as string));
        else assert.ok(SECURITY_ANSWER_ERRORS.includes(result.error));
      }),
    );
  });
});
