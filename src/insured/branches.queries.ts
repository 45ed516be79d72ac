// SQL of the branch list: search by folded name, look-up by code, upsert from a CSV.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

export type BranchRow = { code: string; name: string; province: string; city: string; nameEn?: string | null };

export async function countBranches(db: Queryable): Promise<number> {
  const row = await db.selectFrom('branches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findBranch(db: Queryable, code: string): Promise<BranchRow | undefined> {
  return db.selectFrom('branches').select(['code', 'name', 'province', 'city', 'name_en as nameEn']).where('code', '=', code).executeTakeFirst();
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Branches whose search key contains every term (terms already folded). */
export function searchBranches(db: Queryable, terms: string[], limit: number): Promise<BranchRow[]> {
  let q = db.selectFrom('branches').select(['code', 'name', 'province', 'city', 'name_en as nameEn']);
  for (const term of terms) q = q.where(sql<boolean>`search_name LIKE ${`%${escapeLike(term)}%`} ESCAPE '\\'`);
  return q.orderBy('province').orderBy('name').limit(limit).execute();
}

/** Inserts new branches and updates changed ones; answers how many rows were written. */
export async function upsertBranches(db: Queryable, rows: (BranchRow & { searchName: string })[], at: Date): Promise<number> {
  let written = 0;
  // Chunks keep each statement well under the parameter limit.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const r = await db
      .insertInto('branches')
      .values(chunk.map((b) => ({ code: b.code, name: b.name, name_en: b.nameEn ?? null, search_name: b.searchName, province: b.province, city: b.city, updated_at: at })))
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          name_en: eb.ref('excluded.name_en'),
          search_name: eb.ref('excluded.search_name'),
          province: eb.ref('excluded.province'),
          city: eb.ref('excluded.city'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .executeTakeFirst();
    written += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}
