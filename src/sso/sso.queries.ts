// SQL of single sign-on: provider artifacts, registered services, signing keys, and the
// account fields that become claims. Kysely only; no rules, no user-facing errors.
import { CompiledQuery, sql } from 'kysely';
import type { Queryable } from '../db/database.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A provider account id that is an account of ours (an id of the accounts table). */
export const isAccountId = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export type ArtifactRow = {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Date | null;
};

export type ClientRow = {
  clientId: string;
  metadata: Record<string, unknown>;
  secretEncrypted: string | null;
  firstParty: boolean;
  createdAt: Date;
};

export type SigningKeyRow = { kid: string; alg: string; privateJwkEncrypted: string; createdAt: Date; retiredAt: Date | null };

export type FoundArtifact = { payload: Record<string, unknown>; consumed_at: Date | null };
export type ArtifactWithRelated = FoundArtifact & { session?: FoundArtifact | null; grant?: FoundArtifact | null };
/** Payload fields the adapter adds to a token: the stored keys of its session (uid) and grant (id). */
export const RELATED_SESSION = '~session';
export const RELATED_GRANT = '~grant';

const LIVE = (t: string) => `(${t}.expires_at IS NULL OR ${t}.expires_at > $3)`;
const FIND_BY = Object.fromEntries(
  (['id', 'uid', 'user_code'] as const).map((by) => [by, `SELECT a.payload, a.consumed_at FROM sso_artifacts a WHERE a.model = $1 AND a.${by} = $2 AND ${LIVE('a')} LIMIT 1`]),
) as Record<'id' | 'uid' | 'user_code', string>;
type RelatedRow = FoundArtifact & {
  session_payload: Record<string, unknown> | null;
  session_consumed_at: Date | null;
  grant_payload: Record<string, unknown> | null;
  grant_consumed_at: Date | null;
};
const FIND_WITH_RELATED = `SELECT a.payload, a.consumed_at,
  s.payload AS session_payload, s.consumed_at AS session_consumed_at,
  g.payload AS grant_payload, g.consumed_at AS grant_consumed_at
FROM sso_artifacts a
LEFT JOIN LATERAL (SELECT s.payload, s.consumed_at FROM sso_artifacts s
  WHERE s.model = 'Session' AND s.uid = a.payload->>'${RELATED_SESSION}' AND ${LIVE('s')} LIMIT 1) s ON true
LEFT JOIN LATERAL (SELECT g.payload, g.consumed_at FROM sso_artifacts g
  WHERE g.model = 'Grant' AND g.id = a.payload->>'${RELATED_GRANT}' AND ${LIVE('g')} LIMIT 1) g ON true
WHERE a.model = $1 AND a.id = $2 AND ${LIVE('a')}
LIMIT 1`;

export function createSsoQueries(db: Queryable) {
  /** Several artifacts stored (or replaced) in one statement. */
  async function upsertArtifacts(rows: ArtifactRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('sso_artifacts')
      .values(
        rows.map((row) => ({
          model: row.model,
          id: row.id,
          payload: JSON.stringify(row.payload),
          grant_id: row.grantId,
          user_code: row.userCode,
          uid: row.uid,
          expires_at: row.expiresAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          user_code: eb.ref('excluded.user_code'),
          uid: eb.ref('excluded.uid'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  return {
    // --- provider artifacts -------------------------------------------------------
    async upsertArtifact(row: ArtifactRow): Promise<void> {
      await upsertArtifacts([row]);
    },

    upsertArtifacts,

    /** The artifact by a key column, unless it has expired at `now` (SQL compiled once per column). */
    async findArtifact(model: string, by: 'id' | 'uid' | 'user_code', value: string, now: Date): Promise<FoundArtifact | undefined> {
      const r = await db.executeQuery<FoundArtifact>(CompiledQuery.raw(FIND_BY[by], [model, value, now]));
      return r.rows[0];
    },

    /**
     * The artifact by id with, in the same statement, the provider session and the grant its
     * payload names by their stored keys (`~session`, `~grant`; see adapter.ts): what the
     * provider reads next for a token (its session binding, then its grant). `session` and
     * `grant` are null when named but not found (or expired), absent when not named.
     */
    async findArtifactWithRelated(model: string, id: string, now: Date): Promise<ArtifactWithRelated | undefined> {
      const r = await db.executeQuery<RelatedRow>(CompiledQuery.raw(FIND_WITH_RELATED, [model, id, now]));
      const row = r.rows[0];
      if (!row) return undefined;
      const payload = row.payload;
      return {
        payload,
        consumed_at: row.consumed_at,
        ...(typeof payload[RELATED_SESSION] === 'string' ? { session: row.session_payload ? { payload: row.session_payload, consumed_at: row.session_consumed_at } : null } : {}),
        ...(typeof payload[RELATED_GRANT] === 'string' ? { grant: row.grant_payload ? { payload: row.grant_payload, consumed_at: row.grant_consumed_at } : null } : {}),
      };
    },

    /**
     * Marks a one-time artifact used, only if it was not: `marked` (this call used it), or
     * `used` (another did first; with its grant) or `gone` (no such row). One request only can
     * ever get `marked` for an artifact, however many read it unused at the same time.
     */
    async consumeArtifact(model: string, id: string, now: Date): Promise<{ outcome: 'marked' } | { outcome: 'used'; grantId: string | null } | { outcome: 'gone' }> {
      const marked = await db
        .updateTable('sso_artifacts')
        .set({ consumed_at: now })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .returning('model')
        .executeTakeFirst();
      if (marked) return { outcome: 'marked' };
      const row = await db.selectFrom('sso_artifacts').select('grant_id').where('model', '=', model).where('id', '=', id).executeTakeFirst();
      return row ? { outcome: 'used', grantId: row.grant_id } : { outcome: 'gone' };
    },

    /**
     * A grant and everything issued under it, in one statement; the account and service the
     * grant was for, read from what was deleted (null: nothing was left to revoke).
     */
    async revokeGrant(grantId: string, grantKey: string): Promise<{ revoked: number; accountId: string | null; clientId: string | null } | null> {
      const rows = await db
        .deleteFrom('sso_artifacts')
        .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantKey)])]))
        .returning(['model', 'payload'])
        .execute();
      if (rows.length === 0) return null;
      // The grant's own row names both; any token of it names them too.
      const named = [rows.find((r) => r.model === 'Grant'), ...rows].find((r) => r && typeof r.payload.accountId === 'string');
      const accountId = named?.payload.accountId;
      const clientId = named?.payload.clientId;
      return {
        revoked: rows.length,
        accountId: isAccountId(accountId) ? accountId : null,
        clientId: typeof clientId === 'string' ? clientId : null,
      };
    },

    async destroyArtifact(model: string, id: string): Promise<void> {
      await db.deleteFrom('sso_artifacts').where('model', '=', model).where('id', '=', id).execute();
    },

    async destroyByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('sso_artifacts').where('grant_id', '=', grantId).execute();
    },

    async purgeExpiredArtifacts(now: Date): Promise<number> {
      const r = await db.deleteFrom('sso_artifacts').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Live provider sessions of an account (to end them when the portal session ends). */
    async sessionsOfAccount(accountId: string, now: Date) {
      return db
        .selectFrom('sso_artifacts')
        .select(['id', 'payload'])
        .where('model', '=', 'Session')
        .where(sql<string>`payload->>'accountId'`, '=', accountId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .execute();
    },

    // --- registered services ------------------------------------------------------
    async insertClient(row: Omit<ClientRow, 'createdAt'>): Promise<boolean> {
      const r = await db
        .insertInto('sso_clients')
        .values({
          client_id: row.clientId,
          metadata: JSON.stringify(row.metadata),
          secret_encrypted: row.secretEncrypted,
          first_party: row.firstParty,
        })
        .onConflict((oc) => oc.column('client_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async findClient(clientId: string): Promise<ClientRow | undefined> {
      const r = await db.selectFrom('sso_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return r && { clientId: r.client_id, metadata: r.metadata, secretEncrypted: r.secret_encrypted, firstParty: r.first_party, createdAt: r.created_at };
    },

    async listClients(): Promise<ClientRow[]> {
      const rows = await db.selectFrom('sso_clients').selectAll().orderBy('client_id').execute();
      return rows.map((r) => ({ clientId: r.client_id, metadata: r.metadata, secretEncrypted: r.secret_encrypted, firstParty: r.first_party, createdAt: r.created_at }));
    },

    async deleteClient(clientId: string): Promise<boolean> {
      const r = await db.deleteFrom('sso_clients').where('client_id', '=', clientId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    // --- signing keys -------------------------------------------------------------
    async listSigningKeys(): Promise<SigningKeyRow[]> {
      const rows = await db.selectFrom('sso_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
      return rows.map((r) => ({ kid: r.kid, alg: r.alg, privateJwkEncrypted: r.private_jwk_encrypted, createdAt: r.created_at, retiredAt: r.retired_at }));
    },

    async insertSigningKey(row: SigningKeyRow): Promise<void> {
      await db
        .insertInto('sso_signing_keys')
        .values({ kid: row.kid, alg: row.alg, private_jwk_encrypted: row.privateJwkEncrypted, created_at: row.createdAt, retired_at: row.retiredAt })
        .execute();
    },

    async retireSigningKeys(exceptKid: string, now: Date): Promise<void> {
      await db.updateTable('sso_signing_keys').set({ retired_at: now }).where('kid', '!=', exceptKid).where('retired_at', 'is', null).execute();
    },

    async deleteSigningKeysRetiredBefore(before: Date): Promise<number> {
      const r = await db.deleteFrom('sso_signing_keys').where('retired_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Whether staff recorded a foreign national's documents at a branch (the back office's table, read only). */
    async foreignNationalSeenAtBranch(foreignNationalId: string): Promise<boolean> {
      const seen = await db
        .selectFrom('foreign_national_preregistrations')
        .select('foreign_national_id')
        .where('foreign_national_id', '=', foreignNationalId)
        .executeTakeFirst();
      return seen !== undefined;
    },
  };
}

export type SsoQueries = ReturnType<typeof createSsoQueries>;
