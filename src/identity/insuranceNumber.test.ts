// Tests: insurance numbers and their zero padding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { INSURANCE_NUMBER_ERRORS, parseInsuranceNumber } from './insuranceNumber.js';
import { err, ok } from './result.js';

describe('parseInsuranceNumber', () => {
  const accepted: [string, string][] = [
    ['1234567890', '1234567890'],
    ['12345678', '0012345678'],
    ['1', '0000000001'],
    ['0012345678', '0012345678'],
    ['۱۲۳۴۵۶۷۸', '0012345678'],
    ['١٢٣٤٥', '0000012345'],
    [' 123-456 ', '0000123456'],
  ];
  for (const [input, expected] of accepted) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.deepEqual(parseInsuranceNumber(input), ok(expected)));
  }
  for (const input of ['12345678901', '12a45', '0', '0000000000', '12.5', 12345, ['1']]) {
    it(`format: ${JSON.stringify(input)}`, () => assert.deepEqual(parseInsuranceNumber(input), err('insurance_number.format')));
  }
  for (const input of [undefined, null, '', '   ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseInsuranceNumber(input), err('insurance_number.required')));
  }
  it('is idempotent on its output', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,10}$/).filter((s) => !/^0+$/.test(s)), (s) => {
        const once = parseInsuranceNumber(s);
        assert.ok(once.ok);
        assert.deepEqual(parseInsuranceNumber(once.value), once);
      }),
    );
  });
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseInsuranceNumber(input);
        if (result.ok) assert.match(result.value, /^\d{10}$/);
        else assert.ok(INSURANCE_NUMBER_ERRORS.includes(result.error));
      }),
    );
  });
});
