// One-time SMS codes of signed-in or signing-in people: sign-in by code, and proof of a
// new mobile number. Persisted, expiring flows; the random id is known only to the browser.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE account_codes (
      id text PRIMARY KEY,
      purpose text NOT NULL CONSTRAINT account_codes_purpose_known CHECK (purpose IN ('signin', 'mobile_change')),
      account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
      mobile text CONSTRAINT account_codes_mobile_format CHECK (mobile ~ '^09[0-9]{9}$'),
      code_hash text,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX account_codes_expires_idx ON account_codes (expires_at)`.execute(db);
  await sql`CREATE INDEX account_codes_account_idx ON account_codes (account_id)`.execute(db);
  await sql`COMMENT ON COLUMN account_codes.account_id IS 'NULL for a sign-in code asked for an unknown username: the flow looks the same but can never succeed'`.execute(db);
  await sql`COMMENT ON COLUMN account_codes.mobile IS 'Where the code went (the new number for mobile_change)'`.execute(db);
  await sql`COMMENT ON COLUMN account_codes.code_hash IS 'HMAC-SHA256 of flow id and code under the server secret; NULL when no code was sent'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE account_codes`.execute(db);
}
