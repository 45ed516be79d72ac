// Field-by-field validation of registry data, shared by the CSV loader (demo/operator
// files) and the http adapters (answers of remote services): the same rules whether a
// record comes from a file or over the wire. Values arrive as text; digits are made
// ASCII, names keep the registry's own spelling (Arabic letters, ZWNJ) and only lose
// outer and doubled spaces.

import {
  formatBirthCertificateSeries,
  parseBirthCertificateNumber,
  parseBirthCertificateSerial,
  parseBirthCertificateSeries,
} from '../identity/birthCertificate.js';
import { toLatinDigits } from '../identity/digits.js';
import { parseForeignNationalId } from '../identity/foreignNationalId.js';
import { parseInsuranceNumber } from '../identity/insuranceNumber.js';
import { formatJalaliIso, parseJalaliIso } from '../identity/jalali.js';
import { maskMobile, parseMobile } from '../identity/mobile.js';
import { maskNationalCode, parseNationalCode } from '../identity/nationalCode.js';
import { err, ok, type Result } from '../identity/result.js';
import {
  INSURANCE_GROUPS,
  isInsuranceGroup,
  type Branch,
  type CivilRecord,
  type InsuranceRecord,
} from './types.js';

/** A row of the mobile-ownership table: the number belongs to the person. */
export type MobileOwnershipRow = { nationalCode: string; mobile: string; requiresBranchVisit: boolean };

/** What is wrong with one field, in words for the operator who maintains the data. */
export type FieldProblem = { column: string; message: string };

type Row = Readonly<Record<string, string>>;
type FieldResult<T> = Result<T, string>;

export const toAsciiDigits = toLatinDigits;

/**
 * An identifier (national code, mobile, foreign national id) masked for logs and error
 * messages: enough to tell records apart, not to identify anybody.
 */
export function maskIdentifier(value: string): string {
  const compact = toLatinDigits(value.trim());
  if (/^\d{10}$/.test(compact)) return maskNationalCode(compact);
  if (parseMobile(compact).ok) return maskMobile(compact);
  if (compact.length <= 6) return '*'.repeat(compact.length);
  return compact.slice(0, 3) + '*'.repeat(compact.length - 6) + compact.slice(-3);
}

// ---------------------------------------------------------------- single fields

export function nationalCodeField(raw: string): FieldResult<string> {
  const parsed = parseNationalCode(toAsciiDigits(raw.trim()));
  return parsed.ok ? ok(parsed.value) : err(`"${maskIdentifier(raw.trim())}" is not a valid national code (${parsed.error})`);
}

export function foreignNationalIdField(raw: string): FieldResult<string> {
  const parsed = parseForeignNationalId(toAsciiDigits(raw.trim()));
  return parsed.ok
    ? ok(parsed.value)
    : err(`"${maskIdentifier(raw.trim())}" is not a valid foreign national identifier (12 digits) (${parsed.error})`);
}

export function mobileField(raw: string): FieldResult<string> {
  const parsed = parseMobile(raw.trim());
  return parsed.ok ? ok(parsed.value) : err(`"${maskIdentifier(raw.trim())}" is not a valid mobile number (${parsed.error})`);
}

// Letters (any script, with their combining marks), ZWNJ and single inner spaces.
const NAME = /^[\p{L}\p{M}\u200C]+(?: [\p{L}\p{M}\u200C]+)*$/u;

export function nameField(raw: string): FieldResult<string> {
  const value = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (value === '') return err('is empty');
  if (value.length > 60) return err('is longer than 60 characters');
  if (!NAME.test(value)) return err(`"${value}" may contain only letters, spaces and ZWNJ`);
  return ok(value);
}

/** Canonical `YYYY-MM-DD`; also accepts what the identity parser accepts (`1370/1/15`). */
export function jalaliDateField(raw: string, today: Date): FieldResult<string> {
  const parsed = parseJalaliIso(raw.trim(), today);
  return parsed.ok ? ok(formatJalaliIso(parsed.value)) : err(`"${raw.trim()}" is not a valid Jalali date YYYY-MM-DD (${parsed.error})`);
}

export function genderField(raw: string): FieldResult<'male' | 'female'> {
  const value = raw.trim();
  return value === 'male' || value === 'female' ? ok(value) : err(`"${value}" must be male or female`);
}

export function booleanField(raw: string): FieldResult<boolean> {
  const value = raw.trim();
  if (value === 'true') return ok(true);
  if (value === 'false') return ok(false);
  return err(`"${value}" must be true or false`);
}

export function digitsField(raw: string, min: number, max: number): FieldResult<string> {
  const value = toAsciiDigits(raw.trim());
  if (!/^\d+$/.test(value) || value.length < min || value.length > max) {
    return err(`"${value}" must be ${min === max ? `${min}` : `${min}–${max}`} digits`);
  }
  return ok(value);
}

export function birthCertificateSeriesField(raw: string): FieldResult<string> {
  const parsed = parseBirthCertificateSeries(raw.trim());
  if (!parsed.ok) return err(`"${raw.trim()}" is not a birth-certificate series like الف/12 (${parsed.error})`);
  return ok(formatBirthCertificateSeries(parsed.value));
}

export function birthCertificateNumberField(raw: string): FieldResult<string> {
  const parsed = parseBirthCertificateNumber(raw.trim());
  return parsed.ok ? ok(parsed.value) : err(`"${raw.trim()}" is not a birth-certificate number of 1–10 digits (${parsed.error})`);
}

export function birthCertificateSerialField(raw: string): FieldResult<string> {
  const parsed = parseBirthCertificateSerial(raw.trim());
  return parsed.ok ? ok(parsed.value) : err(`"${raw.trim()}" is not a birth-certificate serial of 6 digits (${parsed.error})`);
}

/** 1–10 digits, zero-padded to 10 (older insurance numbers are shorter). */
export function insuranceNumberField(raw: string): FieldResult<string> {
  const parsed = parseInsuranceNumber(raw.trim());
  return parsed.ok ? ok(parsed.value) : err(`"${raw.trim()}" is not an insurance number of 1–10 digits (${parsed.error})`);
}

// ---------------------------------------------------------------- whole records

/**
 * Runs each column's rule and stops at the first problem (in column order), so a bad
 * row gives exactly one precise message.
 */
function fields<T extends Record<string, unknown>>(
  row: Row,
  rules: { [K in keyof T]: (raw: string) => FieldResult<T[K]> },
): Result<T, FieldProblem> {
  const out: Partial<T> = {};
  for (const column of Object.keys(rules) as (keyof T & string)[]) {
    const parsed = rules[column](row[column] ?? '');
    if (!parsed.ok) return err({ column, message: parsed.error });
    out[column] = parsed.value;
  }
  return ok(out as T);
}

export function parseCivilRecord(row: Row, today: Date): Result<CivilRecord, FieldProblem> {
  return fields<CivilRecord>(row, {
    nationalCode: nationalCodeField,
    firstName: nameField,
    lastName: nameField,
    birthDate: (raw) => jalaliDateField(raw, today),
    gender: genderField,
    birthCertificateNumber: birthCertificateNumberField,
    birthCertificateSerial: birthCertificateSerialField,
    birthCertificateSeries: birthCertificateSeriesField,
    alive: booleanField,
  });
}

export function parseMobileOwnershipRow(row: Row): Result<MobileOwnershipRow, FieldProblem> {
  return fields<MobileOwnershipRow>(row, {
    nationalCode: nationalCodeField,
    mobile: mobileField,
    requiresBranchVisit: booleanField,
  });
}

const optional =
  <T>(rule: (raw: string) => FieldResult<T>) =>
  (raw: string): FieldResult<T | null> =>
    raw.trim() === '' ? ok(null) : rule(raw);

export function parseInsuranceRecord(row: Row): Result<InsuranceRecord, FieldProblem> {
  const parsed = fields<InsuranceRecord>(row, {
    nationalCode: optional(nationalCodeField),
    foreignNationalId: optional(foreignNationalIdField),
    insuranceNumber: insuranceNumberField,
    branchCode: (raw) => digitsField(raw, 1, 10),
    insuranceGroup: (raw) =>
      isInsuranceGroup(raw.trim()) ? ok(raw.trim() as InsuranceRecord['insuranceGroup']) : err(`"${raw.trim()}" must be one of ${INSURANCE_GROUPS.join(', ')}`),
  });
  if (!parsed.ok) return parsed;
  const { nationalCode, foreignNationalId } = parsed.value;
  if ((nationalCode === null) === (foreignNationalId === null)) {
    return err({ column: 'nationalCode', message: 'exactly one of nationalCode and foreignNationalId must be given' });
  }
  return parsed;
}

export function parseBranch(row: Row): Result<Branch, FieldProblem> {
  const text = (raw: string): FieldResult<string> => {
    const value = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
    return value === '' ? err('is empty') : ok(value);
  };
  const parsed = fields<Omit<Branch, 'nameEn'>>(row, {
    code: (raw) => digitsField(raw, 1, 10),
    name: text,
    province: text,
    city: text,
  });
  if (!parsed.ok) return parsed;
  // The optional English name (column `nameEn`): empty or absent is none.
  const nameEn = (row.nameEn ?? '').normalize('NFC').trim().replace(/\s+/gu, ' ');
  return ok({ ...parsed.value, nameEn: nameEn === '' ? null : nameEn });
}
