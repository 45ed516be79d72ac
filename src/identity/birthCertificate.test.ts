// Tests: birth certificate number, serial and series in their many written forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BIRTH_CERTIFICATE_NUMBER_ERRORS,
  BIRTH_CERTIFICATE_SERIAL_ERRORS,
  BIRTH_CERTIFICATE_SERIES_ERRORS,
  BIRTH_CERTIFICATE_SERIES_LETTERS,
  formatBirthCertificateSeries,
  parseBirthCertificateNumber,
  parseBirthCertificateSerial,
  parseBirthCertificateSeries,
  parseBirthCertificateSeriesParts,
  type BirthCertificateSeriesLetter,
} from './birthCertificate.js';
import { toPersianDigits } from './digits.js';
import { err, ok } from './result.js';

const series = (letter: BirthCertificateSeriesLetter, number: string) => ok({ letter, number });

describe('parseBirthCertificateNumber', () => {
  const accepted: [string, string][] = [
    ['1', '1'],
    ['123', '123'],
    ['0499370899', '0499370899'],
    ['0012', '0012'],
    ['۱۲۳۴', '1234'],
    ['١٢٣٤', '1234'],
    [' 12 34 ', '1234'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateNumber(input), ok(expected)));
  }
  for (const input of ['0', '000', '12345678901', '12a', '12.0', 123, ['1']]) {
    it(`format: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateNumber(input), err('birth_certificate_number.format')));
  }
  for (const input of [undefined, null, '', ' ', '-']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateNumber(input), err('birth_certificate_number.required')));
  }
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseBirthCertificateNumber(input);
        if (result.ok) assert.match(result.value, /^\d{1,10}$/);
        else assert.ok(BIRTH_CERTIFICATE_NUMBER_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('parseBirthCertificateSerial', () => {
  const accepted: [string, string][] = [
    ['123456', '123456'],
    ['012345', '012345'],
    ['۱۲۳۴۵۶', '123456'],
    ['١٢٣ ٤٥٦', '123456'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateSerial(input), ok(expected)));
  }
  for (const input of ['12345', '1234567', '000000', 'abcdef', '12345x', 123456]) {
    it(`format: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateSerial(input), err('birth_certificate_serial.format')));
  }
  for (const input of [undefined, null, '', '  ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateSerial(input), err('birth_certificate_serial.required')));
  }
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseBirthCertificateSerial(input);
        if (result.ok) assert.match(result.value, /^\d{6}$/);
        else assert.ok(BIRTH_CERTIFICATE_SERIAL_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('BIRTH_CERTIFICATE_SERIES_LETTERS', () => {
  it('holds the 32 letters, alef written الف', () => {
    assert.equal(BIRTH_CERTIFICATE_SERIES_LETTERS.length, 32);
    assert.equal(BIRTH_CERTIFICATE_SERIES_LETTERS[0], 'الف');
    assert.equal(new Set(BIRTH_CERTIFICATE_SERIES_LETTERS).size, 32);
    assert.ok(BIRTH_CERTIFICATE_SERIES_LETTERS.includes('ژ'));
    assert.ok(BIRTH_CERTIFICATE_SERIES_LETTERS.includes('ی'));
  });
});

describe('parseBirthCertificateSeries', () => {
  const accepted: [string, BirthCertificateSeriesLetter, string][] = [
    ['الف/12', 'الف', '12'],
    ['الف-12', 'الف', '12'],
    ['12/الف', 'الف', '12'],
    ['الف 12', 'الف', '12'],
    ['12 الف', 'الف', '12'],
    ['الف12', 'الف', '12'],
    ['12الف', 'الف', '12'],
    [' الف / 12 ', 'الف', '12'],
    ['الف\\12', 'الف', '12'],
    ['الف - 12', 'الف', '12'],
    ['الف/۱۲', 'الف', '12'],
    ['الف/١٢', 'الف', '12'],
    ['ألف/12', 'الف', '12'],
    ['ا/12', 'الف', '12'],
    ['آ/12', 'الف', '12'],
    ['الف/5', 'الف', '05'],
    ['الف/05', 'الف', '05'],
    ['ب/1', 'ب', '01'],
    ['ي/3', 'ی', '03'],
    ['ى/3', 'ی', '03'],
    ['ك-7', 'ک', '07'],
    ['هـ/10', 'ه', '10'],
    ['هـ10', 'ه', '10'],
    ['ة/10', 'ه', '10'],
    ['ی/99', 'ی', '99'],
    ['ژ/۴۵', 'ژ', '45'],
  ];
  for (const [input, letter, number] of accepted) {
    it(`${JSON.stringify(input)} → ${letter}/${number}`, () => assert.deepEqual(parseBirthCertificateSeries(input), series(letter, number)));
  }
  for (const input of ['الف/100', 'الف/0', 'الف/00', 'x/12', 'A12', 'الف', '12', 'الفب/12', 'ء/12', 'الف/12/3', 'الف/1.5', 'الف/5ب', 12, ['الف/12']]) {
    it(`format: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateSeries(input), err('birth_certificate_series.format')));
  }
  for (const input of [undefined, null, '', '   ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseBirthCertificateSeries(input), err('birth_certificate_series.required')));
  }

  it('reads every letter with every number 1–99 and round-trips the canonical form', () => {
    for (const letter of BIRTH_CERTIFICATE_SERIES_LETTERS) {
      for (let n = 1; n <= 99; n++) {
        const number = String(n).padStart(2, '0');
        const parsed = parseBirthCertificateSeries(`${letter}/${n}`);
        assert.deepEqual(parsed, series(letter, number));
        assert.equal(formatBirthCertificateSeries({ letter, number }), `${letter}/${number}`);
        assert.deepEqual(parseBirthCertificateSeries(formatBirthCertificateSeries({ letter, number })), parsed);
      }
    }
  });

  it('reads any order, separator and digit script the same', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BIRTH_CERTIFICATE_SERIES_LETTERS),
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom('', ' ', '/', ' / ', '-', ' - ', '\\'),
        fc.boolean(),
        fc.boolean(),
        (letter, n, separator, numberFirst, persian) => {
          const digits = persian ? toPersianDigits(String(n)) : String(n);
          const text = numberFirst ? `${digits}${separator}${letter}` : `${letter}${separator}${digits}`;
          assert.deepEqual(parseBirthCertificateSeries(text), series(letter, String(n).padStart(2, '0')));
        },
      ),
    );
  });

  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseBirthCertificateSeries(input);
        if (result.ok) assert.match(formatBirthCertificateSeries(result.value), /^[^/]+\/\d\d$/u);
        else assert.ok(BIRTH_CERTIFICATE_SERIES_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('parseBirthCertificateSeriesParts', () => {
  it('accepts a letter from the select and a number in any script', () => {
    assert.deepEqual(parseBirthCertificateSeriesParts('الف', '12'), series('الف', '12'));
    assert.deepEqual(parseBirthCertificateSeriesParts('الف', 12), series('الف', '12'));
    assert.deepEqual(parseBirthCertificateSeriesParts('ي', '۳'), series('ی', '03'));
    assert.deepEqual(parseBirthCertificateSeriesParts(' هـ ', ' 7 '), series('ه', '07'));
  });
  it('required when either part is missing', () => {
    assert.deepEqual(parseBirthCertificateSeriesParts('', '12'), err('birth_certificate_series.required'));
    assert.deepEqual(parseBirthCertificateSeriesParts('الف', ' '), err('birth_certificate_series.required'));
    assert.deepEqual(parseBirthCertificateSeriesParts(undefined, null), err('birth_certificate_series.required'));
  });
  it('format for a bad letter or number', () => {
    for (const [letter, number] of [
      ['x', '12'],
      ['الف', '100'],
      ['الف', '0'],
      ['الف', 1.5],
      ['الف', 'دوازده'],
      [['الف'], '12'],
      ['الف12', '12'],
    ] as [unknown, unknown][]) {
      assert.deepEqual(parseBirthCertificateSeriesParts(letter, number), err('birth_certificate_series.format'), JSON.stringify([letter, number]));
    }
  });
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (letter, number) => {
        const result = parseBirthCertificateSeriesParts(letter, number);
        if (!result.ok) assert.ok(BIRTH_CERTIFICATE_SERIES_ERRORS.includes(result.error));
      }),
    );
  });
});
