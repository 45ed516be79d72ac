// The username of the portal: a national code (10 digits) or, for foreign nationals,
// their 12-digit identifier. Persian and Arabic-Indic digits and separators are accepted.
import { compactNumberInput } from '../identity/digits.js';
import { isValidNationalCode } from '../identity/nationalCode.js';
import { err, ok, type Result } from '../identity/result.js';

export type Username = { kind: 'national_code' | 'foreign_national_id'; value: string };
export type UsernameError = 'signin.username_required' | 'signin.username_format';

export function parseUsername(input: unknown): Result<Username, UsernameError> {
  if (typeof input !== 'string') return err(input === undefined || input === null ? 'signin.username_required' : 'signin.username_format');
  const compact = compactNumberInput(input);
  if (compact === '') return err('signin.username_required');
  if (/^\d{12}$/.test(compact)) return ok({ kind: 'foreign_national_id', value: compact });
  if (/^\d{10}$/.test(compact) && isValidNationalCode(compact)) return ok({ kind: 'national_code', value: compact });
  return err('signin.username_format');
}
