// Registration flows: persisted, expiring state machines (step 1 → mobile code → details).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE registration_flows (
      id text PRIMARY KEY,
      state text NOT NULL CONSTRAINT registration_flows_state_known CHECK (state IN ('mobile_code', 'details', 'completed')),
      national_code text NOT NULL CONSTRAINT registration_flows_national_code_format CHECK (national_code ~ '^[0-9]{10}$'),
      mobile text NOT NULL CONSTRAINT registration_flows_mobile_format CHECK (mobile ~ '^09[0-9]{9}$'),
      mobile_operator text NOT NULL,
      requires_branch_visit boolean NOT NULL DEFAULT false,
      code_hash text,
      code_expires_at timestamptz,
      code_attempts integer NOT NULL DEFAULT 0,
      code_sends integer NOT NULL DEFAULT 0,
      code_sent_at timestamptz,
      account_id uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX registration_flows_expires_idx ON registration_flows (expires_at)`.execute(db);
  await sql`COMMENT ON COLUMN registration_flows.id IS '256-bit random; only the browser or app that started the flow knows it'`.execute(db);
  await sql`COMMENT ON COLUMN registration_flows.code_hash IS 'HMAC-SHA256 of the SMS code under the server secret'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE registration_flows`.execute(db);
}
