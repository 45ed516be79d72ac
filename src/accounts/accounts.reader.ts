// Read-only views of accounts for capabilities that only look (single sign-on claims and
// assurance level), cheap to make where the whole accounts service is not wired (the CLI).
import { createAccountCopies, type ChangeFeed } from '../db/changes.js';
import type { Queryable } from '../db/database.js';
import * as q from './accounts.queries.js';

type ClaimsRow = Awaited<ReturnType<typeof q.findForClaims>>;

/**
 * `changes`: web processes keep copies of what single sign-on reads of an account (every
 * userinfo and ID token), dropped on every change of it (db/changes.ts).
 */
export function createAccountsReader(db: Queryable, changes?: Pick<ChangeFeed, 'live' | 'generation' | 'subscribe'>) {
  const copies = changes && createAccountCopies<NonNullable<ClaimsRow>>(changes, { max: 20_000, ttlMs: 60_000 });
  const findForClaims = async (accountId: string): Promise<ClaimsRow> =>
    copies
      ? copies.read(accountId, async () => {
          const row = await q.findForClaims(db, accountId);
          return row && { accountId, value: row };
        })
      : q.findForClaims(db, accountId);
  return {
    /** Claims and state of an account for single sign-on. */
    forClaims: findForClaims,
    /**
     * How the identity was verified: `branch` (documents seen in person, or created at a
     * branch), `civil_registry` (matched online), or null (not verified: insurance records only).
     */
    async identitySource(accountId: string): Promise<{ source: 'branch' | 'civil_registry' | null; foreignNationalId: string | null } | null> {
      const a = await findForClaims(accountId);
      if (!a) return null;
      return { source: a.origin === 'branch' ? 'branch' : a.identity_source, foreignNationalId: a.foreign_national_id };
    },
  };
}

export type AccountsReader = ReturnType<typeof createAccountsReader>;
