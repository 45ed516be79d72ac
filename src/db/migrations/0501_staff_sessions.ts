// Back-office sessions: server-side, separate from people's sessions, with an idle timeout.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE staff_sessions (
      token_hash text PRIMARY KEY,
      staff_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      ip text
    )`.execute(db);
  await sql`CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id)`.execute(db);
  await sql`COMMENT ON COLUMN staff_sessions.token_hash IS 'HMAC of the cookie token; the token itself is never stored'`.execute(db);
  await sql`COMMENT ON COLUMN staff_sessions.last_seen_at IS 'Idle timeout counts from here (BACKOFFICE_IDLE_MINUTES)'`.execute(db);
  await sql`COMMENT ON COLUMN staff_sessions.expires_at IS 'Absolute end of the session whatever the activity (BACKOFFICE_SESSION_HOURS)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE staff_sessions`.execute(db);
}
