// Read-only views of accounts for capabilities that only look (single sign-on claims and
// assurance level), cheap to make where the whole accounts service is not wired (the CLI).
import type { Queryable } from '../db/database.js';
import * as q from './accounts.queries.js';

export function createAccountsReader(db: Queryable) {
  return {
    /** Claims and state of an account for single sign-on. */
    forClaims: (accountId: string) => q.findForClaims(db, accountId),
    /**
     * How the identity was verified: `branch` (documents seen in person, or created at a
     * branch), `civil_registry` (matched online), or null (not verified: insurance records only).
     */
    async identitySource(accountId: string): Promise<{ source: 'branch' | 'civil_registry' | null; foreignNationalId: string | null } | null> {
      const a = await q.findForClaims(db, accountId);
      if (!a) return null;
      return { source: a.origin === 'branch' ? 'branch' : a.identity_source, foreignNationalId: a.foreign_national_id };
    },
  };
}

export type AccountsReader = ReturnType<typeof createAccountsReader>;
