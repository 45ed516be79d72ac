// The medical council number (شماره نظام پزشکی): the number the Medical Council of Iran
// gives each licensed doctor, up to 8 digits, no check digit. Numbers are numbers: a
// typed leading zero is dropped so that one doctor has one spelling.
import { compactNumberInput } from './digits.js';
import { err, ok, type Result } from './result.js';

export const MEDICAL_COUNCIL_NUMBER_ERRORS = ['medical_council_number.required', 'medical_council_number.format'] as const;
export type MedicalCouncilNumberError = (typeof MEDICAL_COUNCIL_NUMBER_ERRORS)[number];

/** Most digits a medical council number has. */
export const MEDICAL_COUNCIL_NUMBER_MAX_DIGITS = 8;

export function parseMedicalCouncilNumber(input: unknown): Result<string, MedicalCouncilNumberError> {
  if (input === undefined || input === null) return err('medical_council_number.required');
  if (typeof input !== 'string') return err('medical_council_number.format');
  const digits = compactNumberInput(input);
  if (digits === '') return err('medical_council_number.required');
  if (!/^\d+$/.test(digits)) return err('medical_council_number.format');
  const number = digits.replace(/^0+/, '');
  if (number === '' || number.length > MEDICAL_COUNCIL_NUMBER_MAX_DIGITS) return err('medical_council_number.format');
  return ok(number);
}
