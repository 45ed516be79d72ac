// Server-side sessions. A session token is 256 random bits handed to the browser (cookie)
// or the app (bearer); the database keeps only its HMAC. Idle and absolute timeouts come
// from configuration and are judged by the injected clock.
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Queryable } from '../db/database.js';
import type { AccountStatus, DB } from '../db/schema.js';
import { createAccountCopies, type ChangeFeed } from '../db/changes.js';
import { randomId, type Secrets } from '../security/secrets.js';
import type { AccountRow } from '../accounts/accounts.queries.js';
import * as q from './sessions.queries.js';

export type RequiredAction = 'change_password';
export type SessionKind = 'web' | 'api';
export type AuthMethod = 'password' | 'temporary_password' | 'sms_code' | 'passkey';

/** What a request knows about its signed-in person. */
export type SignedInAccount = {
  sessionId: string;
  accountId: string;
  kind: SessionKind;
  authMethod: AuthMethod;
  /** Empty when the person may use everything. */
  requiredActions: RequiredAction[];
  status: AccountStatus;
  nationalCode: string | null;
  foreignNationalId: string | null;
  firstName: string | null;
  lastName: string | null;
  signedInAt: Date;
  expiresAt: Date;
};

export type NewSession = { token: string; id: string; expiresAt: Date };

/** The account's side of an open session, as a sign-in read it (accounts.queries joinAccountState). */
export type SessionAccountState = Pick<AccountRow, 'status' | 'must_change_password' | 'disabled_at' | 'national_code' | 'foreign_national_id' | 'first_name' | 'last_name' | 'gender'>;

export type SessionListItem = {
  id: string;
  current: boolean;
  kind: SessionKind;
  authMethod: AuthMethod;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
};

// Writing last_seen_at on every request would turn each page view into a write; once a
// minute is precise enough for an idle timeout counted in minutes.
const TOUCH_EVERY_MS = 60_000;

export function createSessionService(deps: { db: Kysely<DB>; config: Config; secrets: Secrets; clock: () => Date; changes: ChangeFeed }) {
  const { db, secrets, clock, changes } = deps;
  const settings = deps.config.signin;
  const idleMs = settings.sessionIdleMinutes * 60_000;
  const tokenHash = (token: string) => secrets.hmac('session-token', token);
  // Open sessions as last read, by token hash (db/changes.ts: dropped on every change of the
  // session or its account, in every web process). A copy is used only until the session is
  // due its next touch: then the row is read again, so an idle timeout is judged on the
  // database's last_seen_at, not on this process's.
  const copies = createAccountCopies<NonNullable<Awaited<ReturnType<typeof q.findOpenSession>>>>(changes, { max: 20_000, ttlMs: TOUCH_EVERY_MS });
  /** This process changed sessions of the account: its copies go now (the notice tells the others). */
  const changedAccount = <T>(accountId: string, result: T): T => {
    changes.changed(accountId);
    return result;
  };

  return {
    idleMinutes: settings.sessionIdleMinutes,

    /**
     * A mark of the account changes this process has heard so far. A sign-in takes it before
     * it reads the account, and gives it to `create` with what it read: the new session is then
     * kept as a copy at once, unless a change was heard in between (db/changes.ts), so the
     * person's next request here needs no lookup of it.
     */
    mark: () => copies.mark(),

    /** Creates a session (a fresh id every sign-in); the token is returned once and never stored. */
    async create(
      trx: Queryable,
      s: { accountId: string; kind: SessionKind; authMethod: AuthMethod; requiresPasswordChange: boolean; ip: string | null; userAgent: string | null },
      read?: { account: SessionAccountState; mark: number },
    ): Promise<NewSession> {
      const token = randomId();
      const now = clock();
      const expiresAt = new Date(now.getTime() + settings.sessionAbsoluteHours * 3600_000);
      const hash = tokenHash(token);
      const id = await q.insertSession(trx, {
        ...s,
        userAgent: s.userAgent ? s.userAgent.slice(0, 200) : null,
        tokenHash: hash,
        now,
        expiresAt,
      });
      // Only a committed session (not one inside a caller's transaction) becomes a copy.
      if (read && trx === db) {
        const a = read.account;
        copies.keep(
          hash,
          s.accountId,
          {
            id,
            account_id: s.accountId,
            kind: s.kind,
            auth_method: s.authMethod,
            requires_password_change: s.requiresPasswordChange,
            created_at: now,
            last_seen_at: now,
            expires_at: expiresAt,
            status: a.status,
            must_change_password: a.must_change_password,
            disabled_at: a.disabled_at,
            national_code: a.national_code,
            foreign_national_id: a.foreign_national_id,
            first_name: a.first_name,
            last_name: a.last_name,
            gender: a.gender,
          },
          read.mark,
        );
      }
      return { token, id, expiresAt };
    },

    /** The signed-in person of a token, or null (unknown, ended, idle, expired, disabled, wrong kind). */
    async resolve(token: string, kind: SessionKind): Promise<SignedInAccount | null> {
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const now = clock();
      const hash = tokenHash(token);
      const row = await copies.read(
        hash,
        async () => {
          const r = await q.findOpenSession(db, hash);
          return r && { accountId: r.account_id, value: r };
        },
        (r) => now.getTime() - r.last_seen_at.getTime() < TOUCH_EVERY_MS,
      );
      if (!row || row.kind !== kind) return null;
      if (row.expires_at <= now || row.last_seen_at.getTime() + idleMs <= now.getTime()) return null;
      if (row.disabled_at || row.status !== 'active') return null;
      if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
        await q.touchSession(db, row.id, now);
        // The copy (if kept) is good for another minute.
        row.last_seen_at = now;
      }
      return {
        sessionId: row.id,
        accountId: row.account_id,
        kind: row.kind,
        authMethod: row.auth_method,
        requiredActions: row.must_change_password || row.requires_password_change ? ['change_password'] : [],
        status: row.status,
        nationalCode: row.national_code,
        foreignNationalId: row.foreign_national_id,
        firstName: row.first_name,
        lastName: row.last_name,
        signedInAt: row.created_at,
        expiresAt: row.expires_at,
      };
    },

    async end(id: string, reason: 'signed_out' | 'replaced' = 'signed_out') {
      const accountId = await q.endSession(db, id, reason, clock());
      if (accountId) changes.changed(accountId);
    },

    /** Ends every session of the account but `keepId` (password changes, staff actions). */
    endAllOf: async (trx: Queryable, accountId: string, reason: 'password_changed' | 'ended_by_staff' | 'ended_by_person', keepId?: string) =>
      changedAccount(accountId, await q.endSessionsOf(trx, accountId, reason, clock(), keepId)),

    /** The person ends one of their own sessions. */
    endOwn: async (accountId: string, sessionId: string) => changedAccount(accountId, await q.endSessionOf(db, accountId, sessionId, 'ended_by_person', clock())),

    /** The person ends all their sessions but this one. */
    endOthers: async (accountId: string, keepId: string) => changedAccount(accountId, await q.endSessionsOf(db, accountId, 'ended_by_person', clock(), keepId)),

    async passwordChanged(trx: Queryable, sessionId: string) {
      const accountId = await q.clearSessionPasswordChange(trx, sessionId);
      if (accountId) changes.changed(accountId);
    },

    /**
     * After a privilege change (password or mobile changed, forced change done) the session
     * continues under a new token; the old one stops working at once (no fixation).
     */
    async rotate(trx: Queryable, sessionId: string): Promise<NewSession | null> {
      const token = randomId();
      const r = await q.replaceSessionToken(trx, sessionId, tokenHash(token), clock());
      if (r) changes.changed(r.accountId);
      return r ? { token, id: sessionId, expiresAt: r.expiresAt } : null;
    },

    async list(accountId: string, currentId: string | null): Promise<SessionListItem[]> {
      const now = clock();
      const rows = await q.listOpenSessions(db, accountId, new Date(now.getTime() - idleMs), now);
      return rows.map((r) => ({
        id: r.id,
        current: r.id === currentId,
        kind: r.kind,
        authMethod: r.auth_method,
        ip: r.ip,
        userAgent: r.user_agent,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
      }));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
