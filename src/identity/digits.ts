// Digit scripts. Iranian users type Persian (U+06F0–U+06F9) or Arabic-Indic
// (U+0660–U+0669) digits depending on keyboard and phone; every numeric rule in this
// module works on ASCII digits, so input goes through toLatinDigits first (`/\d/`
// does not match Persian digits and `Number('۱۲')` is NaN).
import { digitsArToEn, digitsArToFa, digitsEnToFa, digitsFaToEn } from '@persian-tools/persian-tools';

/** Persian and Arabic-Indic digits → ASCII; everything else unchanged. */
export function toLatinDigits(s: string): string {
  return digitsArToEn(digitsFaToEn(s));
}

/** ASCII and Arabic-Indic digits → Persian; everything else unchanged. For display. */
export function toPersianDigits(s: string): string {
  return digitsEnToFa(digitsArToFa(s));
}

// What people put between digit groups when they type or paste an identifier: spaces of
// every kind, hyphens and dashes, and the invisible direction marks that come along
// when a number is copied out of right-to-left text.
const NUMBER_SEPARATORS = /[\s\u00AD\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF\-\u2010-\u2015\u2212]/gu;

/**
 * An identifier as typed → ASCII digits with separators removed. Anything else
 * (letters, dots, `+`) is kept so the caller's format check can reject it.
 */
export function compactNumberInput(s: string): string {
  return toLatinDigits(s).replace(NUMBER_SEPARATORS, '');
}
