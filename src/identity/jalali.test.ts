// Tests: Jalali birth dates (leap years, month lengths, Tehran "today"), conversions and formatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPersianDigits } from './digits.js';
import {
  BIRTH_DATE_ERRORS,
  JALALI_MONTHS,
  MAX_AGE_YEARS,
  compareJalaliDates,
  formatJalaliDate,
  formatJalaliDateTime,
  formatJalaliIso,
  gregorianIsoToJalali,
  gregorianToJalali,
  isValidJalaliDate,
  jalaliToGregorianIso,
  parseJalaliIso,
  parseJalaliParts,
  type JalaliDate,
} from './jalali.js';
import { err, ok } from './result.js';

// Tehran is UTC+03:30 (no daylight saving since 1401).
const at = (iso: string) => new Date(iso);
// 1410-03-11: later than every leap-year vector below, so none of them is "in the future".
const FAR_TODAY = at('2031-06-01T12:00:00Z');
const date = (year: number, month: number, day: number): JalaliDate => ({ year, month, day });
const parts = (year: unknown, month: unknown, day: unknown) => ({ year, month, day });

describe('JALALI_MONTHS', () => {
  it('has the twelve months in order with the DOMAIN.md Persian names', () => {
    const fa = 'فروردین، اردیبهشت، خرداد، تیر، مرداد، شهریور، مهر، آبان، آذر، دی، بهمن، اسفند'.split('، ');
    assert.deepEqual(JALALI_MONTHS.map((m) => m.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(JALALI_MONTHS.map((m) => m.fa), fa);
    assert.equal(JALALI_MONTHS[0].en, 'Farvardin');
    assert.equal(JALALI_MONTHS[11].en, 'Esfand');
  });
});

describe('parseJalaliParts: calendar rules', () => {
  for (const year of [1375, 1379, 1383, 1395, 1399, 1403, 1408]) {
    it(`${year} is a leap year: Esfand 30 exists`, () => {
      assert.deepEqual(parseJalaliParts(parts(year, 12, 30), FAR_TODAY), ok(date(year, 12, 30)));
    });
  }
  for (const year of [1394, 1402, 1404]) {
    it(`${year} is not: Esfand 30 is invalid, Esfand 29 fine`, () => {
      assert.deepEqual(parseJalaliParts(parts(year, 12, 30), FAR_TODAY), err('birth_date.invalid'));
      assert.deepEqual(parseJalaliParts(parts(year, 12, 29), FAR_TODAY), ok(date(year, 12, 29)));
    });
  }
  it('months 1–6 have 31 days, 7–11 have 30, Esfand 29 in a common year', () => {
    for (let month = 1; month <= 12; month++) {
      const length = month <= 6 ? 31 : month <= 11 ? 30 : 29;
      assert.deepEqual(parseJalaliParts(parts(1402, month, length), FAR_TODAY), ok(date(1402, month, length)), `${month}/${length}`);
      assert.deepEqual(parseJalaliParts(parts(1402, month, length + 1), FAR_TODAY), err('birth_date.invalid'), `${month}/${length + 1}`);
      assert.deepEqual(parseJalaliParts(parts(1402, month, 0), FAR_TODAY), err('birth_date.invalid'));
    }
  });
  it('months 0 and 13 do not exist', () => {
    assert.deepEqual(parseJalaliParts(parts(1370, 0, 1), FAR_TODAY), err('birth_date.invalid'));
    assert.deepEqual(parseJalaliParts(parts(1370, 13, 1), FAR_TODAY), err('birth_date.invalid'));
  });
});

describe('parseJalaliParts: input forms', () => {
  const accepted: [unknown, unknown, unknown, string][] = [
    [1370, 1, 15, 'numbers'],
    ['1370', '01', '15', 'ASCII text with a leading zero'],
    ['۱۳۷۰', '۱', '۱۵', 'Persian digits'],
    ['١٣٧٠', '١', '١٥', 'Arabic-Indic digits'],
    [' 1370 ', ' 1 ', ' 15 ', 'spaces around'],
    ['1370', 'فروردین', '15', 'a Persian month name'],
    ['1370', 'فروردين', '15', 'a month name with Arabic yeh'],
    ['1370', 'Farvardin', '15', 'an English month name'],
    ['1370', 'farvardin', '15', 'in lower case'],
  ];
  for (const [year, month, day, why] of accepted) {
    it(`accepts ${why}`, () => assert.deepEqual(parseJalaliParts(parts(year, month, day), FAR_TODAY), ok(date(1370, 1, 15))));
  }
  const invalid: [unknown, unknown, unknown, string][] = [
    [1370.5, 1, 15, 'a fraction'],
    ['1370.5', '1', '15', 'a fraction as text'],
    [1370, 1, 15.5, 'a fractional day (jalaali-js alone would accept it)'],
    ['13a0', '1', '15', 'a letter'],
    ['70', '1', '15', 'a two-digit year'],
    [1299, 1, 1, 'a year before 1300'],
    [-1370, 1, 15, 'a negative year'],
    ['12345', '1', '15', 'a five-digit year'],
    [1370, 'Farvardim', 15, 'a misspelt month'],
    [1370, 1, Number.NaN, 'NaN'],
    [1370, 1, Infinity, 'Infinity'],
    [true, 1, 15, 'a boolean'],
    [[1370], 1, 15, 'an array'],
  ];
  for (const [year, month, day, why] of invalid) {
    it(`invalid: ${why}`, () => assert.deepEqual(parseJalaliParts(parts(year, month, day), FAR_TODAY), err('birth_date.invalid')));
  }
  const missing: [unknown, unknown, unknown][] = [
    [undefined, undefined, undefined],
    ['', '', ''],
    ['1370', '1', ''],
    ['1370', null, '15'],
    ['  ', '1', '15'],
    ['abc', '', '15'],
  ];
  for (const [year, month, day] of missing) {
    it(`required: ${JSON.stringify([year, month, day])}`, () =>
      assert.deepEqual(parseJalaliParts(parts(year, month, day), FAR_TODAY), err('birth_date.required')));
  }
});

describe('parseJalaliParts: against today (in Tehran)', () => {
  // 2024-03-20T21:00Z is 00:30 on 1403-01-02 in Tehran, still 03-20 in UTC.
  const today = at('2024-03-20T21:00:00Z');
  it('today is accepted, tomorrow is in the future', () => {
    assert.deepEqual(parseJalaliParts(parts(1403, 1, 2), today), ok(date(1403, 1, 2)));
    assert.deepEqual(parseJalaliParts(parts(1403, 1, 3), today), err('birth_date.in_future'));
    assert.deepEqual(parseJalaliParts(parts(1404, 1, 1), today), err('birth_date.in_future'));
  });
  it('uses the Tehran calendar day, not UTC', () => {
    // 23:59 on 1403-01-01 in Tehran.
    const lateEvening = at('2024-03-20T20:29:00Z');
    assert.deepEqual(parseJalaliParts(parts(1403, 1, 1), lateEvening), ok(date(1403, 1, 1)));
    assert.deepEqual(parseJalaliParts(parts(1403, 1, 2), lateEvening), err('birth_date.in_future'));
  });
  it(`more than ${MAX_AGE_YEARS} years ago is too old; exactly ${MAX_AGE_YEARS} is not`, () => {
    // 1435-05-10 or so; the 1300 floor does not hide too_old any more.
    const future = at('2056-08-01T12:00:00Z');
    const now = gregorianToJalali(future);
    assert.ok(now.day > 1);
    const exactly = date(now.year - MAX_AGE_YEARS, now.month, now.day);
    assert.deepEqual(parseJalaliParts(exactly, future), ok(exactly));
    assert.deepEqual(parseJalaliParts({ ...exactly, day: now.day - 1 }, future), err('birth_date.too_old'));
    assert.deepEqual(parseJalaliParts({ ...exactly, year: 1300, month: 1, day: 1 }, future), err('birth_date.too_old'));
  });
  it('never throws, and only returns its declared codes', () => {
    const part = fc.oneof(fc.anything(), fc.integer(), fc.stringMatching(/^[\d۰-۹]{0,5}$/));
    fc.assert(
      fc.property(part, part, part, (year, month, day) => {
        const result = parseJalaliParts({ year, month, day }, today);
        if (result.ok) assert.ok(isValidJalaliDate(result.value));
        else assert.ok(BIRTH_DATE_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('parseJalaliIso', () => {
  const accepted: [string, JalaliDate][] = [
    ['1370-01-15', date(1370, 1, 15)],
    ['۱۳۷۰-۰۱-۱۵', date(1370, 1, 15)],
    ['١٣٧٠-٠١-١٥', date(1370, 1, 15)],
    ['1370/01/15', date(1370, 1, 15)],
    ['1370-1-5', date(1370, 1, 5)],
    [' 1403-12-30 ', date(1403, 12, 30)],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts ${input}`, () => assert.deepEqual(parseJalaliIso(input, FAR_TODAY), ok(expected)));
  }
  for (const input of ['1394-12-30', '1402-12-30', '1370-13-01', '1370-07-31', '1370-01', '1370/01-15', '70-01-15', '13700115', 'abc', '1370-01-15T00:00', 13700115, ['1370-01-15']]) {
    it(`invalid: ${JSON.stringify(input)}`, () => assert.deepEqual(parseJalaliIso(input, FAR_TODAY), err('birth_date.invalid')));
  }
  for (const input of [undefined, null, '', '  ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseJalaliIso(input, FAR_TODAY), err('birth_date.required')));
  }
  it('checks today like parseJalaliParts', () => {
    assert.deepEqual(parseJalaliIso('1403-01-03', at('2024-03-20T21:00:00Z')), err('birth_date.in_future'));
  });
});

// Valid dates between 1300 and 1409 (before FAR_TODAY).
const validDate = fc
  .record({ year: fc.integer({ min: 1300, max: 1409 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map((d) => ({ ...d }))
  .filter(isValidJalaliDate);

describe('formatJalaliIso', () => {
  it('zero-pads', () => {
    assert.equal(formatJalaliIso(date(1370, 1, 15)), '1370-01-15');
    assert.equal(formatJalaliIso(date(1403, 12, 30)), '1403-12-30');
  });
  it('round-trips through parseJalaliIso', () => {
    fc.assert(fc.property(validDate, (d) => assert.deepEqual(parseJalaliIso(formatJalaliIso(d), FAR_TODAY), ok(d))));
  });
  it('round-trips through Persian digits', () => {
    fc.assert(fc.property(validDate, (d) => assert.deepEqual(parseJalaliIso(toPersianDigits(formatJalaliIso(d)), FAR_TODAY), ok(d))));
  });
});

describe('jalaliToGregorianIso and gregorianToJalali', () => {
  const pairs: [JalaliDate, string][] = [
    [date(1370, 1, 15), '1991-04-04'],
    [date(1403, 1, 1), '2024-03-20'],
    [date(1403, 12, 30), '2025-03-20'],
    [date(1404, 1, 1), '2025-03-21'],
    [date(1399, 12, 30), '2021-03-20'],
    [date(1300, 1, 1), '1921-03-21'],
  ];
  for (const [jalali, gregorian] of pairs) {
    it(`${formatJalaliIso(jalali)} ↔ ${gregorian}`, () => {
      assert.equal(jalaliToGregorianIso(jalali), gregorian);
      assert.deepEqual(gregorianToJalali(at(`${gregorian}T12:00:00+03:30`)), jalali);
    });
  }
  it('refuses invalid dates instead of shifting them (jalaali-js would map 1394/12/30 to 1395/1/1)', () => {
    assert.throws(() => jalaliToGregorianIso(date(1394, 12, 30)), RangeError);
    assert.throws(() => jalaliToGregorianIso(date(1370, 1, 1.5)), RangeError);
  });
  it('takes the calendar day in Tehran', () => {
    assert.deepEqual(gregorianToJalali(at('2024-03-19T20:30:00Z')), date(1403, 1, 1));
    assert.deepEqual(gregorianToJalali(at('2024-03-19T20:29:59Z')), date(1402, 12, 29));
    // Iran still had daylight saving time (UTC+04:30) in 1399: 00:15 local on 1399-03-13.
    assert.deepEqual(gregorianToJalali(at('2020-06-01T19:45:00Z')), date(1399, 3, 13));
  });
  it('round-trips every valid date', () => {
    fc.assert(
      // Midday: before 1325 Tehran kept local mean time (UTC+03:25:44), so midnight +03:30 is the day before.
      fc.property(validDate, (d) => assert.deepEqual(gregorianToJalali(at(`${jalaliToGregorianIso(d)}T12:00:00+03:30`)), d)),
    );
  });
});

describe('gregorianIsoToJalali (a stored calendar date, no time zone)', () => {
  it('is the same day as the instant at noon UTC in Tehran, for every valid date', () => {
    fc.assert(
      fc.property(validDate, (d) => {
        const iso = jalaliToGregorianIso(d);
        assert.deepEqual(gregorianIsoToJalali(iso), d);
        assert.deepEqual(gregorianIsoToJalali(iso), gregorianToJalali(new Date(`${iso}T12:00:00Z`)));
      }),
    );
  });
  it('refuses what is not a Gregorian YYYY-MM-DD', () => {
    for (const bad of ['', '1991-4-4', '1991-04-04T00:00:00Z', '1991-02-30', '1991-13-01', '۱۹۹۱-۰۴-۰۴', 'x'])
      assert.throws(() => gregorianIsoToJalali(bad), RangeError, bad);
  });
});

describe('compareJalaliDates', () => {
  it('orders by year, month, day', () => {
    assert.ok(compareJalaliDates(date(1370, 1, 15), date(1370, 1, 16)) < 0);
    assert.ok(compareJalaliDates(date(1370, 2, 1), date(1370, 1, 31)) > 0);
    assert.equal(compareJalaliDates(date(1370, 1, 15), date(1370, 1, 15)), 0);
  });
});

describe('formatJalaliDate', () => {
  it('writes Persian digits and month names in fa', () => {
    assert.equal(formatJalaliDate(date(1370, 1, 15), 'fa'), '۱۵ فروردین ۱۳۷۰');
    assert.equal(formatJalaliDate(date(1403, 12, 30), 'fa'), '۳۰ اسفند ۱۴۰۳');
  });
  it('writes transliterated month names in en', () => {
    assert.equal(formatJalaliDate(date(1370, 1, 15), 'en'), '15 Farvardin 1370');
    assert.equal(formatJalaliDate(date(1399, 10, 1), 'en'), '1 Dey 1399');
  });
});

describe('formatJalaliDateTime', () => {
  const instant = at('2024-03-20T21:00:00Z'); // 00:30 on 1403-01-02 in Tehran
  it('fa: Persian calendar and digits, Tehran time', () => {
    const text = formatJalaliDateTime(instant, 'fa');
    assert.match(text, /۲ فروردین ۱۴۰۳/);
    assert.match(text, /۰۰:۳۰/);
  });
  it('en: Persian calendar, Latin digits, Tehran time', () => {
    const text = formatJalaliDateTime(instant, 'en');
    assert.match(text, /Farvardin 2, 1403/);
    assert.match(text, /00:30/);
  });
});
