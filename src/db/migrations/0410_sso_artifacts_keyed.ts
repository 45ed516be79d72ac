// Single sign-on artifacts are stored by a keyed hash of their id from now on (adapter.ts):
// the rows written before were keyed by the token value itself. They cannot be re-keyed
// in SQL (the key derives from SECRET_KEY, which the database never sees), so they are
// deleted: people signed in to services through the portal sign in once more (their
// portal sessions stay), services' access and refresh tokens stop working, and
// half-finished sign-ins start again. Nothing else is lost: grants of first-party
// services are made again at the next sign-in, third-party services ask for consent again.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM sso_artifacts`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.id IS 'HMAC (key derived from SECRET_KEY) of the artifact id, never the id: ids of tokens, codes and sessions are bearer values'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.uid IS 'HMAC of the session uid (sessions are found by it)'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.user_code IS 'HMAC of the device user code'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.payload IS 'The model as the provider stores it, without its id (jti)'`.execute(db);
}

export async function down(_db: Kysely<any>): Promise<void> {
  // Deleted rows cannot come back; the keyed rows stay readable by this version only.
}
