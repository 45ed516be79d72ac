// Tests: digit-script conversion and compacting of typed identifiers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compactNumberInput, toLatinDigits, toPersianDigits } from './digits.js';

const PERSIAN = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';
const NON_ASCII_DIGIT = /[\u06F0-\u06F9\u0660-\u0669]/u;

describe('toLatinDigits', () => {
  const cases: [string, string][] = [
    [PERSIAN, '0123456789'],
    [ARABIC_INDIC, '0123456789'],
    ['0123456789', '0123456789'],
    ['a۱b٢c3', 'a1b2c3'],
    ['کد ملی: ۰۴۹۹۳۷۰۸۹۹', 'کد ملی: 0499370899'],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => assert.equal(toLatinDigits(input), expected));
  }

  it('leaves no Persian or Arabic-Indic digit and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = toLatinDigits(s);
        assert.ok(!NON_ASCII_DIGIT.test(out));
        assert.equal(toLatinDigits(out), out);
      }),
    );
  });
});

describe('toPersianDigits', () => {
  it('turns ASCII and Arabic-Indic digits into Persian ones', () => {
    assert.equal(toPersianDigits('0123456789'), PERSIAN);
    assert.equal(toPersianDigits(ARABIC_INDIC), PERSIAN);
    assert.equal(toPersianDigits('ساعت 10:30'), 'ساعت ۱۰:۳۰');
  });

  it('toLatinDigits ∘ toPersianDigits is the identity on ASCII digit strings', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d*$/), (s) => assert.equal(toLatinDigits(toPersianDigits(s)), s)));
  });

  it('toLatinDigits ∘ toPersianDigits is the identity on any text without non-ASCII digits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !NON_ASCII_DIGIT.test(s)),
        (s) => assert.equal(toLatinDigits(toPersianDigits(s)), s),
      ),
    );
  });
});

describe('compactNumberInput', () => {
  const cases: [string, string][] = [
    [' ۰۴۹-۹۳۷ ۰۸۹۹ ', '0499370899'],
    ['\u200F0499370899\u200E', '0499370899'],
    ['0499\u00A0370\u2013899', '0499370899'],
    ['\t049 937\n0899', '0499370899'],
    ['+98 (912)', '+98(912)'],
    ['12.5', '12.5'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => assert.equal(compactNumberInput(input), expected));
  }
});
