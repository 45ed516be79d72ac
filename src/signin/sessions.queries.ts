// SQL of sessions: create, find by token hash (with the account fields every request
// needs), refresh, end, list.
import { CompiledQuery } from 'kysely';
import type { Queryable } from '../db/database.js';
import { joinAccountState } from '../accounts/accounts.queries.js';
import type { SessionsTable } from '../db/schema.js';

type EndReason = NonNullable<SessionsTable['end_reason']>;

export async function insertSession(
  db: Queryable,
  s: {
    tokenHash: string;
    accountId: string;
    kind: 'web' | 'api';
    authMethod: SessionsTable['auth_method'];
    requiresPasswordChange: boolean;
    ip: string | null;
    userAgent: string | null;
    now: Date;
    expiresAt: Date;
  },
): Promise<string> {
  const row = await db
    .insertInto('sessions')
    .values({
      token_hash: s.tokenHash,
      account_id: s.accountId,
      kind: s.kind,
      auth_method: s.authMethod,
      requires_password_change: s.requiresPasswordChange,
      ip: s.ip,
      user_agent: s.userAgent,
      created_at: s.now,
      last_seen_at: s.now,
      expires_at: s.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The open session of a token with what the request needs of its account. */
function openSessionQuery(db: Queryable, tokenHash: string) {
  const sessions = db
    .selectFrom('sessions as s')
    .select(['s.id', 's.account_id', 's.kind', 's.auth_method', 's.requires_password_change', 's.created_at', 's.last_seen_at', 's.expires_at'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.ended_at', 'is', null);
  // The account's side of the row comes from the accounts capability (its view of the account state).
  return joinAccountState(sessions);
}

type OpenSessionRow = Awaited<ReturnType<ReturnType<typeof openSessionQuery>['executeTakeFirst']>>;

// Every request with a session runs this lookup: its SQL is compiled once, not per request
// (PostgreSQL then prepares it once per connection, see db/database.ts).
let openSessionSql: string | undefined;

export async function findOpenSession(db: Queryable, tokenHash: string): Promise<OpenSessionRow> {
  openSessionSql ??= openSessionQuery(db, '').compile().sql;
  const result = await db.executeQuery<NonNullable<OpenSessionRow>>(CompiledQuery.raw(openSessionSql, [tokenHash]));
  return result.rows[0];
}

export async function touchSession(db: Queryable, id: string, now: Date) {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

/** Ends a session; the account whose session it was, or undefined when it was not open. */
export async function endSession(db: Queryable, id: string, reason: EndReason, now: Date): Promise<string | undefined> {
  const row = await db.updateTable('sessions').set({ ended_at: now, end_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).returning('account_id').executeTakeFirst();
  return row?.account_id;
}

/** Ends one session of an account; false when it is not theirs or already ended. */
export async function endSessionOf(db: Queryable, accountId: string, id: string, reason: EndReason, now: Date): Promise<boolean> {
  const rows = await db
    .updateTable('sessions')
    .set({ ended_at: now, end_reason: reason })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Ends every open session of an account except `keepId`; returns how many. */
export async function endSessionsOf(db: Queryable, accountId: string, reason: EndReason, now: Date, keepId?: string): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ ended_at: now, end_reason: reason })
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null);
  if (keepId) q = q.where('id', '!=', keepId);
  const rows = await q.returning('id').execute();
  return rows.length;
}

export function listOpenSessions(db: Queryable, accountId: string, idleSince: Date, now: Date) {
  return db
    .selectFrom('sessions')
    .select(['id', 'kind', 'auth_method', 'ip', 'user_agent', 'created_at', 'last_seen_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('ended_at', 'is', null)
    .where('last_seen_at', '>', idleSince)
    .where('expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

export async function clearSessionPasswordChange(db: Queryable, id: string): Promise<string | undefined> {
  const row = await db.updateTable('sessions').set({ requires_password_change: false }).where('id', '=', id).returning('account_id').executeTakeFirst();
  return row?.account_id;
}

/**
 * A new token for an open session (after a privilege change): the old token stops working
 * at once; the forced password change it carried is done. False when the session is not open.
 */
export async function replaceSessionToken(db: Queryable, id: string, tokenHash: string, now: Date): Promise<{ expiresAt: Date; accountId: string } | null> {
  const row = await db
    .updateTable('sessions')
    .set({ token_hash: tokenHash, requires_password_change: false, last_seen_at: now })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .returning(['expires_at', 'account_id'])
    .executeTakeFirst();
  return row ? { expiresAt: row.expires_at, accountId: row.account_id } : null;
}
