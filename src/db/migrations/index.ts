// The ordered list of migrations. Ranges: 0001–0099 foundation and registration,
// 0100 verification and notifications, 0200 sign-in/recovery/account, 0300 insured,
// 0400 single sign-on, 0500 back office.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_accounts.js';
import * as m0002 from './0002_audit_events.js';
import * as m0003 from './0003_registration_flows.js';
import * as m0004 from './0004_sms_messages.js';
import * as m0005 from './0005_verification_requests.js';
import * as m0006 from './0006_registration_rejections.js';
import * as m0007 from './0007_audit_chains.js';
import * as m0008 from './0008_sms_secret_redaction.js';
import * as m0100 from './0100_verification_requests_overdue_idx.js';
import * as m0101 from './0101_verification_requests_outcome_known.js';
import * as m0110 from './0110_verification_rejections.js';
import * as m0400 from './0400_sso_artifacts.js';
import * as m0401 from './0401_sso_clients.js';
import * as m0402 from './0402_sso_signing_keys.js';
import * as m0410 from './0410_sso_artifacts_keyed.js';
import * as m0200 from './0200_sessions.js';
import * as m0201 from './0201_signin_lockout.js';
import * as m0202 from './0202_account_codes.js';
import * as m0203 from './0203_sms_recoveries.js';
import * as m0300 from './0300_branches.js';
import * as m0301 from './0301_captcha_uses.js';
import * as m0302 from './0302_initial_password_expiry.js';
import * as m0500 from './0500_staff.js';
import * as m0501 from './0501_staff_sessions.js';
import * as m0502 from './0502_foreign_national_preregistrations.js';
import * as m0503 from './0503_audit_append_only.js';
import * as m0700 from './0700_doctors.js';
import * as m0750 from './0750_branches_name_en.js';
import * as m0900 from './0900_account_lifecycle.js';
import * as m0910 from './0910_account_change_notices.js';
import * as m0911 from './0911_sso_clients_notices.js';
import * as m0800 from './0800_passkeys.js';
import * as m0801 from './0801_sessions_passkey_method.js';
import * as m0802 from './0802_staff_passkeys.js';
import * as m0600 from './0600_audit_keyed_hash.js';

export const migrations: Record<string, Migration> = {
  '0001_accounts': m0001,
  '0002_audit_events': m0002,
  '0003_registration_flows': m0003,
  '0004_sms_messages': m0004,
  '0005_verification_requests': m0005,
  '0006_registration_rejections': m0006,
  '0007_audit_chains': m0007,
  '0008_sms_secret_redaction': m0008,
  '0100_verification_requests_overdue_idx': m0100,
  '0101_verification_requests_outcome_known': m0101,
  '0110_verification_rejections': m0110,
  '0400_sso_artifacts': m0400,
  '0401_sso_clients': m0401,
  '0402_sso_signing_keys': m0402,
  '0410_sso_artifacts_keyed': m0410,
  '0200_sessions': m0200,
  '0201_signin_lockout': m0201,
  '0202_account_codes': m0202,
  '0203_sms_recoveries': m0203,
  '0300_branches': m0300,
  '0301_captcha_uses': m0301,
  '0302_initial_password_expiry': m0302,
  '0500_staff': m0500,
  '0501_staff_sessions': m0501,
  '0502_foreign_national_preregistrations': m0502,
  '0503_audit_append_only': m0503,
  '0700_doctors': m0700,
  '0750_branches_name_en': m0750,
  '0900_account_lifecycle': m0900,
  '0910_account_change_notices': m0910,
  '0911_sso_clients_notices': m0911,
  '0800_passkeys': m0800,
  '0801_sessions_passkey_method': m0801,
  '0802_staff_passkeys': m0802,
  '0600_audit_keyed_hash': m0600,
};
