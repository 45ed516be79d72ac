// Audit trail: append-only, hash-chained; written in the same transaction as the change.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      actor_type text NOT NULL CONSTRAINT audit_events_actor_type_known CHECK (actor_type IN ('person', 'staff', 'system')),
      actor_id text,
      account_id uuid,
      event text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      ip text,
      prev_hash text NOT NULL,
      hash text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX audit_events_account_idx ON audit_events (account_id, id)`.execute(db);
  await sql`COMMENT ON TABLE audit_events IS 'Append-only; each row carries the hash of the row before it'`.execute(db);
  await sql`COMMENT ON COLUMN audit_events.account_id IS 'No foreign key: the trail outlives a deleted registration'`.execute(db);
  await sql`COMMENT ON COLUMN audit_events.data IS 'Event details without personal data (masked identifiers only)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE audit_events`.execute(db);
}
