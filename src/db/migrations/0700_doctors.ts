// Doctors' registration: the medical council number a person added to their account, its
// verification against the medical council registry, and every change of its status.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE doctors (
      account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      medical_council_number text NOT NULL CONSTRAINT doctors_number_format CHECK (medical_council_number ~ '^[1-9][0-9]{0,7}$'),
      status text NOT NULL CONSTRAINT doctors_status_known CHECK (status IN ('pending_verification', 'verified', 'rejected')),
      rejection_reason text CONSTRAINT doctors_rejection_reason_known CHECK (rejection_reason IN ('not_in_registry', 'national_code_mismatch', 'name_mismatch', 'licence_expired')),
      specialty text,
      licence_valid_until text CONSTRAINT doctors_licence_date_format CHECK (licence_valid_until ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      lang text NOT NULL DEFAULT 'fa' CONSTRAINT doctors_lang_known CHECK (lang IN ('fa', 'en')),
      submitted_at timestamptz NOT NULL,
      decided_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      updated_at timestamptz NOT NULL,
      CONSTRAINT doctors_rejection_has_reason CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL))
    )`.execute(db);
  // A number belongs to one account at a time; a rejected claim frees it.
  await sql`CREATE UNIQUE INDEX doctors_number_claimed_idx ON doctors (medical_council_number) WHERE status <> 'rejected'`.execute(db);
  await sql`CREATE INDEX doctors_licence_due_idx ON doctors (licence_valid_until) WHERE status = 'verified'`.execute(db);
  await sql`COMMENT ON TABLE doctors IS 'One row per account that added a medical council number; the doctor permission itself lives on accounts.permissions'`.execute(db);
  await sql`COMMENT ON COLUMN doctors.licence_valid_until IS 'Jalali YYYY-MM-DD from the medical council registry (last valid day)'`.execute(db);
  await sql`COMMENT ON COLUMN doctors.lang IS 'Language of the page or API call of the request: the outcome SMS is sent in it'`.execute(db);
  await sql`COMMENT ON COLUMN doctors.attempts IS 'Verification runs that could not reach the medical council registry'`.execute(db);

  await sql`
    CREATE TABLE doctor_status_changes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      medical_council_number text NOT NULL,
      status text NOT NULL CONSTRAINT doctor_status_changes_status_known CHECK (status IN ('pending_verification', 'verified', 'rejected')),
      reason text,
      actor_type text NOT NULL CONSTRAINT doctor_status_changes_actor_known CHECK (actor_type IN ('person', 'system', 'staff')),
      occurred_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX doctor_status_changes_account_idx ON doctor_status_changes (account_id, id)`.execute(db);
  await sql`COMMENT ON TABLE doctor_status_changes IS 'History of a doctor record for the back office (append only)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE doctor_status_changes`.execute(db);
  await sql`DROP TABLE doctors`.execute(db);
}
