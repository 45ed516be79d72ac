// The account lifecycle (src/accounts/): the branch a person belongs to (branch scope of
// staff), how the identity was verified (assurance level), the person's language (SMS in
// it), the window of the account-wide failure count (no lockout any more: a captcha),
// and one-time codes that staff send to a new number with the person present.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts ADD COLUMN IF NOT EXISTS branch_code text`.execute(db);
  await sql`ALTER TABLE accounts ADD COLUMN IF NOT EXISTS identity_source text CONSTRAINT accounts_identity_source_known CHECK (identity_source IN ('civil_registry', 'branch'))`.execute(db);
  await sql`ALTER TABLE accounts ADD COLUMN IF NOT EXISTS preferred_lang text NOT NULL DEFAULT 'fa'`.execute(db);
  await sql`ALTER TABLE accounts ADD COLUMN IF NOT EXISTS failed_signins_since timestamptz`.execute(db);
  // Accounts activated by staff who saw the documents were verified in person (the back
  // office's audit event was written with the activation); other active central ones online.
  await sql`UPDATE accounts SET identity_source = 'branch' WHERE identity_source IS NULL AND id IN (SELECT account_id FROM audit_events WHERE event = 'backoffice.account_activated' AND account_id IS NOT NULL)`.execute(db);
  await sql`UPDATE accounts SET identity_source = 'civil_registry' WHERE status = 'active' AND origin = 'central' AND identity_source IS NULL`.execute(db);
  await sql`COMMENT ON COLUMN accounts.branch_code IS 'Insured branch (insured registration) or the branch that recorded the person; staff of other branches act only as a recorded walk-in'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.identity_source IS 'civil_registry: matched online; branch: documents seen in person; NULL: not verified (insured records only)'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.preferred_lang IS 'Language of the pages the person used last (fa or en): SMS go out in it'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.failed_signins IS 'Failed password checks of the account from any address since failed_signins_since; past a threshold a captcha is asked (never a lockout)'`.execute(db);
  await sql`ALTER TABLE account_codes DROP CONSTRAINT account_codes_purpose_known`.execute(db);
  await sql`ALTER TABLE account_codes ADD CONSTRAINT account_codes_purpose_known CHECK (purpose IN ('signin', 'mobile_change', 'staff_mobile_change'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts DROP COLUMN branch_code, DROP COLUMN identity_source, DROP COLUMN preferred_lang, DROP COLUMN failed_signins_since`.execute(db);
}
