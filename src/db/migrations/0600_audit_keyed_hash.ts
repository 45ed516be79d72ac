// Audit chain keyed (issue 11): new rows are linked with HMAC-SHA-256 under a key derived
// from SECRET_KEY (never in the database), so that whoever can write the table cannot
// re-hash a changed chain. Rows written before this migration keep their plain SHA-256
// links (hash_version 1) and still verify; `audit_keyed_since` records the first id that
// must be keyed, so a later row cannot be "downgraded" to version 1. Both are append-only.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Existing rows get 1; rows inserted from now on get 2 (the column default changes after).
  await sql`ALTER TABLE audit_events ADD COLUMN hash_version smallint NOT NULL DEFAULT 1`.execute(db);
  await sql`ALTER TABLE audit_events ALTER COLUMN hash_version SET DEFAULT 2`.execute(db);
  await sql`ALTER TABLE audit_events ADD CONSTRAINT audit_events_hash_version_check CHECK (hash_version IN (1, 2))`.execute(db);
  await sql`COMMENT ON COLUMN audit_events.hash_version IS '1: plain SHA-256 link (rows before migration 0600); 2: HMAC-SHA-256 under a key derived from SECRET_KEY'`.execute(db);
  await sql`CREATE TABLE audit_keyed_since (first_keyed_id bigint NOT NULL)`.execute(db);
  await sql`INSERT INTO audit_keyed_since (first_keyed_id) SELECT coalesce(max(id), 0) + 1 FROM audit_events`.execute(db);
  await sql`CREATE TRIGGER audit_keyed_since_append_only BEFORE UPDATE OR DELETE ON audit_keyed_since FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`.execute(db);
  await sql`CREATE TRIGGER audit_keyed_since_no_truncate BEFORE TRUNCATE ON audit_keyed_since FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE audit_keyed_since`.execute(db);
  await sql`ALTER TABLE audit_events DROP CONSTRAINT audit_events_hash_version_check`.execute(db);
  await sql`ALTER TABLE audit_events DROP COLUMN hash_version`.execute(db);
}
