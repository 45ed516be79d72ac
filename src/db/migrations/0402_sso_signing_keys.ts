// Single sign-on: the keys that sign ID tokens. Created at first start; `keys rotate`
// adds a new current key and retires the old one, which stays published until tokens
// it signed have expired.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sso_signing_keys (
      kid text PRIMARY KEY,
      alg text NOT NULL,
      private_jwk_encrypted text NOT NULL,
      created_at timestamptz NOT NULL,
      retired_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX sso_signing_keys_created_at_idx ON sso_signing_keys (created_at)`.execute(db);
  await sql`COMMENT ON COLUMN sso_signing_keys.private_jwk_encrypted IS 'Private JWK, AES-256-GCM under a key derived from the server secret'`.execute(db);
  await sql`COMMENT ON COLUMN sso_signing_keys.retired_at IS 'NULL for the current key; retired keys only verify and are dropped after the longest token lifetime'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sso_signing_keys`.execute(db);
}
