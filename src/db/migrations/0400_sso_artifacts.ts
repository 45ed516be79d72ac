// Single sign-on: every oidc-provider model (sessions, interactions, codes, tokens, grants)
// in one table keyed by model and id, with the look-up columns the provider asks for.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sso_artifacts (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      CONSTRAINT sso_artifacts_pkey PRIMARY KEY (model, id)
    )`.execute(db);
  await sql`CREATE INDEX sso_artifacts_grant_id_idx ON sso_artifacts (grant_id) WHERE grant_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX sso_artifacts_user_code_idx ON sso_artifacts (model, user_code) WHERE user_code IS NOT NULL`.execute(db);
  await sql`CREATE INDEX sso_artifacts_uid_idx ON sso_artifacts (model, uid) WHERE uid IS NOT NULL`.execute(db);
  await sql`CREATE INDEX sso_artifacts_expires_at_idx ON sso_artifacts (expires_at) WHERE expires_at IS NOT NULL`.execute(db);
  await sql`COMMENT ON TABLE sso_artifacts IS 'oidc-provider models (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant, ...)'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.payload IS 'The model as the provider stores it; tokens are kept by id (the token value is not derivable from it)'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.grant_id IS 'Grant the artifact belongs to: revoking a grant deletes them all'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.uid IS 'Session uid (sessions are found by it)'`.execute(db);
  await sql`COMMENT ON COLUMN sso_artifacts.consumed_at IS 'Set when a one-time artifact (code, rotated refresh token) was used'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sso_artifacts`.execute(db);
}
