// SQL of single sign-on: provider artifacts, registered services, signing keys, and the
// account fields that become claims. Kysely only; no rules, no user-facing errors.
import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

export function createSsoQueries(db: Queryable) {
  return {
    // --- provider artifacts -------------------------------------------------------
    async upsertArtifact(row: ArtifactRow): Promise<void> {
      await db
        .insertInto('sso_artifacts')
        .values({
          model: row.model,
          id: row.id,
          payload: JSON.stringify(row.payload),
          grant_id: row.grantId,
          user_code: row.userCode,
          uid: row.uid,
          expires_at: row.expiresAt,
        })
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: JSON.stringify(row.payload),
            grant_id: row.grantId,
            user_code: row.userCode,
            uid: row.uid,
            expires_at: row.expiresAt,
          }),
        )
        .execute();
    },

    /** The artifact by a key column, unless it has expired at `now`. */
    async findArtifact(model: string, by: 'id' | 'uid' | 'user_code', value: string, now: Date) {
      return db
        .selectFrom('sso_artifacts')
        .select(['payload', 'consumed_at'])
        .where('model', '=', model)
        .where(by, '=', value)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .limit(1)
        .executeTakeFirst();
    },

    async consumeArtifact(model: string, id: string, now: Date): Promise<void> {
      await db.updateTable('sso_artifacts').set({ consumed_at: now }).where('model', '=', model).where('id', '=', id).execute();
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
