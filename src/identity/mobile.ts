// Iranian mobile numbers and operators. A number is stored as `09xxxxxxxxx`. The
// operator a person picks is a hint for SMS routing and display only: numbers move
// between operators (portability since 1395), so a prefix never contradicts a choice.
import { compactNumberInput } from './digits.js';
import { err, ok, type Result } from './result.js';

/** The operators offered in the registration form's select. */
export const MOBILE_OPERATORS = ['mci', 'irancell', 'rightel', 'shatel', 'aptel'] as const;
export type MobileOperator = (typeof MOBILE_OPERATORS)[number];

/** Every network the prefix table knows, including MVNOs that are not offered in the form. */
export type MobileNetwork = MobileOperator | 'taliya' | 'telekish';

export const MOBILE_OPERATOR_ERRORS = ['mobile_operator.required', 'mobile_operator.invalid'] as const;
export type MobileOperatorError = (typeof MOBILE_OPERATOR_ERRORS)[number];

export const MOBILE_ERRORS = ['mobile.required', 'mobile.format'] as const;
export type MobileError = (typeof MOBILE_ERRORS)[number];

export function isMobileOperator(value: unknown): value is MobileOperator {
  return typeof value === 'string' && (MOBILE_OPERATORS as readonly string[]).includes(value);
}

export function parseMobileOperator(input: unknown): Result<MobileOperator, MobileOperatorError> {
  if (input === undefined || input === null) return err('mobile_operator.required');
  if (typeof input !== 'string') return err('mobile_operator.invalid');
  const value = input.trim().toLowerCase();
  if (value === '') return err('mobile_operator.required');
  return isMobileOperator(value) ? ok(value) : err('mobile_operator.invalid');
}

// Three digits after the leading 0 → network (DOMAIN.md). Ranges are inclusive.
const PREFIXES: ReadonlyArray<readonly [from: number, to: number, network: MobileNetwork]> = [
  [910, 919, 'mci'],
  [990, 996, 'mci'],
  [900, 905, 'irancell'],
  [930, 930, 'irancell'],
  [933, 933, 'irancell'],
  [935, 939, 'irancell'],
  [941, 941, 'irancell'],
  [920, 924, 'rightel'],
  [932, 932, 'taliya'],
  [934, 934, 'telekish'],
  [998, 998, 'shatel'],
  [999, 999, 'aptel'],
];

// Country code, then an optional trunk 0 that people keep after it ("+98 0912…").
const MOBILE_INPUT = /^(?:(?:\+|00)?98)?0?(9\d{9})$/;
// The 09 blocks the regulator has opened to mobile networks (90x–94x, 99x). Unassigned
// prefixes inside them are accepted because new ones are allocated without notice;
// 095x–098x are not mobile blocks at all, so a number there is a typo.
const PLAUSIBLE_MOBILE = /^09[0-49]\d{8}$/;

export function parseMobile(input: unknown): Result<string, MobileError> {
  if (input === undefined || input === null) return err('mobile.required');
  // A number has lost its leading zero and, if long, its precision.
  if (typeof input !== 'string') return err('mobile.format');
  const compact = compactNumberInput(input).replace(/[().]/g, '');
  if (compact === '') return err('mobile.required');
  const match = MOBILE_INPUT.exec(compact);
  if (!match) return err('mobile.format');
  const mobile = `0${match[1]}`;
  if (!PLAUSIBLE_MOBILE.test(mobile)) return err('mobile.format');
  return ok(mobile);
}

/** The network that was assigned the number's prefix, or null. A hint only (portability). */
export function operatorOfMobile(mobile: string): MobileNetwork | null {
  const parsed = parseMobile(mobile);
  if (!parsed.ok) return null;
  const prefix = Number(parsed.value.slice(1, 4));
  for (const [from, to, network] of PREFIXES) {
    if (prefix >= from && prefix <= to) return network;
  }
  return null;
}

/** `09123334567` → `0912***4567`: enough for a person to recognise their number. */
export function maskMobile(m: string): string {
  const parsed = parseMobile(m);
  if (!parsed.ok) return '***********';
  return `${parsed.value.slice(0, 4)}***${parsed.value.slice(7)}`;
}
