// The oidc-provider storage adapter: every model in the `sso_artifacts` table (PostgreSQL
// or PGlite), except `Client`, which reads the services registered by operators.
//
// Artifacts are stored by a keyed hash (HMAC under a key derived from SECRET_KEY) of their
// id, never by the id itself: the id of an access token, refresh token, code or session
// is the bearer value a service or browser holds, so a copy of the table must not be
// usable. The same goes for the look-up columns (`uid`, `user_code`) and for the `jti`
// field of the payload, which repeats the id: it is dropped before storing and put back
// from the id the provider asks with.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SsoQueries } from './sso.queries.js';

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;
/** The stored key of an artifact value (a keyed hash; the same value always gives the same key). */
export type ArtifactKey = (value: string) => string;

export function createAdapterClass(deps: { queries: SsoQueries; clock: () => Date; findClient: ClientLookup; key: ArtifactKey }) {
  const { queries, clock, findClient, key } = deps;

  return class SqlAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI');
      const { jti: _value, ...stored } = payload;
      // An interaction keeps a copy of the browser's session cookie value for the pages;
      // nothing of ours reads it and the provider never does: not stored.
      if (stored.session && typeof stored.session === 'object' && 'cookie' in (stored.session as object)) {
        const { cookie: _cookie, ...session } = stored.session as Record<string, unknown>;
        stored.session = session;
      }
      await queries.upsertArtifact({
        model: this.model,
        id: key(id),
        payload: stored as Record<string, unknown>,
        // Grant ids are not bearer values (they name a grant; nothing is presented with them).
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        userCode: typeof payload.userCode === 'string' ? key(payload.userCode) : null,
        uid: typeof payload.uid === 'string' ? key(payload.uid) : null,
        expiresAt: expiresIn ? new Date(clock().getTime() + expiresIn * 1000) : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return findClient(id);
      return this.read('id', key(id), id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.read('user_code', key(userCode));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.read('uid', key(uid));
    }

    async consume(id: string): Promise<void> {
      await queries.consumeArtifact(this.model, key(id), clock());
    }

    async destroy(id: string): Promise<void> {
      await queries.destroyArtifact(this.model, key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await queries.destroyByGrantId(grantId);
    }

    private async read(by: 'id' | 'uid' | 'user_code', stored: string, id?: string): Promise<AdapterPayload | undefined> {
      const row = await queries.findArtifact(this.model, by, stored, clock());
      if (!row) return undefined;
      const payload = row.payload as AdapterPayload;
      // Asked by id: the id goes back as `jti`. Found by uid (a session, read only to see
      // that it is still alive), the stored row cannot give the id back, by design.
      const withId = id !== undefined ? { ...payload, jti: id } : payload;
      // The provider refuses a consumed code or rotated refresh token by this field.
      return row.consumed_at ? { ...withId, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : withId;
    }
  };
}
