// Password recovery by SMS (seed 001): each request gets a tracking code and a temporary
// password. Only the newest request of an account counts; it expires and works once.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sms_recoveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY,
      account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      tracking_code text NOT NULL CONSTRAINT sms_recoveries_tracking_code_format CHECK (tracking_code ~ '^[0-9]{8}$'),
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX sms_recoveries_account_latest_idx ON sms_recoveries (account_id, seq DESC)`.execute(db);
  await sql`COMMENT ON COLUMN sms_recoveries.seq IS 'Order of requests: the highest of an account is the only one that counts'`.execute(db);
  await sql`COMMENT ON COLUMN sms_recoveries.password_hash IS 'argon2id of the temporary password; the account password itself is not changed until the person sets a new one'`.execute(db);
  await sql`COMMENT ON COLUMN sms_recoveries.tracking_code IS 'Shown in the SMS so the person can tell requests apart; only the newest one works'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sms_recoveries`.execute(db);
}
