// Tests of the medical council number rule: digits of any script, separators, zero padding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseMedicalCouncilNumber } from './medicalCouncilNumber.js';

describe('parseMedicalCouncilNumber', () => {
  const cases: [unknown, string][] = [
    ['12345', '12345'],
    ['۱۲۳۴۵', '12345'],
    ['١٢٣٤٥', '12345'],
    [' 12-345 ', '12345'],
    ['0012345', '12345'],
    ['7', '7'],
    ['99999999', '99999999'],
  ];
  for (const [input, expected] of cases) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseMedicalCouncilNumber(input), { ok: true, value: expected }));
  }
  const bad: [unknown, string][] = [
    [undefined, 'medical_council_number.required'],
    [null, 'medical_council_number.required'],
    ['', 'medical_council_number.required'],
    ['   ', 'medical_council_number.required'],
    [12345, 'medical_council_number.format'],
    ['ن-12345', 'medical_council_number.format'],
    ['12.345', 'medical_council_number.format'],
    ['0', 'medical_council_number.format'],
    ['000', 'medical_council_number.format'],
    ['123456789', 'medical_council_number.format'],
  ];
  for (const [input, code] of bad) {
    it(`refuses ${JSON.stringify(input)} with ${code}`, () => assert.deepEqual(parseMedicalCouncilNumber(input), { ok: false, error: code }));
  }
  it('gives the same number for ASCII and Persian digits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), (n) => {
        const persian = String(n).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
        assert.deepEqual(parseMedicalCouncilNumber(persian), { ok: true, value: String(n) });
      }),
    );
  });
});
