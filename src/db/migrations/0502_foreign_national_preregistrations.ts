// Foreign nationals' identifiers recorded at a branch: only these may register online.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE foreign_national_preregistrations (
      foreign_national_id text PRIMARY KEY CONSTRAINT foreign_national_preregistrations_id_format CHECK (foreign_national_id ~ '^[0-9]{12}$'),
      branch_code text,
      recorded_by uuid NOT NULL REFERENCES staff_users (id),
      recorded_at timestamptz NOT NULL,
      documents text[] NOT NULL DEFAULT '{}',
      revoked_at timestamptz
    )`.execute(db);
  await sql`COMMENT ON TABLE foreign_national_preregistrations IS 'No public registry proves a FIDA identifier: staff see the card at a branch and record it here; online registration with a foreign identifier checks this table'`.execute(db);
  await sql`COMMENT ON COLUMN foreign_national_preregistrations.documents IS 'Codes of the documents the staff member saw (e.g. fida_card, passport)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE foreign_national_preregistrations`.execute(db);
}
