// Verification requests: one per submitted registration, checked against the registries.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE verification_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL CONSTRAINT verification_requests_account_unique UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CONSTRAINT verification_requests_status_known CHECK (status IN ('pending', 'completed')),
      due_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      outcome text,
      created_at timestamptz NOT NULL,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX verification_requests_due_idx ON verification_requests (due_at) WHERE status = 'pending'`.execute(db);
  await sql`COMMENT ON TABLE verification_requests IS 'Deleted with the account when the details do not match (no personal data kept)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE verification_requests`.execute(db);
}
