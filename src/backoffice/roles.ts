// Staff roles and what each may do: one table, checked by the service before every
// read or change (the pages only hide what the service would refuse anyway).
export const STAFF_ROLES = ['admin', 'branch_operator', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const isStaffRole = (v: unknown): v is StaffRole => typeof v === 'string' && (STAFF_ROLES as readonly string[]).includes(v);

/**
 * - `view`: find people, read their file, the overdue and undelivered lists.
 * - `act`: change a person's account (activate, reject, mobile, password, unlock,
 *   disable/enable), record a foreign identifier, resend an undelivered SMS.
 * - `verifyAudit`: walk the audit chain (oversight, not branch work).
 */
export const CAPABILITIES = {
  view: ['admin', 'branch_operator', 'auditor'],
  act: ['admin', 'branch_operator'],
  verifyAudit: ['admin', 'auditor'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type Capability = keyof typeof CAPABILITIES;

export type StaffPrincipal = {
  id: string;
  username: string;
  role: StaffRole;
  branchCode: string | null;
};

export function can(staff: Pick<StaffPrincipal, 'role'>, capability: Capability): boolean {
  return (CAPABILITIES[capability] as readonly StaffRole[]).includes(staff.role);
}
