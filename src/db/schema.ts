// Typed view of the tables for Kysely. Keep in step with migrations/.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type AccountStatus = 'pending_verification' | 'awaiting_branch_visit' | 'active';

export interface AccountsTable {
  id: Generated<string>;
  national_code: string | null;
  foreign_national_id: string | null;
  status: AccountStatus;
  origin: 'central' | 'insured' | 'branch';
  first_name: string | null;
  last_name: string | null;
  gender: 'male' | 'female' | null;
  /** Gregorian `YYYY-MM-DD` (date column read as text). */
  birth_date: ColumnType<string | null, string | null, string | null>;
  birth_certificate_number: string | null;
  birth_certificate_serial: string | null;
  birth_certificate_series: string | null;
  country: string | null;
  city: string | null;
  mobile: string | null;
  mobile_operator: string | null;
  mobile_verified_at: Timestamp | null;
  email: string | null;
  password_hash: string | null;
  security_question: string | null;
  security_answer_hash: string | null;
  must_change_password: Generated<boolean>;
  disabled_at: Timestamp | null;
  locked_until: Timestamp | null;
  failed_signins: Generated<number>;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  activated_at: Timestamp | null;
  /** Insured registration: the initial password stops working after this (null otherwise). */
  initial_password_expires_at: Timestamp | null;
  /** Insured branch, or the branch that recorded the person (branch scope of staff). */
  branch_code: string | null;
  /** How the identity was verified: online against the registries, or in person. */
  identity_source: 'civil_registry' | 'branch' | null;
  preferred_lang: Generated<'fa' | 'en'>;
  /** Start of the window of `failed_signins`. */
  failed_signins_since: Timestamp | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  occurred_at: Timestamp;
  actor_type: 'person' | 'staff' | 'system';
  actor_id: string | null;
  account_id: string | null;
  event: string;
  data: ColumnType<Record<string, unknown>, string, never>;
  ip: string | null;
  chain: Generated<number>;
  prev_hash: string;
  hash: string;
  /** 1: plain SHA-256 (rows before migration 0600); 2: HMAC under a key derived from SECRET_KEY. */
  hash_version: Generated<number>;
}

export interface RegistrationFlowsTable {
  id: string;
  state: 'mobile_code' | 'details' | 'completed';
  national_code: string;
  mobile: string;
  mobile_operator: string;
  requires_branch_visit: Generated<boolean>;
  code_hash: string | null;
  code_expires_at: Timestamp | null;
  code_attempts: Generated<number>;
  code_sends: Generated<number>;
  code_sent_at: Timestamp | null;
  account_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SmsMessagesTable {
  id: Generated<string>;
  seq: Generated<number>;
  idempotency_key: string;
  to_mobile: string;
  template: string;
  body: string;
  status: Generated<'queued' | 'sent' | 'failed' | 'dead'>;
  provider: string | null;
  provider_message_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  account_id: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  /** The text with its secret masked (secret templates only); `body` becomes it on redaction. */
  redacted_body: string | null;
  redacted_at: Timestamp | null;
}

/** Outcomes that leave an account behind (a mismatch deletes account and request). */
export type VerificationOutcome = 'active' | 'awaiting_branch_visit';

export interface VerificationRequestsTable {
  id: Generated<string>;
  account_id: string;
  status: Generated<'pending' | 'completed'>;
  due_at: Timestamp;
  attempts: Generated<number>;
  last_error: string | null;
  outcome: VerificationOutcome | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

/** Why verification rejected a registration (migration 0110); field names only. */
export interface VerificationRejectionsTable {
  request_id: string;
  national_code_hash: string;
  national_code_masked: string;
  reason: 'not_in_civil_registry' | 'deceased' | 'details_mismatch' | 'mobile_not_owned';
  fields: ColumnType<string[], string[] | undefined, string[]>;
  submitted_at: Timestamp;
  rejected_at: Timestamp;
}

export interface RegistrationRejectionsTable {
  lookup_hash: string;
  rejected_at: Timestamp;
}

export interface BranchesTable {
  code: string;
  name: string;
  search_name: string;
  province: string;
  city: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Optional English name (migration 0750). */
  name_en: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CaptchaUsesTable {
  challenge_hash: string;
  expires_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: string;
  account_id: string;
  kind: 'web' | 'api';
  auth_method: 'password' | 'temporary_password' | 'sms_code' | 'passkey';
  requires_password_change: Generated<boolean>;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: 'signed_out' | 'ended_by_person' | 'password_changed' | 'replaced' | 'ended_by_staff' | null;
}

export interface AccountCodesTable {
  id: string;
  purpose: 'signin' | 'mobile_change' | 'staff_mobile_change';
  account_id: string | null;
  mobile: string | null;
  code_hash: string | null;
  attempts: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
}

export interface SmsRecoveriesTable {
  id: Generated<string>;
  seq: Generated<number>;
  account_id: string;
  tracking_code: string;
  password_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface StaffUsersTable {
  id: Generated<string>;
  username: string;
  role: 'admin' | 'branch_operator' | 'auditor';
  branch_code: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  totp_secret_encrypted: string;
  totp_last_step: number | null;
  disabled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StaffSessionsTable {
  token_hash: string;
  staff_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
}

export interface ForeignNationalPreregistrationsTable {
  foreign_national_id: string;
  branch_code: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
  documents: ColumnType<string[], string[] | undefined, string[]>;
  revoked_at: Timestamp | null;
}

export type DoctorStatus = 'pending_verification' | 'verified' | 'rejected';
export type DoctorRejectionReason = 'not_in_registry' | 'national_code_mismatch' | 'name_mismatch' | 'licence_expired';

export interface DoctorsTable {
  account_id: string;
  medical_council_number: string;
  status: DoctorStatus;
  rejection_reason: DoctorRejectionReason | null;
  specialty: string | null;
  /** Jalali `YYYY-MM-DD`. */
  licence_valid_until: string | null;
  lang: 'fa' | 'en';
  submitted_at: Timestamp;
  decided_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  updated_at: Timestamp;
}

export interface DoctorStatusChangesTable {
  id: Generated<string>;
  account_id: string;
  medical_council_number: string;
  status: DoctorStatus;
  reason: string | null;
  actor_type: 'person' | 'system' | 'staff';
  occurred_at: Timestamp;
}

export interface SsoArtifactsTable {
  model: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface SsoClientsTable {
  client_id: string;
  metadata: ColumnType<Record<string, unknown>, string, string>;
  secret_encrypted: string | null;
  first_party: Generated<boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SsoSigningKeysTable {
  kid: string;
  alg: string;
  private_jwk_encrypted: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface DB {
  accounts: AccountsTable;
  audit_events: AuditEventsTable;
  registration_flows: RegistrationFlowsTable;
  sms_messages: SmsMessagesTable;
  verification_requests: VerificationRequestsTable;
  registration_rejections: RegistrationRejectionsTable;
  verification_rejections: VerificationRejectionsTable;
  sso_artifacts: SsoArtifactsTable;
  sso_clients: SsoClientsTable;
  sso_signing_keys: SsoSigningKeysTable;
  sessions: SessionsTable;
  account_codes: AccountCodesTable;
  sms_recoveries: SmsRecoveriesTable;
  branches: BranchesTable;
  captcha_uses: CaptchaUsesTable;
  staff_users: StaffUsersTable;
  staff_sessions: StaffSessionsTable;
  foreign_national_preregistrations: ForeignNationalPreregistrationsTable;
  doctors: DoctorsTable;
  doctor_status_changes: DoctorStatusChangesTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  staff_passkeys: StaffPasskeysTable;
}

export interface PasskeysTable {
  id: Generated<string>;
  account_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: ColumnType<string | number | bigint, number, number>;
  transports: string[];
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface PasskeyChallengesTable {
  id: string;
  purpose: 'registration' | 'authentication' | 'staff_registration' | 'staff_authentication';
  account_id: string | null;
  staff_id: ColumnType<string | null, string | null | undefined, string | null>;
  challenge: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
}

export interface StaffPasskeysTable {
  id: Generated<string>;
  staff_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: ColumnType<string | number | bigint, number, number>;
  transports: string[];
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  name: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}
