// The decision on a doctor's request, pure: the medical council's record against what the
// account holds. Names are compared by the same written policy as identity proofing
// (identity/namesMatching.ts, used by verification/matching.ts): letters folded, اله/الله,
// listed spellings, «ة», honorifics on first names; nothing looser.
import type { DoctorRejectionReason } from '../db/schema.js';
import { formatJalaliIso, gregorianToJalali } from '../identity/jalali.js';
import { namesMatch } from '../identity/namesMatching.js';
import type { MedicalCouncilLookupResult } from '../registries/types.js';

/** What the account says about the person. */
export type DoctorClaim = { nationalCode: string; firstName: string | null; lastName: string | null };

export type DoctorDecision =
  | { outcome: 'verified'; specialty: string; licenceValidUntil: string }
  | { outcome: 'rejected'; reason: DoctorRejectionReason };

/** Today's Jalali date in Tehran as `YYYY-MM-DD` (licences end on a Tehran calendar day). */
export const jalaliToday = (now: Date): string => formatJalaliIso(gregorianToJalali(now));

/**
 * In this order: no such number; the number is another person's; the name differs; the
 * licence ended before today (the last valid day itself still counts).
 */
export function decideDoctor(input: {
  claimed: DoctorClaim;
  registry: Exclude<MedicalCouncilLookupResult, { kind: 'unavailable' }>;
  /** Jalali `YYYY-MM-DD`. */
  today: string;
}): DoctorDecision {
  if (input.registry.kind === 'not_found') return { outcome: 'rejected', reason: 'not_in_registry' };
  const record = input.registry.record;
  if (record.nationalCode !== input.claimed.nationalCode) return { outcome: 'rejected', reason: 'national_code_mismatch' };
  const { firstName, lastName } = input.claimed;
  if (firstName === null || lastName === null || !namesMatch(firstName, record.firstName, 'firstName') || !namesMatch(lastName, record.lastName, 'lastName')) {
    return { outcome: 'rejected', reason: 'name_mismatch' };
  }
  // ISO dates with ASCII digits compare as text.
  if (record.licenceValidUntil < input.today) return { outcome: 'rejected', reason: 'licence_expired' };
  return { outcome: 'verified', specialty: record.specialty, licenceValidUntil: record.licenceValidUntil };
}
