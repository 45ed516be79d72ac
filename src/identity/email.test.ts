// Tests: the e-mail subset accepted, limits and the optional/required variants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EMAIL_ERRORS, EMAIL_MAX_LENGTH, parseEmail, parseOptionalEmail } from './email.js';
import { err, ok } from './result.js';

describe('parseOptionalEmail', () => {
  for (const input of [undefined, null, '', '   ', '\u200F']) {
    it(`empty → null: ${JSON.stringify(input)}`, () => assert.deepEqual(parseOptionalEmail(input), ok(null)));
  }
  const accepted: [string, string][] = [
    ['ali@example.com', 'ali@example.com'],
    ['Ali.Rezaei+tag@Example.COM', 'Ali.Rezaei+tag@example.com'],
    ['  ali@example.com  ', 'ali@example.com'],
    ['a@b.ir', 'a@b.ir'],
    ['x_y-z@sub.domain.co.ir', 'x_y-z@sub.domain.co.ir'],
    ["o'brien@example.org", "o'brien@example.org"],
    ['user@xn--mgba3a4f16a.ir', 'user@xn--mgba3a4f16a.ir'],
    ['user@example.xn--mgba3a4f16a', 'user@example.xn--mgba3a4f16a'],
    ['ali۱۲@gmail.com', 'ali12@gmail.com'],
    ['\u200Fali@example.com\u200E', 'ali@example.com'],
    ['a1@1a.example.com', 'a1@1a.example.com'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseOptionalEmail(input), ok(expected)));
  }
  const invalid = [
    'ali',
    'ali@',
    '@example.com',
    'ali@example',
    'ali@@example.com',
    'ali@exa_mple.com',
    'ali..x@example.com',
    '.ali@example.com',
    'ali.@example.com',
    'ali@-example.com',
    'ali@example-.com',
    'ali@example..com',
    'ali@.example.com',
    'ali@example.c',
    'ali@example.123',
    'علی@example.com',
    'ali@ایمیل.ir',
    'ali @example.com',
    'ali@exa mple.com',
    '"ali"@example.com',
    'ali@[1.2.3.4]',
    'ali@localhost',
    'ali@example.com.',
    'ali(comment)@example.com',
    'ali@exam\nple.com',
  ];
  for (const input of invalid) {
    it(`invalid: ${JSON.stringify(input)}`, () => assert.deepEqual(parseOptionalEmail(input), err('email.invalid')));
  }
  it('invalid for values that are not text', () => {
    assert.deepEqual(parseOptionalEmail(5), err('email.invalid'));
    assert.deepEqual(parseOptionalEmail(['ali@example.com']), err('email.invalid'));
  });
  it(`too_long above ${EMAIL_MAX_LENGTH} characters or a local part above 64`, () => {
    const domain = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}.com`; // 237
    const fits = `${'x'.repeat(EMAIL_MAX_LENGTH - domain.length - 1)}@${domain}`;
    assert.equal(fits.length, EMAIL_MAX_LENGTH);
    assert.deepEqual(parseOptionalEmail(fits), ok(fits));
    assert.deepEqual(parseOptionalEmail(`x${fits}`), err('email.too_long'));
    assert.deepEqual(parseOptionalEmail(`${'x'.repeat(64)}@example.com`), ok(`${'x'.repeat(64)}@example.com`));
    assert.deepEqual(parseOptionalEmail(`${'x'.repeat(65)}@example.com`), err('email.too_long'));
  });
  it('is idempotent on its output', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        const once = parseOptionalEmail(address);
        if (once.ok && once.value !== null) assert.deepEqual(parseOptionalEmail(once.value), once);
      }),
    );
  });
  it('never throws, and only returns its declared codes (never required)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), fc.emailAddress()), (input) => {
        const result = parseOptionalEmail(input);
        if (!result.ok) assert.ok(result.error === 'email.invalid' || result.error === 'email.too_long');
      }),
    );
  });
});

describe('parseEmail', () => {
  it('requires an address', () => {
    assert.deepEqual(parseEmail(''), err('email.required'));
    assert.deepEqual(parseEmail(undefined), err('email.required'));
    assert.deepEqual(parseEmail('ali@Example.com'), ok('ali@example.com'));
    assert.deepEqual(parseEmail('ali@'), err('email.invalid'));
  });
  it('only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseEmail(input);
        if (!result.ok) assert.ok(EMAIL_ERRORS.includes(result.error));
      }),
    );
  });
});
