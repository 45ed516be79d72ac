// Rejected registrations: the personal data is deleted; only a keyed hash remains so the
// status page can still say "rejected" to the person who asks with the same details.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE registration_rejections (
      lookup_hash text PRIMARY KEY,
      rejected_at timestamptz NOT NULL
    )`.execute(db);
  await sql`COMMENT ON COLUMN registration_rejections.lookup_hash IS 'HMAC of national code and mobile under the server secret; not reversible without it'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE registration_rejections`.execute(db);
}
