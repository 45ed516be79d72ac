// Verification outcomes kept on the request: only the two that leave an account behind
// (a mismatch deletes the account and, by cascade, its request).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE verification_requests
      ADD CONSTRAINT verification_requests_outcome_known CHECK (outcome IS NULL OR outcome IN ('active', 'awaiting_branch_visit')),
      ADD CONSTRAINT verification_requests_completed_has_outcome CHECK ((status = 'completed') = (outcome IS NOT NULL AND completed_at IS NOT NULL))`.execute(db);
  await sql`COMMENT ON COLUMN verification_requests.outcome IS 'active or awaiting_branch_visit; set with status completed in the transaction that changes the account'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE verification_requests DROP CONSTRAINT verification_requests_outcome_known, DROP CONSTRAINT verification_requests_completed_has_outcome`.execute(db);
}
