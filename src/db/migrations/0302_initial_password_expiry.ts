// Insured registration gives an initial password (the identifier, or a random one by SMS)
// that must be changed at first sign-in and stops working after a few days.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts ADD COLUMN initial_password_expires_at timestamptz`.execute(db);
  await sql`COMMENT ON COLUMN accounts.initial_password_expires_at IS 'Set while the password is an initial one (insured registration); sign-in refuses it after this time; cleared at the first change'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE accounts DROP COLUMN initial_password_expires_at`.execute(db);
}
