// A portal session may be opened with a passkey: the sign-in method says so.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sessions DROP CONSTRAINT sessions_auth_method_known`.execute(db);
  await sql`ALTER TABLE sessions ADD CONSTRAINT sessions_auth_method_known CHECK (auth_method IN ('password', 'temporary_password', 'sms_code', 'passkey'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sessions DROP CONSTRAINT sessions_auth_method_known`.execute(db);
  await sql`ALTER TABLE sessions ADD CONSTRAINT sessions_auth_method_known CHECK (auth_method IN ('password', 'temporary_password', 'sms_code'))`.execute(db);
}
