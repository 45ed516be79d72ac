// Gender as recorded by the civil registry (two values), the value of a form select.
import { err, ok, type Result } from './result.js';

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];

export const GENDER_ERRORS = ['gender.required', 'gender.invalid'] as const;
export type GenderError = (typeof GENDER_ERRORS)[number];

export function isGender(value: unknown): value is Gender {
  return typeof value === 'string' && (GENDERS as readonly string[]).includes(value);
}

export function parseGender(input: unknown): Result<Gender, GenderError> {
  if (input === undefined || input === null) return err('gender.required');
  if (typeof input !== 'string') return err('gender.invalid');
  const value = input.trim().toLowerCase();
  if (value === '') return err('gender.required');
  return isGender(value) ? ok(value) : err('gender.invalid');
}
