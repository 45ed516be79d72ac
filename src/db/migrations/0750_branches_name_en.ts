// An optional English name of a branch (BRANCHES_CSV column `nameEn`): shown on English
// pages and found by search in either language.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE branches ADD COLUMN name_en text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE branches DROP COLUMN name_en`.execute(db);
}
