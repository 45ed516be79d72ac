// Audit chains: the trail is split into a fixed number of hash chains (by account), so
// that writers of different accounts do not queue behind one global lock.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_events ADD COLUMN chain smallint NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX audit_events_chain_idx ON audit_events (chain, id)`.execute(db);
  await sql`COMMENT ON COLUMN audit_events.chain IS 'Which hash chain the row extends (0..AUDIT_CHAINS-1); prev_hash is the previous row of the same chain'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX audit_events_chain_idx`.execute(db);
  await sql`ALTER TABLE audit_events DROP COLUMN chain`.execute(db);
}
