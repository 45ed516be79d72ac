// Assurance of a sign-in, as the OpenID Connect `acr` and `amr` claims tell services.
// acr: how the person's identity was verified when the account was activated:
//   - online against the registries (civil registry, mobile ownership, insurance records);
//   - in person at a branch (staff checked the documents), which also satisfies a request
//     for the online level.
// amr (RFC 8176): how the person proved it is them this time: `pwd` (password), `sms`
// (a one-time code sent to the registered mobile), `swk` + `user` (a passkey).
export const ACR = {
  registries: 'urn:dargah:acr:registries',
  branch: 'urn:dargah:acr:branch',
} as const;

export type Acr = (typeof ACR)[keyof typeof ACR];

const RANK: Record<Acr, number> = { [ACR.registries]: 1, [ACR.branch]: 2 };

export const ACR_VALUES: Acr[] = [ACR.registries, ACR.branch];

export const isAcr = (v: unknown): v is Acr => typeof v === 'string' && v in RANK;

/** The levels a service asked for (`acr_values`), ours only; unknown values are ignored. */
export function requestedAcrs(acrValues: unknown): Acr[] {
  if (typeof acrValues !== 'string') return [];
  return acrValues.split(' ').filter(isAcr);
}

/** Whether a level meets a request: none asked, or at least the lowest level asked. */
export function acrSatisfies(have: unknown, requested: Acr[]): boolean {
  if (requested.length === 0) return true;
  if (!isAcr(have)) return false;
  return requested.some((r) => RANK[have] >= RANK[r]);
}

/** The `amr` values of the portal's sign-in methods. */
export function amrOf(method: string): string[] {
  switch (method) {
    case 'password':
    case 'temporary_password':
      return ['pwd'];
    case 'sms_code':
      return ['sms'];
    // A passkey (user verification required). The session records only that a passkey was
    // used, not whether it was bound to one authenticator (`hwk`) or synced (`swk`): the
    // weaker `swk` is said, never more than is known.
    case 'passkey':
      return ['swk', 'user'];
    default:
      return [];
  }
}
