// The initial password of an insured registration: the rule sign-in applies to it.
// Pure: sign-in calls it with the account row and its clock.

export type InitialPasswordState = {
  must_change_password: boolean;
  initial_password_expires_at: Date | null;
};

/**
 * True when the account still has its initial password and that password has expired:
 * sign-in must refuse it (code `signin.initial_password_expired`-like; the person then
 * recovers by SMS or at a branch). A changed password is never "expired" by this rule.
 */
export function initialPasswordExpired(account: InitialPasswordState, now: Date): boolean {
  return account.must_change_password && account.initial_password_expires_at !== null && account.initial_password_expires_at <= now;
}
