// The foreign nationals' identifier (کد فراگیر / FIDA) used instead of a national
// code. No public check-digit rule exists, so only length and digits are validated.
import { compactNumberInput } from './digits.js';
import { err, ok, type Result } from './result.js';

export const FOREIGN_NATIONAL_ID_ERRORS = ['foreign_national_id.required', 'foreign_national_id.format'] as const;
export type ForeignNationalIdError = (typeof FOREIGN_NATIONAL_ID_ERRORS)[number];

export function parseForeignNationalId(input: unknown): Result<string, ForeignNationalIdError> {
  if (input === undefined || input === null) return err('foreign_national_id.required');
  // Numbers lose leading zeros: only text is an identifier.
  if (typeof input !== 'string') return err('foreign_national_id.format');
  const id = compactNumberInput(input);
  if (id === '') return err('foreign_national_id.required');
  if (!/^\d{12}$/.test(id)) return err('foreign_national_id.format');
  return ok(id);
}
