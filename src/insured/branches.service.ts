// The branch list insured people pick from: search by any part of the name (Persian
// spelling variants and digits folded), seeding from BRANCHES_CSV, and the CSV import.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { toLatinDigits } from '../identity/digits.js';
import { foldForMatching } from '../identity/names.js';
import { loadBranchesCsv, type Branch } from '../registries/index.js';
import * as q from './branches.queries.js';

export type BranchView = q.BranchRow;

export const BRANCH_SUGGESTIONS = 10;
/** Longer queries are cut: nobody types a branch name this long. */
const MAX_QUERY = 60;

/** One key per branch: name, province, city and code, folded like names are matched. */
export const branchSearchKey = (b: Branch) =>
  [b.name, b.province, b.city, b.code, b.nameEn ?? ''].map((s) => foldForMatching(s).toLowerCase()).join('|');

/** The folded terms of what a person typed; empty when there is nothing to search for. */
export function searchTerms(input: unknown): string[] {
  if (typeof input !== 'string') return [];
  return toLatinDigits(input.slice(0, MAX_QUERY))
    .split(/[\s\u200C\-–—،,|/]+/u)
    .map((t) => foldForMatching(t).toLowerCase())
    .filter((t) => t.length > 0);
}

export function createBranchService(deps: { db: Kysely<DB>; clock: () => Date }) {
  const { db, clock } = deps;
  const importRows = (branches: Branch[]) =>
    q.upsertBranches(db, branches.map((b) => ({ ...b, searchName: branchSearchKey(b) })), clock());
  return {
    find: (code: string) => q.findBranch(db, code),
    /** Up to BRANCH_SUGGESTIONS branches matching every typed word; none for an empty query. */
    async search(input: unknown): Promise<BranchView[]> {
      const terms = searchTerms(input);
      if (terms.length === 0) return [];
      return q.searchBranches(db, terms, BRANCH_SUGGESTIONS);
    },
    /** Reads and validates a CSV (`code,name,province,city`), then upserts every row. */
    async importCsv(file: string): Promise<{ read: number; written: number }> {
      const branches = await loadBranchesCsv(file);
      const written = await importRows(branches);
      return { read: branches.length, written };
    },
    /** At start: fills an empty table from the configured CSV; a filled one is left alone. */
    async seedIfEmpty(file: string): Promise<number> {
      if ((await q.countBranches(db)) > 0) return 0;
      return (await this.importCsv(file)).written;
    },
  };
}

export type BranchService = ReturnType<typeof createBranchService>;
