// Persian text: one stored spelling per name (normalizePersianText), and a folded key
// for comparing what a person typed with what the civil registry holds
// (foldForMatching). The two differ on purpose: storage keeps what is meaningful in
// Persian writing (ZWNJ, ۀ, hamza forms); matching throws away every variation that
// keyboards, fonts and clerks introduce.
import { faAlphabet } from '@persian-tools/persian-tools';
import { toLatinDigits } from './digits.js';
import { err, ok, type Result } from './result.js';

const ZWNJ = '\u200C';

// Letters from Arabic keyboards and old systems that stand for a Persian letter.
const ARABIC_TO_PERSIAN: Readonly<Record<string, string>> = {
  '\u064A': '\u06CC', // ي Arabic yeh → ی
  '\u0649': '\u06CC', // ى alef maksura → ی
  '\u0643': '\u06A9', // ك Arabic kaf → ک
  '\u0629': '\u0647', // ة teh marbuta → ه (Persian writes فاطمه, not فاطمة)
  '\u06BE': '\u0647', // ھ heh doachashmee (Urdu keyboards) → ه
};
const ARABIC_LETTERS = new RegExp(`[${Object.keys(ARABIC_TO_PERSIAN).join('')}]`, 'gu');
const ARABIC_INDIC_DIGITS = /[\u0660-\u0669]/gu;
// Direction marks and other invisible format characters pasted along with RTL text.
const INVISIBLE_MARKS = /[\u00AD\u200B\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF]/gu;
const TATWEEL = /\u0640/gu;

/**
 * The spelling to store: NFC; Arabic letter variants → Persian; Arabic-Indic digits →
 * Persian digits (ASCII digits are left alone); tatweel, ZWJ and invisible direction
 * marks removed; whitespace collapsed to single spaces and trimmed; ZWNJ kept, but doubled
 * ZWNJs collapsed and ZWNJ next to a space or at either end removed.
 */
export function normalizePersianText(s: string): string {
  return s
    .normalize('NFC')
    .replace(ARABIC_LETTERS, (c) => ARABIC_TO_PERSIAN[c] ?? c)
    .replace(ARABIC_INDIC_DIGITS, (c) => String.fromCharCode(c.charCodeAt(0) - 0x0660 + 0x06f0))
    .replace(INVISIBLE_MARKS, '')
    .replace(TATWEEL, '')
    .replace(/\u200D/gu, '')
    .replace(/\s+/gu, ' ')
    // A run of spaces and ZWNJs with at least one space is a word break: one space.
    .replace(/[ \u200C]* [ \u200C]*/gu, ' ')
    .replace(/\u200C+/gu, ZWNJ)
    .replace(/^[ \u200C]+|[ \u200C]+$/gu, '')
    // Removing tatweel or marks can bring a letter and its combining mark together.
    .normalize('NFC');
}

// Folding for matching: everything above plus hamza and alef forms to their bare
// letter, so «رئیسی» ≡ «رییسی», «مؤمنی» ≡ «مومنی», «آرش» ≡ «ارش», «ۀ» ≡ «ه».
const FOLD_LETTERS: Readonly<Record<string, string>> = {
  ...ARABIC_TO_PERSIAN,
  '\u0622': '\u0627', // آ
  '\u0623': '\u0627', // أ
  '\u0625': '\u0627', // إ
  '\u0671': '\u0627', // ٱ alef wasla
  '\u0626': '\u06CC', // ئ
  '\u0624': '\u0648', // ؤ
  '\u06C0': '\u0647', // ۀ
  '\u06C1': '\u0647', // ہ heh goal
  '\u06D5': '\u0647', // ە ae
};
const FOLD_LETTERS_RE = new RegExp(`[${Object.keys(FOLD_LETTERS).join('')}]`, 'gu');
// Harakat, superscript alef, combining madda/hamza, standalone hamza, ZWNJ, ZWJ,
// tatweel: all optional in Persian writing.
const FOLD_REMOVE = /[\u064B-\u0655\u0670\u0621\u200C\u200D\u0640]/gu;

/**
 * Letter folding shared by name matching and security answers; keeps whitespace.
 * NFKC first so Arabic presentation forms (from PDFs and old fonts) become letters.
 */
export function foldPersianLetters(s: string): string {
  return foldLetters(s, FOLD_LETTERS_RE);
}

// The same folding with the Arabic «ة» kept: the name policy lets it match «ه» or «ت»
// (فاطمة = فاطمه, عزة = عزت), which no single replacement can express.
const FOLD_LETTERS_KEEP_TEH_MARBUTA_RE = new RegExp(`[${Object.keys(FOLD_LETTERS).filter((c) => c !== '\u0629').join('')}]`, 'gu');

function foldLetters(s: string, letters: RegExp): string {
  return s
    .normalize('NFKC')
    .replace(INVISIBLE_MARKS, '')
    .replace(letters, (c) => FOLD_LETTERS[c] ?? c)
    .replace(FOLD_REMOVE, '')
    .toLowerCase()
    .normalize('NFKC');
}

/**
 * The key for comparing names: folded letters, ASCII digits, lower-case Latin and no
 * whitespace at all — a surname typed «حسین زاده» matches the registry's «حسین‌زاده»
 * and «حسینزاده». Never stored, never shown.
 */
export function foldForMatching(s: string): string {
  // NFKC again: removing a space can bring a letter and a combining mark together.
  return foldPersianLetters(toLatinDigits(s)).replace(/\s+/gu, '').normalize('NFKC');
}

/**
 * foldForMatching with «ة» left as it is, for the name policy (see namesMatching.ts):
 * there «ة» matches «ه» or «ت», while «ه» never matches «ت».
 */
export function foldForNameMatching(s: string): string {
  return foldLetters(toLatinDigits(s), FOLD_LETTERS_KEEP_TEH_MARBUTA_RE).replace(/\s+/gu, '').normalize('NFKC');
}

// ---------------------------------------------------------------- person names

export const PERSON_NAME_FIELDS = ['first_name', 'last_name'] as const;
export type PersonNameField = (typeof PERSON_NAME_FIELDS)[number];
export const PERSON_NAME_MIN_LENGTH = 2;
export const PERSON_NAME_MAX_LENGTH = 50;

export const FIRST_NAME_ERRORS = ['first_name.required', 'first_name.invalid', 'first_name.too_long'] as const;
export const LAST_NAME_ERRORS = ['last_name.required', 'last_name.invalid', 'last_name.too_long'] as const;
export type PersonNameError<F extends PersonNameField = PersonNameField> = `${F}.${'required' | 'invalid' | 'too_long'}`;

// The Persian alphabet (from persian-tools) plus the hamza and madda forms that
// appear in real names (آرش، مؤمنی، رئیسی، ۀ).
const PERSIAN_LETTERS = `${faAlphabet}\u0622\u0623\u0625\u0624\u0626\u0621\u06C0`;
const PERSON_NAME = new RegExp(`^[${PERSIAN_LETTERS}]+(?:[ ${ZWNJ}][${PERSIAN_LETTERS}]+)*$`, 'u');
// Harakat are optional in Persian and the registry is matched without them; a name
// typed «محمّد» is stored «محمد» rather than refused.
const DIACRITICS = /[\u064B-\u0653\u0655\u0670]/gu;

const length = (s: string): number => [...s].length;

export function parsePersonName<F extends PersonNameField>(input: unknown, field: F): Result<string, PersonNameError<F>> {
  const code = (problem: 'required' | 'invalid' | 'too_long') => `${field}.${problem}` as PersonNameError<F>;
  if (input === undefined || input === null) return err(code('required'));
  if (typeof input !== 'string') return err(code('invalid'));
  const name = normalizePersianText(normalizePersianText(input).replace(DIACRITICS, ''));
  if (name === '') return err(code('required'));
  if (!PERSON_NAME.test(name) || length(name) < PERSON_NAME_MIN_LENGTH) return err(code('invalid'));
  if (length(name) > PERSON_NAME_MAX_LENGTH) return err(code('too_long'));
  return ok(name);
}

// ---------------------------------------------------------------- place names

export const PLACE_NAME_FIELDS = ['city', 'country'] as const;
export type PlaceNameField = (typeof PLACE_NAME_FIELDS)[number];
export const PLACE_NAME_MIN_LENGTH = 2;
export const PLACE_NAME_MAX_LENGTH = 80;

export const CITY_ERRORS = ['city.required', 'city.invalid', 'city.too_long'] as const;
export const COUNTRY_ERRORS = ['country.required', 'country.invalid', 'country.too_long'] as const;
export type PlaceNameError<F extends PlaceNameField = PlaceNameField> = `${F}.${'required' | 'invalid' | 'too_long'}`;

// Persian or Latin letters (with accents: Côte d'Ivoire, São Paulo) in words joined by
// a space, ZWNJ, hyphen or apostrophe; a word may end in a period (St. Louis).
const PLACE_LETTER = `[${PERSIAN_LETTERS}\\p{Script=Latin}\\p{M}]`;
const PLACE_NAME = new RegExp(`^${PLACE_LETTER}+\\.?(?:(?:[ ${ZWNJ}\\-'’]|\\. ?)${PLACE_LETTER}+\\.?)*$`, 'u');

export function parsePlaceName<F extends PlaceNameField>(input: unknown, field: F): Result<string, PlaceNameError<F>> {
  const code = (problem: 'required' | 'invalid' | 'too_long') => `${field}.${problem}` as PlaceNameError<F>;
  if (input === undefined || input === null) return err(code('required'));
  if (typeof input !== 'string') return err(code('invalid'));
  const name = normalizePersianText(input).replace(/\s*-\s*/gu, '-');
  if (name === '') return err(code('required'));
  if (!PLACE_NAME.test(name) || length(name) < PLACE_NAME_MIN_LENGTH) return err(code('invalid'));
  if (length(name) > PLACE_NAME_MAX_LENGTH) return err(code('too_long'));
  return ok(name);
}
