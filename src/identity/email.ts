// E-mail addresses (optional at registration, a contact channel only). A pragmatic
// subset of RFC 5322: dot-atom local part, ASCII host names with a real TLD, at most
// 254 characters. Quoted local parts, IP-literal hosts and comments are refused: no
// mail provider our citizens use hands them out, and they complicate every consumer.
import { toLatinDigits } from './digits.js';
import { err, ok, type Result } from './result.js';

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_MAX_LENGTH = 64;

export const EMAIL_ERRORS = ['email.required', 'email.invalid', 'email.too_long'] as const;
export type EmailError = (typeof EMAIL_ERRORS)[number];
export type OptionalEmailError = Exclude<EmailError, 'email.required'>;

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Invisible direction marks come along when an address is pasted from RTL text.
const INVISIBLE_MARKS = /[\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF]/gu;

/** Empty → null. The local part keeps its case (it may matter to the mail server); the domain is lower-cased. */
export function parseOptionalEmail(input: unknown): Result<string | null, OptionalEmailError> {
  if (input === undefined || input === null) return ok(null);
  if (typeof input !== 'string') return err('email.invalid');
  const text = toLatinDigits(input).replace(INVISIBLE_MARKS, '').trim();
  if (text === '') return ok(null);
  if (text.length > EMAIL_MAX_LENGTH) return err('email.too_long');
  const at = text.lastIndexOf('@');
  if (at <= 0) return err('email.invalid');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  if (local.length > LOCAL_MAX_LENGTH) return err('email.too_long');
  if (!LOCAL_PART.test(local)) return err('email.invalid');
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TOP_LEVEL.test(tld)) {
    return err('email.invalid');
  }
  return ok(`${local}@${domain}`);
}

export function parseEmail(input: unknown): Result<string, EmailError> {
  const parsed = parseOptionalEmail(input);
  if (!parsed.ok) return parsed;
  return parsed.value === null ? err('email.required') : ok(parsed.value);
}
