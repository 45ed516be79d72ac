// Tests: national code parsing against the DOMAIN.md vectors, an independent checksum and the library pitfalls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPersianDigits } from './digits.js';
import {
  NATIONAL_CODE_ERRORS,
  isValidNationalCode,
  maskNationalCode,
  nationalCodeWithCheckDigit,
  parseNationalCode,
} from './nationalCode.js';
import { err, ok } from './result.js';

// DOMAIN.md vectors.
const VALID = [
  '0499370899', '0790419904', '1583250689', '0684159414', '4400276201', '2540201288',
  '0084575948', '0963695398', '0067749828', '7400076205', '7340416501',
];
const INVALID = [
  '0684159415', '1234567890', '4271427685', '0200203041', '9990419904', '0010000000',
  '7750000000', '0000000000', '3333333333',
];

// Independent statement of the check-digit rule, to test the library use against.
function referenceChecksum(code: string): boolean {
  const d = [...code].map(Number);
  const s = d.slice(0, 9).reduce((sum, digit, i) => sum + digit * (10 - i), 0);
  const r = s % 11;
  return d[9] === (r < 2 ? r : 11 - r);
}
const referencePolicy = (code: string) =>
  /^\d{10}$/.test(code) && referenceChecksum(code) && !/^(\d)\1{9}$/.test(code) && code.slice(3, 9) !== '000000';

describe('parseNationalCode', () => {
  for (const code of VALID) {
    it(`accepts ${code}`, () => assert.deepEqual(parseNationalCode(code), ok(code)));
  }
  for (const code of INVALID) {
    it(`rejects ${code} as invalid`, () => assert.deepEqual(parseNationalCode(code), err('national_code.invalid')));
  }

  it('accepts 7400076205 although persian-tools’ district list does not know 740', () => {
    assert.deepEqual(parseNationalCode('7400076205'), ok('7400076205'));
  });

  const formatCases: [unknown, string][] = [
    ['123456789', '9 digits is not padded'],
    ['12340499370899', 'the library would keep the last 10 digits'],
    ['04993708991', '11 digits'],
    ['049937089a', 'a letter'],
    ['0499.370.899', 'dots'],
    ['+0499370899', 'a plus sign'],
    [499370899, 'a number has lost its leading zero'],
    [7400076205, 'even a 10-digit number'],
    [['0499370899'], 'an array'],
    [{}, 'an object'],
  ];
  for (const [input, why] of formatCases) {
    it(`format: ${JSON.stringify(input)} (${why})`, () => assert.deepEqual(parseNationalCode(input), err('national_code.format')));
  }

  for (const input of [undefined, null, '', '   ', ' - ', '\u200F']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseNationalCode(input), err('national_code.required')));
  }

  const spellings: [string, string][] = [
    ['۰۴۹۹۳۷۰۸۹۹', 'Persian digits'],
    ['٠٤٩٩٣٧٠٨٩٩', 'Arabic-Indic digits'],
    ['۰۴۹9370٨۹۹', 'mixed scripts'],
    [' 0499370899 ', 'outer spaces'],
    ['049-937089-9', 'hyphens'],
    ['049 937 0899', 'inner spaces'],
    ['\u200F۰۴۹۹۳۷۰۸۹۹', 'a pasted RTL mark'],
  ];
  for (const [input, why] of spellings) {
    it(`accepts ${why}`, () => assert.deepEqual(parseNationalCode(input), ok('0499370899')));
  }

  it('rejects all ten codes of one repeated digit (they pass the checksum)', () => {
    for (let d = 0; d <= 9; d++) {
      const code = String(d).repeat(10);
      assert.ok(referenceChecksum(code));
      assert.deepEqual(parseNationalCode(code), err('national_code.invalid'));
    }
  });

  it('rejects checksum-valid codes whose digits 4–9 are 000000', () => {
    const samples = ['001000000', '123000000', '775000000'].map((first9) => {
      const last = [...'0123456789'].find((d) => referenceChecksum(first9 + d));
      return `${first9}${last}`;
    });
    for (const code of samples) {
      assert.ok(referenceChecksum(code), code);
      assert.deepEqual(parseNationalCode(code), err('national_code.invalid'));
    }
  });

  it('agrees with the reference rule on every 10-digit string', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (code) => {
        assert.equal(isValidNationalCode(code), referencePolicy(code));
        assert.deepEqual(parseNationalCode(code), referencePolicy(code) ? ok(code) : err('national_code.invalid'));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads Persian digits the same as ASCII digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (code) => {
        assert.deepEqual(parseNationalCode(toPersianDigits(code)), parseNationalCode(code));
      }),
    );
  });

  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseNationalCode(input);
        if (result.ok) assert.match(result.value, /^\d{10}$/);
        else assert.ok(NATIONAL_CODE_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('isValidNationalCode', () => {
  it('takes only the canonical form (ASCII, exactly 10 digits)', () => {
    assert.equal(isValidNationalCode('0499370899'), true);
    assert.equal(isValidNationalCode('۰۴۹۹۳۷۰۸۹۹'), false);
    assert.equal(isValidNationalCode(' 0499370899'), false);
    assert.equal(isValidNationalCode('499370899'), false);
    assert.equal(isValidNationalCode('12340499370899'), false);
  });
});

describe('maskNationalCode', () => {
  it('keeps the first and last three digits', () => {
    assert.equal(maskNationalCode('0499370899'), '049****899');
    assert.equal(maskNationalCode('۰۴۹۹۳۷۰۸۹۹'), '049****899');
  });
  it('reveals nothing of something that is not a code', () => {
    assert.equal(maskNationalCode('12345'), '**********');
    assert.equal(maskNationalCode(''), '**********');
  });
});

describe('nationalCodeWithCheckDigit', () => {
  it('completes known codes', () => {
    for (const code of VALID) assert.equal(nationalCodeWithCheckDigit(code.slice(0, 9)), code);
  });
  it('returns null for bad input or when the policy forbids the result', () => {
    for (const input of ['', '12345678', '1234567890', '04993708a', '۰۴۹۹۳۷۰۸۹', '000000000', '333333333', '001000000']) {
      assert.equal(nationalCodeWithCheckDigit(input), null, input);
    }
  });
  it('every code it makes parses, and it fails only where no valid code exists', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (first9) => {
        const code = nationalCodeWithCheckDigit(first9);
        if (code === null) {
          assert.ok([...'0123456789'].every((d) => !referencePolicy(first9 + d)));
        } else {
          assert.ok(code.startsWith(first9));
          assert.deepEqual(parseNationalCode(code), ok(code));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
