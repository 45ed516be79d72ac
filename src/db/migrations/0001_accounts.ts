// Accounts: one row per person who registered (central, insured or at a branch).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      national_code text UNIQUE CONSTRAINT accounts_national_code_format CHECK (national_code ~ '^[0-9]{10}$'),
      foreign_national_id text UNIQUE CONSTRAINT accounts_foreign_national_id_format CHECK (foreign_national_id ~ '^[0-9]{12}$'),
      status text NOT NULL CONSTRAINT accounts_status_known CHECK (status IN ('pending_verification', 'awaiting_branch_visit', 'active')),
      origin text NOT NULL CONSTRAINT accounts_origin_known CHECK (origin IN ('central', 'insured', 'branch')),
      first_name text,
      last_name text,
      gender text CONSTRAINT accounts_gender_known CHECK (gender IN ('male', 'female')),
      birth_date date,
      birth_certificate_number text,
      birth_certificate_serial text,
      birth_certificate_series text,
      country text,
      city text,
      mobile text CONSTRAINT accounts_mobile_format CHECK (mobile ~ '^09[0-9]{9}$'),
      mobile_operator text,
      mobile_verified_at timestamptz,
      email text,
      password_hash text,
      security_question text,
      security_answer_hash text,
      must_change_password boolean NOT NULL DEFAULT false,
      disabled_at timestamptz,
      locked_until timestamptz,
      permissions text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz,
      CONSTRAINT accounts_has_identifier CHECK (national_code IS NOT NULL OR foreign_national_id IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX accounts_mobile_idx ON accounts (mobile)`.execute(db);
  await sql`COMMENT ON TABLE accounts IS 'One account per person; the national code (or foreign national identifier) is the username'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.status IS 'pending_verification → active | awaiting_branch_visit; a mismatch deletes the row'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.birth_date IS 'Gregorian date; shown and entered as Jalali'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.birth_certificate_series IS 'Canonical letter/number, e.g. الف/12'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.password_hash IS 'argon2id PHC string'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.security_answer_hash IS 'argon2id of the normalised answer'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.permissions IS 'General permissions granted to the person (e.g. payment_slip_issue)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE accounts`.execute(db);
}
