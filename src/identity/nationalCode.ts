// The Iranian national code (کد ملی): the username of the portal and the key of every
// person record. Always a 10-character string — codes may start with `00`.
import { verifyIranianNationalId } from '@persian-tools/persian-tools';
import { compactNumberInput } from './digits.js';
import { err, ok, type Result } from './result.js';

export const NATIONAL_CODE_ERRORS = ['national_code.required', 'national_code.format', 'national_code.invalid'] as const;
export type NationalCodeError = (typeof NATIONAL_CODE_ERRORS)[number];

const TEN_DIGITS = /^\d{10}$/;

/**
 * Check digit plus this portal's policy. The checksum is persian-tools'; its pitfalls
 * (it keeps the last 10 digits of longer input and pads 9-digit input) are why the
 * exact-10-digits test comes first, and its district-prefix list is incomplete
 * (rejects real codes such as 7400076205), hence `checkPrefix: false`.
 */
export function isValidNationalCode(s: string): boolean {
  if (!TEN_DIGITS.test(s)) return false;
  // Ten equal digits all pass the checksum; most Iranian systems refuse them.
  if (/^(\d)\1{9}$/.test(s)) return false;
  // Digits 4–9 all zero are not issued (they pass the checksum for some prefixes).
  if (s.slice(3, 9) === '000000') return false;
  return verifyIranianNationalId(s, { checkPrefix: false });
}

export function parseNationalCode(input: unknown): Result<string, NationalCodeError> {
  if (input === undefined || input === null) return err('national_code.required');
  // A number has already lost its leading zeros: never guess them back.
  if (typeof input !== 'string') return err('national_code.format');
  const code = compactNumberInput(input);
  if (code === '') return err('national_code.required');
  if (!TEN_DIGITS.test(code)) return err('national_code.format');
  if (!isValidNationalCode(code)) return err('national_code.invalid');
  return ok(code);
}

/** `0499370899` → `049****899`: tells records apart in logs and on screen without revealing the code. */
export function maskNationalCode(code: string): string {
  const compact = compactNumberInput(code);
  if (!TEN_DIGITS.test(compact)) return '**********';
  return `${compact.slice(0, 3)}****${compact.slice(7)}`;
}

/**
 * The valid code starting with these 9 digits, or null when there is none (not 9
 * digits, or the result breaks the policy above). Exactly one final digit satisfies
 * the checksum, so trying all ten through the library avoids re-deriving it.
 */
export function nationalCodeWithCheckDigit(first9: string): string | null {
  if (!/^\d{9}$/.test(first9)) return null;
  for (let d = 0; d <= 9; d++) {
    const candidate = `${first9}${d}`;
    if (isValidNationalCode(candidate)) return candidate;
  }
  return null;
}
