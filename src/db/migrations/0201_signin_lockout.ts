// Consecutive failed sign-ins per account: after too many, accounts.locked_until is set.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts ADD COLUMN failed_signins integer NOT NULL DEFAULT 0`.execute(db);
  await sql`COMMENT ON COLUMN accounts.failed_signins IS 'Wrong passwords since the last success or lockout; reaching SIGNIN_MAX_FAILURES sets locked_until'`.execute(db);
  await sql`COMMENT ON COLUMN accounts.locked_until IS 'Sign-in refused until then (too many wrong passwords); staff may clear it'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts DROP COLUMN failed_signins`.execute(db);
}
