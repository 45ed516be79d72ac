// Password rules. The organization's rules (Latin letters, digits and a few symbols;
// starts with a letter; upper + lower + digit; no personal information) are kept as
// configurable policy, and a zxcvbn strength score sits on top because the rules alone
// allow "Password1". All broken rules are reported at once so the form can list them.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { compactNumberInput, toLatinDigits } from './digits.js';
import { normalizePersianText } from './names.js';

export type PasswordPolicy = {
  minLength: number;
  maxLength: number;
  mustStartWithLetter: boolean;
  requireUpper: boolean;
  requireLower: boolean;
  requireDigit: boolean;
  /** Characters allowed besides ASCII letters and digits. */
  allowedSymbols: string;
  forbidPersonalInfo: boolean;
  /** zxcvbn score (0–4) a password must reach; 0 turns the check off. */
  minStrengthScore: 0 | 1 | 2 | 3 | 4;
};

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minLength: 8,
  maxLength: 128,
  mustStartWithLetter: true,
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  allowedSymbols: '&%$#!',
  forbidPersonalInfo: true,
  minStrengthScore: 3,
});

export const PASSWORD_ERRORS = [
  'password.required',
  'password.too_short',
  'password.too_long',
  'password.invalid_characters',
  'password.must_start_with_letter',
  'password.needs_upper',
  'password.needs_lower',
  'password.needs_digit',
  'password.contains_personal_info',
  'password.too_weak',
] as const;
export type PasswordError = (typeof PASSWORD_ERRORS)[number];

export type PasswordContext = { firstName?: string; lastName?: string; nationalCode?: string; username?: string };

/**
 * Values for the placeholders of the password messages: `{min}` (too_short), `{max}`
 * (too_long) and `{symbols}` (invalid_characters), e.g. for web/i18n `t(lang, key, params)`.
 */
export function passwordMessageParams(policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): {
  min: number;
  max: number;
  symbols: string;
} {
  return { min: policy.minLength, max: policy.maxLength, symbols: [...policy.allowedSymbols].join(' ') };
}

// Transliterated Persian words that language-common (English-centric) does not know
// but Iranians put in passwords: common given names, cities, teams and words. Ordered
// roughly by how common they are (zxcvbn ranks by position).
const IRANIAN_COMMON_WORDS = [
  'iran', 'tehran', 'ali', 'mohammad', 'reza', 'hossein', 'zahra', 'fatemeh', 'maryam', 'mehdi',
  'amir', 'sara', 'alireza', 'hamid', 'ahmad', 'mahdi', 'hasan', 'hassan', 'saeed', 'majid',
  'javad', 'vahid', 'mohsen', 'morteza', 'mostafa', 'hamed', 'masoud', 'mahmoud', 'abbas', 'mojtaba',
  'ebrahim', 'esmaeil', 'yousef', 'jafar', 'karim', 'nasrin', 'narges', 'zeinab', 'zeynab', 'somayeh',
  'masoumeh', 'leila', 'mina', 'elham', 'neda', 'parisa', 'shirin', 'fereshteh', 'azadeh', 'mahsa',
  'niloofar', 'negar', 'hoda', 'samira', 'arash', 'babak', 'behnam', 'farhad', 'kourosh', 'dariush',
  'parsa', 'arian', 'mohammadreza', 'mohamad', 'mohammed', 'hosein', 'fateme', 'mashhad', 'isfahan', 'esfahan',
  'shiraz', 'tabriz', 'karaj', 'qom', 'ghom', 'ahvaz', 'kermanshah', 'rasht', 'kerman', 'urmia',
  'yazd', 'ardabil', 'zahedan', 'hamedan', 'arak', 'sari', 'gorgan', 'qazvin', 'zanjan', 'bushehr',
  'persepolis', 'perspolis', 'esteghlal', 'sepahan', 'tractor', 'irani', 'persian', 'parsi', 'farsi', 'iranian',
  'tamin', 'taamin', 'ejtemaei', 'salam', 'khoda', 'khodaya', 'eshgh', 'asheghetam', 'azizam', 'delam',
  'doostet', 'doostam', 'mamnoon', 'merci', 'ghorban', 'nowruz', 'norooz', 'yalda', 'khorshid', 'mahtab',
];

// Built once and lazily: loading the dictionaries costs ~50 ms. l33tMaxSubstitutions
// is lowered from 100 to 20: checks drop from ~5 ms to ~1 ms here and scores on
// l33t-heavy samples (P@$$w0rd1, $3cr3tP@55, …) are unchanged.
let zxcvbn: ZxcvbnFactory | undefined;
function strengthChecker(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...dictionary, 'iranian-common': IRANIAN_COMMON_WORDS },
    graphs: adjacencyGraphs,
    l33tMaxSubstitutions: 20,
  });
  return zxcvbn;
}

/** Builds the strength checker now (e.g. at start-up) instead of on the first check. */
export function warmUpPasswordChecker(): void {
  strengthChecker();
}

const MIN_FRAGMENT_LENGTH = 3;
const codePoints = (s: string): number => [...s].length;

// Lower-cased strings whose presence in a password counts as personal information:
// each name/username whole, without spaces and word by word (3+ characters, so a
// two-letter name does not forbid half the alphabet), and the national code in ASCII
// digits, also without its leading zeros.
function personalFragments(context: PasswordContext): string[] {
  const fragments = new Set<string>();
  for (const value of [context.firstName, context.lastName, context.username]) {
    if (typeof value !== 'string') continue;
    const text = toLatinDigits(normalizePersianText(value)).toLowerCase();
    for (const fragment of [text, text.replace(/[\s\u200C]+/gu, ''), ...text.split(/[\s\u200C]+/u)]) {
      if (codePoints(fragment) >= MIN_FRAGMENT_LENGTH) fragments.add(fragment);
    }
  }
  if (typeof context.nationalCode === 'string') {
    const code = compactNumberInput(context.nationalCode);
    if (/^\d{8,}$/.test(code)) {
      fragments.add(code);
      const withoutZeros = code.replace(/^0+/, '');
      if (withoutZeros.length >= 8) fragments.add(withoutZeros);
    }
  }
  return [...fragments];
}

// "AliRezaei" is one guess for an attacker who knows the person, not two words: give
// zxcvbn the full name both ways round (it matches user inputs whole, not in pieces).
function fullNames(context: PasswordContext): string[] {
  const squash = (s: string | undefined) => (typeof s === 'string' ? normalizePersianText(s).replace(/[\s\u200C]+/gu, '').toLowerCase() : '');
  const first = squash(context.firstName);
  const last = squash(context.lastName);
  return first && last ? [first + last, last + first] : [];
}

/** Every rule the password breaks, in a stable order; empty when it is acceptable. */
export function checkPassword(
  password: unknown,
  context: PasswordContext,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): PasswordError[] {
  if (typeof password !== 'string' || password === '') return ['password.required'];
  const errors: PasswordError[] = [];
  const length = codePoints(password);
  if (length < policy.minLength) errors.push('password.too_short');
  if (length > policy.maxLength) errors.push('password.too_long');
  const allowed = (c: string) => /^[A-Za-z0-9]$/.test(c) || policy.allowedSymbols.includes(c);
  if (![...password].every(allowed)) errors.push('password.invalid_characters');
  if (policy.mustStartWithLetter && !/^[A-Za-z]/.test(password)) errors.push('password.must_start_with_letter');
  if (policy.requireUpper && !/[A-Z]/.test(password)) errors.push('password.needs_upper');
  if (policy.requireLower && !/[a-z]/.test(password)) errors.push('password.needs_lower');
  if (policy.requireDigit && !/[0-9]/.test(password)) errors.push('password.needs_digit');

  const fragments = personalFragments(context);
  if (policy.forbidPersonalInfo) {
    const haystack = toLatinDigits(password).toLowerCase();
    if (fragments.some((fragment) => haystack.includes(fragment))) errors.push('password.contains_personal_info');
  }
  // Skipped for over-long input: the length error already rejects it, and zxcvbn's
  // cost grows with length (a bounded request must not buy unbounded CPU).
  if (policy.minStrengthScore > 0 && length <= policy.maxLength) {
    const score = strengthChecker().check(password, [...fragments, ...fullNames(context)]).score;
    if (score < policy.minStrengthScore) errors.push('password.too_weak');
  }
  return errors;
}

/**
 * Whether a password was typed with the keyboard set to Persian (Persian or Arabic letters or
 * digits): such a password can never be right, so telling the person reveals nothing.
 */
export function typedOnPersianKeyboard(input: unknown): boolean {
  return typeof input === 'string' && /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/u.test(input);
}
