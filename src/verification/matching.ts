// Identity proofing rules, pure: compares what a person typed with the civil registry's
// record and the mobile-ownership answer, and decides the outcome. No I/O here; the
// service feeds it registry answers that are not "unavailable".
import type { BranchVisitRule } from '../config.js';
import { parseBirthCertificateSeries, formatBirthCertificateSeries } from '../identity/birthCertificate.js';
import { toLatinDigits } from '../identity/digits.js';
import { isValidJalaliDate, jalaliToGregorianIso } from '../identity/jalali.js';
import { namesMatch } from '../identity/namesMatching.js';
import type { CivilLookupResult, CivilRecord, MobileOwnershipResult } from '../registries/types.js';

/** What the person declared at registration, as stored on the account. */
export type ClaimedIdentity = {
  firstName: string;
  lastName: string;
  /** Gregorian `YYYY-MM-DD` (accounts.birth_date). */
  birthDate: string;
  gender: 'male' | 'female';
  birthCertificateNumber: string;
  birthCertificateSerial: string;
  /** Canonical `<letter>/<number>`. */
  birthCertificateSeries: string;
};

export const MATCH_FIELDS = [
  'firstName',
  'lastName',
  'birthDate',
  'gender',
  'birthCertificateNumber',
  'birthCertificateSerial',
  'birthCertificateSeries',
] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

export type RejectionReason =
  /** The civil registry has no person with this national code. */
  | 'not_in_civil_registry'
  /** The registry records the person as deceased: never activated, whatever else matches. */
  | 'deceased'
  /** Name, birth date, gender or certificate data differ from the record. */
  | 'details_mismatch'
  /** The mobile number no longer belongs to the person (it may have changed hands since step 1). */
  | 'mobile_not_owned';

export type BranchVisitCause = 'ownership_service' | BranchVisitRule;

export type Decision =
  | { outcome: 'active' }
  | { outcome: 'awaiting_branch_visit'; causes: BranchVisitCause[] }
  | { outcome: 'rejected'; reason: RejectionReason; fields: MatchField[] };

/** The registry's Jalali `YYYY-MM-DD` as Gregorian `YYYY-MM-DD`; null when it is not a valid date. */
export function registryBirthDateToGregorian(jalali: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(toLatinDigits(jalali.trim()));
  if (!m) return null;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isValidJalaliDate(d) ? jalaliToGregorianIso(d) : null;
}

// The certificate rules of the policy, each named and tested on its own.

/** The certificate number is a number: «0048818593» and «48818593» are the same certificate. */
export function sameCertificateNumber(a: string, b: string): boolean {
  const key = (s: string) => toLatinDigits(s).trim().replace(/^0+(?=\d)/, '');
  return key(a) === key(b);
}

/** The serial exactly (digits in any script, surrounding spaces aside): «014429» ≠ «14429». */
export function sameCertificateSerial(a: string, b: string): boolean {
  return toLatinDigits(a).trim() === toLatinDigits(b).trim();
}

/**
 * The series letter-first or number-first, with or without «/», spaces or a leading zero:
 * 12/الف = الف/12 = الف 12 = الف۱۲ = الف/۱۲. A series that cannot be read never matches.
 */
export function sameCertificateSeries(a: string, b: string): boolean {
  const key = (s: string) => {
    const parsed = parseBirthCertificateSeries(s);
    return parsed.ok ? formatBirthCertificateSeries(parsed.value) : null;
  };
  const ka = key(a);
  return ka !== null && ka === key(b);
}

/** The fields that differ between the declaration and the record (empty: a match). */
export function compareWithCivilRecord(claimed: ClaimedIdentity, record: CivilRecord): MatchField[] {
  const differs: MatchField[] = [];
  if (!namesMatch(claimed.firstName, record.firstName, 'firstName')) differs.push('firstName');
  if (!namesMatch(claimed.lastName, record.lastName, 'lastName')) differs.push('lastName');
  if (registryBirthDateToGregorian(record.birthDate) !== claimed.birthDate) differs.push('birthDate');
  if (claimed.gender !== record.gender) differs.push('gender');
  if (!sameCertificateNumber(claimed.birthCertificateNumber, record.birthCertificateNumber)) differs.push('birthCertificateNumber');
  if (!sameCertificateSerial(claimed.birthCertificateSerial, record.birthCertificateSerial)) differs.push('birthCertificateSerial');
  if (!sameCertificateSeries(claimed.birthCertificateSeries, record.birthCertificateSeries)) differs.push('birthCertificateSeries');
  return differs;
}

export type DecisionInput = {
  claimed: ClaimedIdentity;
  civil: Exclude<CivilLookupResult, { kind: 'unavailable' }>;
  ownership: Exclude<MobileOwnershipResult, { kind: 'unavailable' }>;
  /** The phone was proven by an SMS code at registration. */
  mobileProven: boolean;
  rules: readonly BranchVisitRule[];
};

/**
 * The outcome, in this order: no record; deceased (before comparing anything: a dead
 * person's record is never a basis for an account); differing details; a number that no
 * longer belongs to the person; then the reasons to finish at a branch.
 */
export function decide(input: DecisionInput): Decision {
  if (input.civil.kind === 'not_found') return { outcome: 'rejected', reason: 'not_in_civil_registry', fields: [] };
  const record = input.civil.record;
  if (!record.alive) return { outcome: 'rejected', reason: 'deceased', fields: [] };
  const fields = compareWithCivilRecord(input.claimed, record);
  if (fields.length > 0) return { outcome: 'rejected', reason: 'details_mismatch', fields };
  if (input.ownership.kind === 'mismatch') return { outcome: 'rejected', reason: 'mobile_not_owned', fields: [] };
  const causes: BranchVisitCause[] = [];
  if (input.ownership.requiresBranchVisit) causes.push('ownership_service');
  if (input.rules.includes('mobile_not_proven') && !input.mobileProven) causes.push('mobile_not_proven');
  if (input.rules.includes('always')) causes.push('always');
  return causes.length > 0 ? { outcome: 'awaiting_branch_visit', causes } : { outcome: 'active' };
}
