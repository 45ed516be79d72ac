// Overdue verifications: requests still pending past the promised time are listed for the
// back office and counted in a metric; this index keeps both cheap on a large table.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX verification_requests_overdue_idx ON verification_requests (created_at) WHERE status = 'pending'`.execute(db);
  await sql`COMMENT ON COLUMN verification_requests.created_at IS 'Submission time; the 48-hour promise counts from here'`.execute(db);
  await sql`COMMENT ON COLUMN verification_requests.attempts IS 'Runs that could not reach a registry (each is retried with backoff)'`.execute(db);
  await sql`COMMENT ON COLUMN verification_requests.last_error IS 'Why the last run could not finish, e.g. civil_registry:timeout; never personal data'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX verification_requests_overdue_idx`.execute(db);
}
