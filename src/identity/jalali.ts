// Jalali (Persian solar) dates: birth dates are entered and shown in the Jalali
// calendar. Conversions are jalaali-js's; its `toGregorian` does not validate
// (1394/12/30 silently becomes 1395/1/1) and `isValidJalaaliDate` accepts fractions,
// so every date is checked here for integers and validity before conversion. "Today"
// is always the calendar day in Tehran, whatever the server's time zone.
import { isValidJalaaliDate, toGregorian, toJalaali } from 'jalaali-js';
import { toLatinDigits, toPersianDigits } from './digits.js';
import { foldForMatching } from './names.js';
import { err, ok, type Result } from './result.js';

export const JALALI_MONTHS = [
  { number: 1, fa: 'فروردین', en: 'Farvardin' },
  { number: 2, fa: 'اردیبهشت', en: 'Ordibehesht' },
  { number: 3, fa: 'خرداد', en: 'Khordad' },
  { number: 4, fa: 'تیر', en: 'Tir' },
  { number: 5, fa: 'مرداد', en: 'Mordad' },
  { number: 6, fa: 'شهریور', en: 'Shahrivar' },
  { number: 7, fa: 'مهر', en: 'Mehr' },
  { number: 8, fa: 'آبان', en: 'Aban' },
  { number: 9, fa: 'آذر', en: 'Azar' },
  { number: 10, fa: 'دی', en: 'Dey' },
  { number: 11, fa: 'بهمن', en: 'Bahman' },
  { number: 12, fa: 'اسفند', en: 'Esfand' },
] as const;

export type JalaliDate = { year: number; month: number; day: number };

export const BIRTH_DATE_ERRORS = ['birth_date.required', 'birth_date.invalid', 'birth_date.in_future', 'birth_date.too_old', 'birth_date.gregorian'] as const;
export type BirthDateError = (typeof BIRTH_DATE_ERRORS)[number];

/** Earliest birth year accepted (a 4-digit Jalali year; also catches «70» for 1370). */
export const MIN_BIRTH_YEAR = 1300;
/** A birth date more than this many years before today is a typo. */
export const MAX_AGE_YEARS = 130;

export const TEHRAN_TIME_ZONE = 'Asia/Tehran';

// Formatters are costly to build; the options never change.
const tehranCalendarDay = new Intl.DateTimeFormat('en-US', {
  timeZone: TEHRAN_TIME_ZONE,
  calendar: 'gregory',
  numberingSystem: 'latn',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** The Jalali calendar day in Tehran at this instant. */
export function gregorianToJalali(date: Date): JalaliDate {
  const parts = tehranCalendarDay.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const { jy, jm, jd } = toJalaali(part('year'), part('month'), part('day'));
  return { year: jy, month: jm, day: jd };
}

/**
 * A Gregorian calendar date written `YYYY-MM-DD` (as PostgreSQL's `date` gives it) in the
 * Jalali calendar. A date has no time zone, so this needs no Intl formatter: the same day as
 * gregorianToJalali of its noon in UTC, for about a tenth of the cost (every profile page
 * shows the birth date). Throws RangeError for anything else: callers pass stored dates.
 */
export function gregorianIsoToJalali(iso: string): JalaliDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const [gy, gm, gd] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const utc = new Date(Date.UTC(gy, gm - 1, gd));
  if (!match || utc.getUTCFullYear() !== gy || utc.getUTCMonth() !== gm - 1 || utc.getUTCDate() !== gd) throw new RangeError(`not a Gregorian date: ${iso}`);
  const { jy, jm, jd } = toJalaali(gy, gm, gd);
  return { year: jy, month: jm, day: jd };
}

export function isValidJalaliDate(d: JalaliDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    isValidJalaaliDate(d.year, d.month, d.day)
  );
}

/** Negative, zero or positive as a is before, on or after b. */
export function compareJalaliDates(a: JalaliDate, b: JalaliDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** A year of the Gregorian calendar (e.g. 1970) typed where the solar Hijri one is asked for. */
export function looksGregorian(year: number, today: Date): boolean {
  return year >= 1900 && year <= today.getUTCFullYear() + 1;
}

function checkBirthDate(d: JalaliDate, today: Date): Result<JalaliDate, BirthDateError> {
  if (looksGregorian(d.year, today)) return err('birth_date.gregorian');
  if (d.year < MIN_BIRTH_YEAR || !isValidJalaliDate(d)) return err('birth_date.invalid');
  const now = gregorianToJalali(today);
  if (compareJalaliDates(d, now) > 0) return err('birth_date.in_future');
  // Born exactly 130 years ago today is still accepted: "more than" 130 years.
  if (compareJalaliDates({ ...d, year: d.year + MAX_AGE_YEARS }, now) < 0) return err('birth_date.too_old');
  return ok({ year: d.year, month: d.month, day: d.day });
}

type Part = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'value'; value: number };

const monthByName = new Map<string, number>(
  JALALI_MONTHS.flatMap((m) => [
    [foldForMatching(m.fa), m.number],
    [foldForMatching(m.en), m.number],
  ]),
);

// A part from a form field (text in any digit script) or from JSON (a number).
function readPart(value: unknown, names?: ReadonlyMap<string, number>): Part {
  if (value === undefined || value === null) return { kind: 'missing' };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'value', value } : { kind: 'invalid' };
  if (typeof value !== 'string') return { kind: 'invalid' };
  const text = toLatinDigits(value).trim();
  if (text === '') return { kind: 'missing' };
  if (/^\d{1,4}$/.test(text)) return { kind: 'value', value: Number(text) };
  const named = names?.get(foldForMatching(text));
  return named === undefined ? { kind: 'invalid' } : { kind: 'value', value: named };
}

/**
 * A birth date from a form's day / month / year fields. Month may also be given by its
 * Persian or English name. All three are needed: any one missing is `required`.
 */
export function parseJalaliParts(
  parts: { year: unknown; month: unknown; day: unknown },
  today: Date,
): Result<JalaliDate, BirthDateError> {
  const year = readPart(parts.year);
  const month = readPart(parts.month, monthByName);
  const day = readPart(parts.day);
  if (year.kind === 'missing' || month.kind === 'missing' || day.kind === 'missing') return err('birth_date.required');
  if (year.kind === 'invalid' || month.kind === 'invalid' || day.kind === 'invalid') return err('birth_date.invalid');
  return checkBirthDate({ year: year.value, month: month.value, day: day.value }, today);
}

/** A birth date written `YYYY-MM-DD` (also `YYYY/MM/DD`, 1- or 2-digit month and day), any digit script. */
export function parseJalaliIso(s: unknown, today: Date): Result<JalaliDate, BirthDateError> {
  if (s === undefined || s === null) return err('birth_date.required');
  if (typeof s !== 'string') return err('birth_date.invalid');
  const text = toLatinDigits(s).trim();
  if (text === '') return err('birth_date.required');
  const match = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (!match) return err('birth_date.invalid');
  return checkBirthDate({ year: Number(match[1]), month: Number(match[3]), day: Number(match[4]) }, today);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `1370-01-15`: the form used in storage, APIs and CSV files. */
export function formatJalaliIso(d: JalaliDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/**
 * The Gregorian `YYYY-MM-DD` of a Jalali date. Throws RangeError for an invalid date:
 * callers pass dates that came out of a parser, so this is a programming error.
 */
export function jalaliToGregorianIso(d: JalaliDate): string {
  if (!isValidJalaliDate(d)) throw new RangeError(`invalid Jalali date ${formatJalaliIso(d)}`);
  const { gy, gm, gd } = toGregorian(d.year, d.month, d.day);
  return `${pad(gy, 4)}-${pad(gm, 2)}-${pad(gd, 2)}`;
}

/** «۱۵ فروردین ۱۳۷۰» / `15 Farvardin 1370`. */
export function formatJalaliDate(d: JalaliDate, lang: 'fa' | 'en'): string {
  const month = JALALI_MONTHS[d.month - 1];
  if (!month) throw new RangeError(`invalid Jalali month ${d.month}`);
  return lang === 'fa'
    ? `${toPersianDigits(String(d.day))} ${month.fa} ${toPersianDigits(String(d.year))}`
    : `${d.day} ${month.en} ${d.year}`;
}

const dateTimeOptions: Intl.DateTimeFormatOptions = {
  timeZone: TEHRAN_TIME_ZONE,
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};
const dateTimeFormats = {
  fa: new Intl.DateTimeFormat('fa-IR-u-ca-persian', dateTimeOptions),
  en: new Intl.DateTimeFormat('en-US-u-ca-persian', dateTimeOptions),
} as const;

/** An instant as a Jalali date and time in Tehran, e.g. «۲ فروردین ۱۴۰۳ ساعت ۰۰:۳۰» / `Farvardin 2, 1403 AP at 00:30`. */
export function formatJalaliDateTime(instant: Date, lang: 'fa' | 'en'): string {
  return dateTimeFormats[lang].format(instant);
}
