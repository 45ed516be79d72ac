// The insurance number (شماره بیمه): 10 digits, no check digit; older numbers are
// shorter and are stored zero-padded to 10 so that one person has one spelling.
import { compactNumberInput } from './digits.js';
import { err, ok, type Result } from './result.js';

export const INSURANCE_NUMBER_ERRORS = ['insurance_number.required', 'insurance_number.format'] as const;
export type InsuranceNumberError = (typeof INSURANCE_NUMBER_ERRORS)[number];

export function parseInsuranceNumber(input: unknown): Result<string, InsuranceNumberError> {
  if (input === undefined || input === null) return err('insurance_number.required');
  if (typeof input !== 'string') return err('insurance_number.format');
  const digits = compactNumberInput(input);
  if (digits === '') return err('insurance_number.required');
  if (!/^\d{1,10}$/.test(digits)) return err('insurance_number.format');
  // Zero is padding, not a number anybody holds.
  if (/^0+$/.test(digits)) return err('insurance_number.format');
  return ok(digits.padStart(10, '0'));
}
