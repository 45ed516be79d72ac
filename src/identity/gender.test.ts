// Tests: gender select values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GENDERS, GENDER_ERRORS, parseGender } from './gender.js';
import { err, ok } from './result.js';

describe('parseGender', () => {
  for (const gender of GENDERS) {
    it(`accepts ${gender}`, () => {
      assert.deepEqual(parseGender(gender), ok(gender));
      assert.deepEqual(parseGender(` ${gender.toUpperCase()} `), ok(gender));
    });
  }
  for (const input of ['other', 'm', 'مرد', 1, true, ['male']]) {
    it(`invalid: ${JSON.stringify(input)}`, () => assert.deepEqual(parseGender(input), err('gender.invalid')));
  }
  for (const input of [undefined, null, '', ' ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseGender(input), err('gender.required')));
  }
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = parseGender(input);
        if (result.ok) assert.ok(GENDERS.includes(result.value));
        else assert.ok(GENDER_ERRORS.includes(result.error));
      }),
    );
  });
});
