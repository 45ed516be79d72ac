// Branches of the organization: the list insured registration suggests from. Seeded from
// BRANCHES_CSV at start when empty; `npm run cli -- branches import FILE` upserts.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE branches (
      code text PRIMARY KEY CONSTRAINT branches_code_format CHECK (code ~ '^[0-9]{1,10}$'),
      name text NOT NULL CONSTRAINT branches_name_present CHECK (length(name) > 0),
      search_name text NOT NULL,
      province text NOT NULL,
      city text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX branches_search_name_idx ON branches (search_name text_pattern_ops)`.execute(db);
  await sql`COMMENT ON TABLE branches IS 'Branch offices; insured people pick the branch that holds their insurance record'`.execute(db);
  await sql`COMMENT ON COLUMN branches.code IS 'Opaque short numeric code (leading zeros matter), as in the insurance records'`.execute(db);
  await sql`COMMENT ON COLUMN branches.search_name IS 'Name, province and city folded for search (Persian letters unified, digits Latin, ZWNJ as space, lower case)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE branches`.execute(db);
}
