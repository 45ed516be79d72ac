// Why verification rejected a registration, for staff: which rule refused and which fields
// differed (names only, never the registry's or the person's values). The account and its
// request are deleted on a rejection, so this is its own table, found again by a keyed hash
// of the national code (as registration_rejections keeps its trace) and shown with the
// masked code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE verification_rejections (
      request_id uuid PRIMARY KEY,
      national_code_hash text NOT NULL,
      national_code_masked text NOT NULL,
      reason text NOT NULL CONSTRAINT verification_rejections_reason_known
        CHECK (reason IN ('not_in_civil_registry', 'deceased', 'details_mismatch', 'mobile_not_owned')),
      fields text[] NOT NULL DEFAULT '{}' CONSTRAINT verification_rejections_fields_known
        CHECK (fields <@ ARRAY['firstName', 'lastName', 'birthDate', 'gender', 'birthCertificateNumber', 'birthCertificateSerial', 'birthCertificateSeries']::text[]),
      submitted_at timestamptz NOT NULL,
      rejected_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX verification_rejections_code_idx ON verification_rejections (national_code_hash, rejected_at DESC)`.execute(db);
  await sql`CREATE INDEX verification_rejections_recent_idx ON verification_rejections (rejected_at DESC)`.execute(db);
  await sql`COMMENT ON TABLE verification_rejections IS 'Owned by verification: why a registration was rejected, kept after the account and its request are deleted'`.execute(db);
  await sql`COMMENT ON COLUMN verification_rejections.request_id IS 'The deleted verification request (no foreign key: it is gone)'`.execute(db);
  await sql`COMMENT ON COLUMN verification_rejections.national_code_hash IS 'HMAC of the national code under the server secret; not reversible without it'`.execute(db);
  await sql`COMMENT ON COLUMN verification_rejections.fields IS 'Names of the fields that differed from the civil registry; never their values'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE verification_rejections`.execute(db);
}
