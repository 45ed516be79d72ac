// Single sign-on: the organization's services (relying parties), registered by operators
// with `npm run cli -- clients add`.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sso_clients (
      client_id text PRIMARY KEY CONSTRAINT sso_clients_client_id_format CHECK (client_id ~ '^[A-Za-z0-9._-]{2,64}$'),
      metadata jsonb NOT NULL,
      secret_encrypted text,
      first_party boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`COMMENT ON COLUMN sso_clients.metadata IS 'OpenID Connect client metadata (redirect_uris, grant_types, ...) without the secret'`.execute(db);
  await sql`COMMENT ON COLUMN sso_clients.secret_encrypted IS 'Client secret, AES-256-GCM under a key derived from the server secret; NULL for public clients'`.execute(db);
  await sql`COMMENT ON COLUMN sso_clients.first_party IS 'The organization''s own service: the person is not asked for consent'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sso_clients`.execute(db);
}
