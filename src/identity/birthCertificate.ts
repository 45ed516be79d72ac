// Birth certificate (شناسنامه) fields. No official specification is public; these are
// the rules in common use: number 1–10 digits (since 1368 usually the national code),
// serial 6 digits, series a Persian letter and a number 1–99 written like «الف/12».
import { compactNumberInput, toLatinDigits } from './digits.js';
import { foldPersianLetters } from './names.js';
import { err, ok, type Result } from './result.js';

export const BIRTH_CERTIFICATE_SERIES_LETTERS = [
  'الف', 'ب', 'پ', 'ت', 'ث', 'ج', 'چ', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'ژ', 'س', 'ش',
  'ص', 'ض', 'ط', 'ظ', 'ع', 'غ', 'ف', 'ق', 'ک', 'گ', 'ل', 'م', 'ن', 'و', 'ه', 'ی',
] as const;
export type BirthCertificateSeriesLetter = (typeof BIRTH_CERTIFICATE_SERIES_LETTERS)[number];

/** Canonical series: `number` is two digits, zero-padded (`{ letter: 'الف', number: '05' }`). */
export type BirthCertificateSeries = { letter: BirthCertificateSeriesLetter; number: string };

export const BIRTH_CERTIFICATE_NUMBER_ERRORS = ['birth_certificate_number.required', 'birth_certificate_number.format'] as const;
export type BirthCertificateNumberError = (typeof BIRTH_CERTIFICATE_NUMBER_ERRORS)[number];
export const BIRTH_CERTIFICATE_SERIAL_ERRORS = ['birth_certificate_serial.required', 'birth_certificate_serial.format'] as const;
export type BirthCertificateSerialError = (typeof BIRTH_CERTIFICATE_SERIAL_ERRORS)[number];
export const BIRTH_CERTIFICATE_SERIES_ERRORS = ['birth_certificate_series.required', 'birth_certificate_series.format'] as const;
export type BirthCertificateSeriesError = (typeof BIRTH_CERTIFICATE_SERIES_ERRORS)[number];

// Leading zeros are kept (a certificate number equal to a national code may start
// with 00), but a number made only of zeros is not a number anybody holds.
export function parseBirthCertificateNumber(input: unknown): Result<string, BirthCertificateNumberError> {
  if (input === undefined || input === null) return err('birth_certificate_number.required');
  if (typeof input !== 'string') return err('birth_certificate_number.format');
  const value = compactNumberInput(input);
  if (value === '') return err('birth_certificate_number.required');
  if (!/^\d{1,10}$/.test(value) || /^0+$/.test(value)) return err('birth_certificate_number.format');
  return ok(value);
}

export function parseBirthCertificateSerial(input: unknown): Result<string, BirthCertificateSerialError> {
  if (input === undefined || input === null) return err('birth_certificate_serial.required');
  if (typeof input !== 'string') return err('birth_certificate_serial.format');
  const value = compactNumberInput(input);
  if (value === '') return err('birth_certificate_serial.required');
  if (!/^\d{6}$/.test(value) || value === '000000') return err('birth_certificate_serial.format');
  return ok(value);
}

// Letters as people type them: the folding turns Arabic ي/ك/ة and alef forms into
// Persian letters and drops tatweel (so «هـ», the usual way to write the letter heh
// alone, is «ه»). «ا»/«آ»/«ألف» all mean the letter alef.
function seriesLetter(raw: string): BirthCertificateSeriesLetter | null {
  const folded = foldPersianLetters(raw).replace(/\s+/gu, '');
  const letter = folded === 'ا' ? 'الف' : folded;
  return (BIRTH_CERTIFICATE_SERIES_LETTERS as readonly string[]).includes(letter)
    ? (letter as BirthCertificateSeriesLetter)
    : null;
}

function seriesNumber(raw: string): string | null {
  const digits = compactNumberInput(raw);
  if (!/^\d{1,2}$/.test(digits) || digits === '0' || digits === '00') return null;
  return digits.padStart(2, '0');
}

// Letter part and number part, in either order, joined by nothing, spaces, a slash
// (either direction), a hyphen or similar.
const SEPARATOR = String.raw`[\s/\\\-_|.,،]*`;
// Any letters here; seriesLetter decides which are a series letter.
const LETTERS = String.raw`[\p{L}\p{M}\u200C\u200D]+`;
const LETTER_FIRST = new RegExp(`^(${LETTERS})${SEPARATOR}(\\d+)$`, 'u');
const NUMBER_FIRST = new RegExp(`^(\\d+)${SEPARATOR}(${LETTERS})$`, 'u');

/** `الف/12`, `الف-12`, `12/الف`, `الف 12`, `ألف۱۲`… → `{ letter: 'الف', number: '12' }`. */
export function parseBirthCertificateSeries(input: unknown): Result<BirthCertificateSeries, BirthCertificateSeriesError> {
  if (input === undefined || input === null) return err('birth_certificate_series.required');
  if (typeof input !== 'string') return err('birth_certificate_series.format');
  // Tatweel is removed first so that «هـ12» splits into letter and number.
  const text = toLatinDigits(input).replace(/\u0640/gu, '').trim();
  if (text === '') return err('birth_certificate_series.required');
  const letterFirst = LETTER_FIRST.exec(text);
  const numberFirst = letterFirst ? null : NUMBER_FIRST.exec(text);
  const letterText = letterFirst?.[1] ?? numberFirst?.[2];
  const numberText = letterFirst?.[2] ?? numberFirst?.[1];
  if (letterText === undefined || numberText === undefined) return err('birth_certificate_series.format');
  const letter = seriesLetter(letterText);
  const number = seriesNumber(numberText);
  if (letter === null || number === null) return err('birth_certificate_series.format');
  return ok({ letter, number });
}

/** For a form with a letter select and a number input. Either part missing is `required`. */
export function parseBirthCertificateSeriesParts(
  letter: unknown,
  number: unknown,
): Result<BirthCertificateSeries, BirthCertificateSeriesError> {
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
  if (blank(letter) || blank(number)) return err('birth_certificate_series.required');
  if (typeof letter !== 'string') return err('birth_certificate_series.format');
  const numberText = typeof number === 'number' && Number.isInteger(number) ? String(number) : number;
  if (typeof numberText !== 'string') return err('birth_certificate_series.format');
  const parsedLetter = seriesLetter(letter.replace(/\u0640/gu, ''));
  const parsedNumber = seriesNumber(numberText);
  if (parsedLetter === null || parsedNumber === null) return err('birth_certificate_series.format');
  return ok({ letter: parsedLetter, number: parsedNumber });
}

/** `{ letter: 'الف', number: '12' }` → `الف/12` (storage and display form). */
export function formatBirthCertificateSeries(series: BirthCertificateSeries): string {
  return `${series.letter}/${series.number}`;
}
