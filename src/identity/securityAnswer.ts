// Answers to the security question used for password recovery. The answer is hashed,
// so it must be normalised before hashing: a person who typed «علي  رضا» at
// registration (Arabic yeh, two spaces) must succeed with «علی رضا» years later.
import { toLatinDigits } from './digits.js';
import { foldPersianLetters } from './names.js';
import { err, ok, type Result } from './result.js';

export const SECURITY_ANSWER_MIN_LENGTH = 2;
export const SECURITY_ANSWER_MAX_LENGTH = 100;

export const SECURITY_ANSWER_ERRORS = ['security_answer.required', 'security_answer.too_short', 'security_answer.too_long'] as const;
export type SecurityAnswerError = (typeof SECURITY_ANSWER_ERRORS)[number];

/**
 * ASCII digits; Persian letter folding (Arabic letters, alef and hamza forms,
 * diacritics and tatweel, as for names); lower-case; punctuation, symbols and ZWNJ
 * become word breaks; single spaces between words. ZWNJ counts as a space because
 * people without a ZWNJ key type a space («حسین‌زاده» ≡ «حسین زاده»).
 */
export function normalizeSecurityAnswer(s: string): string {
  return foldPersianLetters(toLatinDigits(s).replace(/\u200C/gu, ' '))
    .replace(/[\p{P}\p{S}\p{C}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

export function parseSecurityAnswer(input: unknown): Result<string, SecurityAnswerError> {
  if (typeof input !== 'string' || input.trim() === '') return err('security_answer.required');
  const answer = normalizeSecurityAnswer(input);
  const length = [...answer].length;
  if (length < SECURITY_ANSWER_MIN_LENGTH) return err('security_answer.too_short');
  if (length > SECURITY_ANSWER_MAX_LENGTH) return err('security_answer.too_long');
  return ok(answer);
}
