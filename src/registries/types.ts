// Contracts of the government registries the portal consults (civil registry, mobile
// ownership, insurance records) and of the local branch list. Every adapter —
// simulated or http — answers with these values and never throws: "unavailable" is a
// distinct answer, never to be read as a "no". Only the attributes a caller needs cross
// this boundary.

/** Why a registry could not answer. A caller treats all of them alike (try again later). */
export type UnavailableReason =
  | 'timeout' // no answer within the per-call time limit
  | 'network_error' // connection refused/reset, DNS failure, TLS failure
  | 'server_error' // 5xx
  | 'rate_limited' // 429
  | 'rejected' // a 4xx other than "not found": our request or credentials are wrong
  | 'bad_response' // an answer we could not understand
  | 'circuit_open' // too many recent failures: we stopped asking for a while
  | 'adapter_error' // a defect in the adapter itself
  | 'simulated_outage'; // the simulator's fault switch is on

export type Unavailable = { kind: 'unavailable'; reason: UnavailableReason };

export const unavailable = (reason: UnavailableReason): Unavailable => ({ kind: 'unavailable', reason });

// ---------------------------------------------------------------- civil registry

export type Gender = 'male' | 'female';

export type CivilRecord = {
  /** 10 ASCII digits. */
  nationalCode: string;
  /** As the registry spells it (may contain Arabic ي/ك, ZWNJ, inner spaces). */
  firstName: string;
  lastName: string;
  /** Jalali `YYYY-MM-DD`, ASCII digits. */
  birthDate: string;
  gender: Gender;
  /** 1–10 ASCII digits; for people registered from 1368 on usually the national code. */
  birthCertificateNumber: string;
  /** 6 ASCII digits. */
  birthCertificateSerial: string;
  /** Canonical `<letter>/<number>`, e.g. `الف/12`. */
  birthCertificateSeries: string;
  alive: boolean;
};

export type CivilLookupResult = { kind: 'found'; record: CivilRecord } | { kind: 'not_found' } | Unavailable;

export interface CivilRegistry {
  /** `nationalCode`: 10 ASCII digits (a caller validates first; anything else is `not_found`). */
  lookup(nationalCode: string): Promise<CivilLookupResult>;
}

// ---------------------------------------------------------------- mobile ownership

export type MobileOwnershipResult = { kind: 'match'; requiresBranchVisit: boolean } | { kind: 'mismatch' } | Unavailable;

export interface MobileOwnership {
  /** `mobile`: `09xxxxxxxxx`. Answers whether the number belongs to the person. */
  check(nationalCode: string, mobile: string): Promise<MobileOwnershipResult>;
}

// ---------------------------------------------------------------- insurance records

export const INSURANCE_GROUPS = [
  'compulsory',
  'voluntary',
  'self_employed',
  'drivers',
  'carpet_weavers',
  'construction_workers',
  'domestic_workers',
] as const;
export type InsuranceGroup = (typeof INSURANCE_GROUPS)[number];

export const isInsuranceGroup = (value: string): value is InsuranceGroup =>
  (INSURANCE_GROUPS as readonly string[]).includes(value);

export type InsuranceRecord = {
  /** Exactly one of `nationalCode` / `foreignNationalId` is set. */
  nationalCode: string | null;
  /** 12 ASCII digits (foreign nationals' identifier). */
  foreignNationalId: string | null;
  /** 10 ASCII digits (older, shorter numbers are zero-padded). */
  insuranceNumber: string;
  /** Opaque short numeric code of the branch that holds the record. */
  branchCode: string;
  insuranceGroup: InsuranceGroup;
};

export type PersonId = { nationalCode: string } | { foreignNationalId: string };

export type InsuranceLookupResult = { kind: 'found'; records: InsuranceRecord[] } | { kind: 'not_found' } | Unavailable;

export interface InsuranceRecords {
  findByPerson(id: PersonId): Promise<InsuranceLookupResult>;
}

// ---------------------------------------------------------------- medical council (doctors)

export type MedicalCouncilRecord = {
  /** 1–8 ASCII digits, no leading zero. */
  medicalCouncilNumber: string;
  /** 10 ASCII digits: whose licence it is. */
  nationalCode: string;
  /** As the council spells it (may differ in letters from the civil registry: compare folded). */
  firstName: string;
  lastName: string;
  /** As the council writes it, e.g. «جراحی عمومی». */
  specialty: string;
  /** Jalali `YYYY-MM-DD`, ASCII digits: the last day the licence is valid. */
  licenceValidUntil: string;
};

export type MedicalCouncilLookupResult = { kind: 'found'; record: MedicalCouncilRecord } | { kind: 'not_found' } | Unavailable;

export interface MedicalCouncil {
  /** `medicalCouncilNumber`: as parseMedicalCouncilNumber gives it (anything else is `not_found`). */
  lookup(medicalCouncilNumber: string): Promise<MedicalCouncilLookupResult>;
}

// ---------------------------------------------------------------- bundle

export type Registries = {
  civilRegistry: CivilRegistry;
  mobileOwnership: MobileOwnership;
  insuranceRecords: InsuranceRecords;
};

export type RegistryName = keyof Registries;
export const REGISTRY_NAMES: readonly RegistryName[] = ['civilRegistry', 'mobileOwnership', 'insuranceRecords'];

// ---------------------------------------------------------------- branches (local data)

export type Branch = {
  /** Short numeric code, kept as a string (leading zeros matter). */
  code: string;
  /** e.g. «شعبه ۱۲ تهران - شهید بهشتی» */
  name: string;
  province: string;
  city: string;
  /** Optional English name (BRANCHES_CSV column `nameEn`), e.g. "Branch 12 Tehran - Shahid Beheshti". */
  nameEn?: string | null;
};
