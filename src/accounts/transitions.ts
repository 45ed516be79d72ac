// The account's lifecycle as one table: every change of an account, who may make it, the
// state it needs, the state it leaves, and what it also does. The accounts service runs
// each row's duties in the caller's transaction (src/accounts/accounts.service.ts); the
// state diagram in docs/account-lifecycle.md is generated from this table
// (`npm run cli -- accounts lifecycle`), and accounts.test.ts walks it row by row.
import type { AccountStatus } from '../db/schema.js';

/** Who asks: the person themselves, the system (jobs, registries), or a staff role. */
export type ActorKind = 'person' | 'system' | 'staff:admin' | 'staff:branch_operator';

/** `none`: no account yet (before) or none any more (after: the registration is deleted). */
export type LifecycleState = AccountStatus | 'none';

/**
 * What a transition retires:
 * - `all`: every earlier credential — temporary passwords, one-time codes, every portal
 *   session, every single sign-on grant and refresh token;
 * - `all_but_rotated`: the same, but the session that made the change continues under a
 *   new id (a person changing their own password stays signed in here only);
 * - `none`.
 */
export type Retirement = 'all' | 'all_but_rotated' | 'none';

/** Which numbers the transition's SMS goes to. */
export type SmsDuty = { template: string; to: 'mobile' | 'old_and_new_mobile' | 'new_mobile' } | null;

export type Transition = {
  /** What it is, in one line. */
  summary: string;
  by: readonly ActorKind[];
  from: readonly LifecycleState[] | 'any_account';
  /** The state after; `same` leaves the status as it was. */
  to: LifecycleState | 'same';
  event: string;
  sms: SmsDuty;
  retires: Retirement;
  /** Also removes every passkey of the account (disabling; a password reset keeps them). */
  removesPasskeys?: boolean;
  /** Other conditions, for the reader (enforced by the service). */
  requires?: string;
};

const STAFF = ['staff:admin', 'staff:branch_operator'] as const;

export const TRANSITIONS = {
  submit: {
    summary: 'Central registration submitted (step 2 done); proofing is scheduled',
    by: ['person'],
    from: ['none'],
    to: 'pending_verification',
    event: 'registration.submitted',
    sms: null,
    retires: 'none',
    requires: 'mobile proven by a code and owned by the national code',
  },
  registerInsured: {
    summary: 'Insured (SAMT) registration: active at once with an initial password to change',
    by: ['person'],
    from: ['none'],
    to: 'active',
    event: 'insured.registered',
    sms: null,
    retires: 'none',
    requires: 'insurance records match; the initial password is the identifier or sent by SMS',
  },
  activate: {
    summary: 'Proofing matched the civil registry and the mobile owner',
    by: ['system'],
    from: ['pending_verification'],
    to: 'active',
    event: 'verification.activated',
    sms: { template: 'sms.verification_active', to: 'mobile' },
    retires: 'none',
  },
  sendToBranch: {
    summary: 'Proofing matched but a branch must see the person (mobile ownership flag, rules)',
    by: ['system'],
    from: ['pending_verification'],
    to: 'awaiting_branch_visit',
    event: 'verification.awaiting_branch_visit',
    sms: { template: 'sms.verification_branch_visit', to: 'mobile' },
    retires: 'none',
  },
  activateAtBranch: {
    summary: 'Staff saw the documents and activate the account',
    by: STAFF,
    from: ['awaiting_branch_visit'],
    to: 'active',
    event: 'backoffice.account_activated',
    sms: { template: 'sms.backoffice_activated', to: 'mobile' },
    retires: 'none',
    requires: 'documents seen; the person of the operator\'s branch or a recorded walk-in',
  },
  reject: {
    summary: 'Proofing did not match (or the person died): the registration is deleted',
    by: ['system'],
    from: ['pending_verification'],
    to: 'none',
    event: 'verification.rejected',
    sms: { template: 'sms.verification_mismatch', to: 'mobile' },
    retires: 'all',
  },
  rejectAtBranch: {
    summary: 'Staff refuse a registration not yet active: it is deleted',
    by: STAFF,
    from: ['pending_verification', 'awaiting_branch_visit'],
    to: 'none',
    event: 'backoffice.registration_rejected',
    sms: { template: 'sms.backoffice_rejected', to: 'mobile' },
    retires: 'all',
  },
  setPasswordByPerson: {
    summary: 'The person sets a new password (also the forced change after an initial or temporary one)',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'account.password_changed',
    sms: { template: 'sms.password_changed', to: 'mobile' },
    retires: 'all_but_rotated',
    requires: 'the current password (counted as a sign-in attempt), unless signed in with a temporary password',
  },
  setPasswordByRecovery: {
    summary: 'A new password through the security question',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'recovery.question_completed',
    sms: { template: 'sms.password_changed', to: 'mobile' },
    retires: 'all',
    requires: 'the right answer (tries counted per account)',
  },
  setPasswordByStaff: {
    summary: 'Staff reset the password: a temporary one by SMS, to be changed at sign-in',
    by: STAFF,
    from: ['active'],
    to: 'same',
    event: 'backoffice.password_reset',
    sms: { template: 'sms.backoffice_password_reset', to: 'mobile' },
    retires: 'all',
    requires: 'a mobile on file; the person of the operator\'s branch or a recorded walk-in',
  },
  issueTemporaryPassword: {
    summary: 'SMS recovery: a tracking code and a temporary password to the registered mobile',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'recovery.sms_sent',
    sms: { template: 'sms.recovery_password', to: 'mobile' },
    retires: 'none',
    requires: 'national code and registered mobile match; the newest temporary password is the only one that works',
  },
  setMobileByPerson: {
    summary: 'The person changes their mobile number',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'account.mobile_changed',
    sms: { template: 'sms.mobile_changed', to: 'old_and_new_mobile' },
    retires: 'all_but_rotated',
    requires: 'the current password; the ownership registry ties the number to the national code; a code sent to the new number',
  },
  setMobileByStaff: {
    summary: 'Staff change the mobile number with the person present',
    by: STAFF,
    from: 'any_account',
    to: 'same',
    event: 'backoffice.mobile_changed',
    sms: { template: 'sms.backoffice_mobile_changed_old', to: 'old_and_new_mobile' },
    retires: 'all',
    requires: 'the ownership registry ties the number to the national code; the code sent to the new number typed by the operator',
  },
  unlock: {
    summary: 'Staff clear the failed sign-ins (no more captcha) and any old lock',
    by: STAFF,
    from: 'any_account',
    to: 'same',
    event: 'backoffice.account_unlocked',
    sms: null,
    retires: 'none',
  },
  disable: {
    summary: 'Staff disable the account: nothing works until enabled',
    by: STAFF,
    from: 'any_account',
    to: 'same',
    event: 'backoffice.account_disabled',
    sms: { template: 'sms.backoffice_disabled', to: 'mobile' },
    retires: 'all',
    removesPasskeys: true,
  },
  enable: {
    summary: 'Staff enable a disabled account',
    by: STAFF,
    from: 'any_account',
    to: 'same',
    event: 'backoffice.account_enabled',
    sms: { template: 'sms.backoffice_enabled', to: 'mobile' },
    retires: 'none',
  },
  grantPermissions: {
    summary: 'Permissions granted: an insured person\'s general ones after their first own password, a verified doctor\'s',
    by: ['system'],
    from: ['active'],
    to: 'same',
    event: 'account.permissions_granted',
    sms: null,
    retires: 'none',
  },
  revokePermissions: {
    summary: 'Permissions withdrawn (e.g. a doctor\'s licence ended)',
    by: ['system'],
    from: 'any_account',
    to: 'same',
    event: 'account.permissions_revoked',
    sms: null,
    retires: 'none',
  },
  attachIdentity: {
    summary: 'The civil registry\'s name, birth date and gender attached to an insured account',
    by: ['system'],
    from: ['active'],
    to: 'same',
    event: 'account.identity_attached',
    sms: null,
    retires: 'none',
  },
  changeEmail: {
    summary: 'The person sets or clears their email',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'account.email_changed',
    sms: null,
    retires: 'none',
  },
  changeSecurityQuestion: {
    summary: 'The person chooses a security question and answer',
    by: ['person'],
    from: ['active'],
    to: 'same',
    event: 'account.security_question_changed',
    sms: null,
    retires: 'none',
    requires: 'the current password (counted as a sign-in attempt)',
  },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Whether `actor` may run `name` on an account in `state`. */
export function allowed(name: TransitionName, actor: ActorKind, state: LifecycleState): boolean {
  const t: Transition = TRANSITIONS[name];
  if (!t.by.includes(actor)) return false;
  if (t.from === 'any_account') return state !== 'none';
  return t.from.includes(state);
}

/** The state diagram and duty table (Markdown), generated from TRANSITIONS. */
export function lifecycleMarkdown(): string {
  const lines = [
    '# Account lifecycle',
    '',
    'Generated from `src/accounts/transitions.ts` by `npm run cli -- accounts lifecycle`; a test checks this file is current.',
    'Every transition runs in one transaction with its duties: the audit event, the SMS, and the credentials it retires',
    '(`all`: temporary passwords, one-time codes, every portal session and every single sign-on grant; `all_but_rotated`: the',
    'same, but the session making the change continues under a new id; `+ passkeys`: every passkey is removed too).',
    '',
    '```mermaid',
    'stateDiagram-v2',
  ];
  for (const [name, t] of Object.entries(TRANSITIONS) as [TransitionName, Transition][]) {
    const froms = t.from === 'any_account' ? [] : t.from;
    for (const from of froms) {
      const to = t.to === 'same' ? from : t.to;
      if (from === to) continue;
      lines.push(`  ${from === 'none' ? '[*]' : from} --> ${to === 'none' ? '[*]' : to}: ${name}`);
    }
  }
  lines.push('```', '', '| transition | who | from | to | audit event | SMS | retires | also requires |', '|---|---|---|---|---|---|---|---|');
  for (const [name, t] of Object.entries(TRANSITIONS) as [TransitionName, Transition][]) {
    const from = t.from === 'any_account' ? 'any account' : t.from.join(', ');
    const sms = t.sms ? `${t.sms.template} (${t.sms.to.replace(/_/g, ' ')})` : '—';
    const retires = `${t.retires}${t.removesPasskeys ? ' + passkeys' : ''}`;
    lines.push(`| \`${name}\` | ${t.by.join(', ')} | ${from} | ${t.to} | \`${t.event}\` | ${sms} | ${retires} | ${t.requires ?? '—'} |`);
  }
  lines.push('', 'Flags beside the state: `must_change_password`, `disabled_at`, failed sign-ins (a captcha past a threshold; never a lockout).', '');
  return lines.join('\n');
}
