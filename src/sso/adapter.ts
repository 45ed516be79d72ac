// The oidc-provider storage adapter: every model in the `sso_artifacts` table (PostgreSQL
// or PGlite), except `Client`, which reads the services registered by operators.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SsoQueries } from './sso.queries.js';

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

export function createAdapterClass(deps: { queries: SsoQueries; clock: () => Date; findClient: ClientLookup }) {
  const { queries, clock, findClient } = deps;

  return class SqlAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI');
      await queries.upsertArtifact({
        model: this.model,
        id,
        payload: payload as Record<string, unknown>,
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expiresAt: expiresIn ? new Date(clock().getTime() + expiresIn * 1000) : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(id);
      return this.read('id', id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.read('user_code', userCode);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.read('uid', uid);
    }

    async consume(id: string): Promise<void> {
      await queries.consumeArtifact(this.model, id, clock());
    }

    async destroy(id: string): Promise<void> {
      await queries.destroyArtifact(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await queries.destroyByGrantId(grantId);
    }

    private async read(by: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = await queries.findArtifact(this.model, by, value, clock());
      if (!row) return undefined;
      const payload = row.payload as AdapterPayload;
      // The provider refuses a consumed code or rotated refresh token by this field.
      return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload;
    }
  };
}
