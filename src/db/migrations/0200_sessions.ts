// Sessions: one row per signed-in browser or app. Only a keyed hash of the token is kept,
// so a copy of the table cannot be replayed as cookies or bearer tokens.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash text NOT NULL CONSTRAINT sessions_token_hash_unique UNIQUE,
      account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      kind text NOT NULL CONSTRAINT sessions_kind_known CHECK (kind IN ('web', 'api')),
      auth_method text NOT NULL CONSTRAINT sessions_auth_method_known CHECK (auth_method IN ('password', 'temporary_password', 'sms_code')),
      requires_password_change boolean NOT NULL DEFAULT false,
      ip text,
      user_agent text,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text CONSTRAINT sessions_end_reason_known CHECK (end_reason IN ('signed_out', 'ended_by_person', 'password_changed', 'replaced', 'ended_by_staff'))
    )`.execute(db);
  await sql`CREATE INDEX sessions_account_open_idx ON sessions (account_id) WHERE ended_at IS NULL`.execute(db);
  await sql`COMMENT ON TABLE sessions IS 'Server-side sessions of people: browser cookies and API bearer tokens'`.execute(db);
  await sql`COMMENT ON COLUMN sessions.token_hash IS 'HMAC-SHA256 of the 256-bit session token under the server secret'`.execute(db);
  await sql`COMMENT ON COLUMN sessions.requires_password_change IS 'Signed in with a temporary password: nothing but the password change until it is done'`.execute(db);
  await sql`COMMENT ON COLUMN sessions.last_seen_at IS 'Idle timeout counts from here; refreshed at most once a minute'`.execute(db);
  await sql`COMMENT ON COLUMN sessions.expires_at IS 'Absolute end, whatever the activity'`.execute(db);
  await sql`COMMENT ON COLUMN sessions.user_agent IS 'Browser description (first 200 characters) so the person recognises their sessions'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sessions`.execute(db);
}
