// Used captcha challenges: ALTCHA solutions are single-use; each one is kept until its
// challenge expires so that a replay is refused.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE captcha_uses (
      challenge_hash text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX captcha_uses_expires_at_idx ON captcha_uses (expires_at)`.execute(db);
  await sql`COMMENT ON COLUMN captcha_uses.challenge_hash IS 'HMAC of the challenge signature; a second use of the same challenge is a replay'`.execute(db);
  await sql`COMMENT ON COLUMN captcha_uses.expires_at IS 'When the challenge expires; the row may be deleted after that'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE captcha_uses`.execute(db);
}
