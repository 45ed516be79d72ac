// Tests: foreign nationals' 12-digit identifier.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FOREIGN_NATIONAL_ID_ERRORS, parseForeignNationalId } from './foreignNationalId.js';
import { err, ok } from './result.js';

describe('parseForeignNationalId', () => {
  const accepted: [string, string][] = [
    ['123456789012', '123456789012'],
    ['000123456789', '000123456789'],
    ['۱۲۳۴۵۶۷۸۹۰۱۲', '123456789012'],
    ['١٢٣٤٥٦٧٨٩٠١٢', '123456789012'],
    [' 1234-5678-9012 ', '123456789012'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseForeignNationalId(input), ok(expected)));
  }
  for (const input of ['12345678901', '1234567890123', '12345678901a', '0499370899', 123456789012, ['123456789012']]) {
    it(`format: ${JSON.stringify(input)}`, () => assert.deepEqual(parseForeignNationalId(input), err('foreign_national_id.format')));
  }
  for (const input of [undefined, null, '', '  ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseForeignNationalId(input), err('foreign_national_id.required')));
  }
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseForeignNationalId(input);
        if (result.ok) assert.match(result.value, /^\d{12}$/);
        else assert.ok(FOREIGN_NATIONAL_ID_ERRORS.includes(result.error));
      }),
    );
  });
});
