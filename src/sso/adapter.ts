// The oidc-provider storage adapter: every model in the `sso_artifacts` table (PostgreSQL
// or PGlite), except `Client`, which reads the services registered by operators.
//
// Artifacts are stored by a keyed hash (HMAC under a key derived from SECRET_KEY) of their
// id, never by the id itself: the id of an access token, refresh token, code or session
// is the bearer value a service or browser holds, so a copy of the table must not be
// usable. The same goes for the look-up columns (`uid`, `user_code`) and for the `jti`
// field of the payload, which repeats the id: it is dropped before storing and put back
// from the id the provider asks with.
//
// A token's row names its session and grant by their stored keys (`~session`, `~grant`,
// added here, dropped before the provider sees the payload), so reading the token reads
// them in the same statement: the provider asks for the session (its binding check) and the
// grant next, in the same request, and gets those rows without another round trip (a
// userinfo or introspection made three statements, now one). They are kept for that request
// only (the provider's context), and dropped by any write the request makes.
//
// The new access and refresh tokens of a request are held and written together, in one
// statement, once the provider has answered and before the answer leaves (`holdWrites`,
// `writeHeld`; sso.service.ts): a refresh made four statements, now three. A token the
// request holds is found by the request itself; any other write goes after them.
import Provider, { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import { type ArtifactRow, type FoundArtifact, RELATED_GRANT, RELATED_SESSION, type SsoQueries } from './sso.queries.js';

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;
/** The stored key of an artifact value (a keyed hash; the same value always gives the same key). */
export type ArtifactKey = (value: string) => string;

type Read = FoundArtifact | null;
/** The models used once: a second use is reuse. */
const ONCE_MODELS = new Set(['AuthorizationCode', 'RefreshToken']);
const tokenName = (model: string) => (model === 'AuthorizationCode' ? 'authorization_code' : model === 'RefreshToken' ? 'refresh_token' : model);
const str = (v: unknown) => (typeof v === 'string' ? v : null);
/** A used code or refresh token a request read: the token and whom it was for. */
export type UsedToken = { token: string; accountId: string | null; clientId: string | null };
/** The models whose writes a request holds until it answers (sso.service.ts). */
const HELD_MODELS = new Set(['AccessToken', 'RefreshToken']);

/** What a code or refresh token used twice sets off (sso.service.ts): its grant revoked, the audit trail told. */
export type ReuseHandler = (reuse: { grantId: string; grantKey: string; token: string; request?: { req?: unknown } }) => Promise<void>;

export function createAdapterClass(deps: {
  queries: SsoQueries;
  /** Revokes the grant of a code or token used twice (default: revoked, nothing else). */
  onReuse?: ReuseHandler;
  clock: () => Date;
  findClient: ClientLookup;
  key: ArtifactKey;
  /** What one request of the provider shares (default: its context); none outside requests. */
  requestScope?: () => object | undefined;
}) {
  const { queries, clock, findClient, key } = deps;
  const onReuse: ReuseHandler = deps.onReuse ?? (async ({ grantId, grantKey }) => void (await queries.revokeGrant(grantId, grantKey)));
  const requestScope = deps.requestScope ?? (() => Provider.ctx);
  /** Rows read ahead in a request, by `model by key`; null = read and not there. */
  const readAhead = new WeakMap<object, Map<string, Read>>();
  const aheadKey = (model: string, by: string, stored: string) => `${model} ${by} ${stored}`;
  /** A used code or refresh token a request read (the provider then refuses it as reuse). */
  const used = new WeakMap<object, UsedToken>();
  /** Token writes held in a request until it answers, by `model key`. */
  const held = new WeakMap<object, Map<string, ArtifactRow>>();
  const writeHeld = async (scope: object) => {
    const rows = held.get(scope);
    if (!rows?.size) return;
    const list = [...rows.values()];
    rows.clear();
    await queries.upsertArtifacts(list);
  };
  /** Before another write of the request: what was read ahead goes, what is held is written first. */
  const settle = async () => {
    const scope = requestScope();
    if (!scope) return;
    readAhead.delete(scope);
    await writeHeld(scope);
  };

  return class SqlAdapter implements Adapter {
    constructor(readonly model: string) {}

    /** From now on the request (its provider context) holds its new tokens until `writeHeld`. */
    static holdWrites(scope: object): void {
      held.set(scope, new Map());
    }

    /** The used code or refresh token the request read, if it read one. */
    static usedTokenSeen(scope: object): UsedToken | undefined {
      return used.get(scope);
    }

    /** Writes the tokens the request holds, in one statement; it answers only after this. */
    static async writeHeld(scope: object): Promise<void> {
      await writeHeld(scope);
      held.delete(scope);
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with the CLI');
      const { jti: _value, ...stored } = payload as AdapterPayload & Record<string, unknown>;
      if (typeof payload.sessionUid === 'string') stored[RELATED_SESSION] = key(payload.sessionUid);
      if (typeof payload.grantId === 'string' && this.model !== 'Grant') stored[RELATED_GRANT] = key(payload.grantId);
      // An interaction keeps a copy of the browser's session cookie value for the pages;
      // nothing of ours reads it and the provider never does: not stored.
      if (stored.session && typeof stored.session === 'object' && 'cookie' in (stored.session as object)) {
        const { cookie: _cookie, ...session } = stored.session as Record<string, unknown>;
        stored.session = session;
      }
      const row: ArtifactRow = {
        model: this.model,
        id: key(id),
        payload: stored as Record<string, unknown>,
        // Grant ids are not bearer values (they name a grant; nothing is presented with them).
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        userCode: typeof payload.userCode === 'string' ? key(payload.userCode) : null,
        uid: typeof payload.uid === 'string' ? key(payload.uid) : null,
        expiresAt: expiresIn ? new Date(clock().getTime() + expiresIn * 1000) : null,
      };
      const scope = requestScope();
      const holding = scope && HELD_MODELS.has(this.model) ? held.get(scope) : undefined;
      if (scope && holding) {
        readAhead.delete(scope);
        holding.set(`${row.model} ${row.id}`, row);
        return;
      }
      await settle();
      await queries.upsertArtifact(row);
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

    /**
     * A code or refresh token is used once. The provider reads it, sees it unused, then marks
     * it: requests racing with one token all saw it unused, and each got new tokens (a copy
     * stolen and raced against the service made a second family nobody would notice). Only
     * one request marks it now; for the others it is reuse, answered as the provider answers
     * a token used before: the grant and everything issued under it are revoked (the winner's
     * new tokens stop working at their grant check) and the person's audit trail records it
     * (`onReuse`, one transaction), and the request is refused.
     */
    async consume(id: string): Promise<void> {
      await settle();
      const found = await queries.consumeArtifact(this.model, key(id), clock());
      if (found.outcome === 'marked') return;
      const what = this.model === 'AuthorizationCode' ? 'authorization code' : 'token';
      if (found.outcome === 'gone') throw new errors.InvalidGrant(`${what} not found`);
      const request = requestScope() as { req?: unknown } | undefined;
      if (found.grantId) await onReuse({ grantId: found.grantId, grantKey: key(found.grantId), token: tokenName(this.model), ...(request ? { request } : {}) });
      throw new errors.InvalidGrant(`${what} already used: grant revoked`);
    }

    async destroy(id: string): Promise<void> {
      await settle();
      await queries.destroyArtifact(this.model, key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await settle();
      await queries.destroyByGrantId(grantId);
    }

    private async read(by: 'id' | 'uid' | 'user_code', stored: string, id?: string): Promise<AdapterPayload | undefined> {
      const row = await this.fetch(by, stored);
      if (!row) return undefined;
      const { [RELATED_SESSION]: _session, [RELATED_GRANT]: _grant, ...payload } = row.payload as AdapterPayload & Record<string, unknown>;
      // Asked by id: the id goes back as `jti`. Found by uid (a session, read only to see
      // that it is still alive), the stored row cannot give the id back, by design.
      const withId: AdapterPayload = id !== undefined ? { ...payload, jti: id } : payload;
      if (!row.consumed_at) return withId;
      // The provider refuses a used code or rotated refresh token by this field, and revokes
      // its grant itself; what it was for is kept for the request (`usedTokenSeen`).
      const scope = requestScope();
      if (scope && ONCE_MODELS.has(this.model)) {
        used.set(scope, { token: tokenName(this.model), accountId: str(payload.accountId), clientId: str(payload.clientId) });
      }
      return { ...withId, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) };
    }

    /** The stored row: read ahead in this request, or read now (a token with its session and grant). */
    private async fetch(by: 'id' | 'uid' | 'user_code', stored: string): Promise<Read | undefined> {
      const scope = requestScope();
      const mine = by === 'id' && scope ? held.get(scope)?.get(`${this.model} ${stored}`) : undefined;
      if (mine) return { payload: mine.payload, consumed_at: null };
      const ahead = scope && readAhead.get(scope);
      const k = aheadKey(this.model, by, stored);
      if (ahead?.has(k)) return ahead.get(k);
      if (by !== 'id' || !scope) return queries.findArtifact(this.model, by, stored, clock());
      const found = await queries.findArtifactWithRelated(this.model, stored, clock());
      if (!found) return undefined;
      const { session, grant, ...row } = found;
      if (session !== undefined || grant !== undefined) {
        let map = readAhead.get(scope);
        if (!map) readAhead.set(scope, (map = new Map()));
        if (session !== undefined) map.set(aheadKey('Session', 'uid', row.payload[RELATED_SESSION] as string), session);
        if (grant !== undefined) map.set(aheadKey('Grant', 'id', row.payload[RELATED_GRANT] as string), grant);
      }
      return row;
    }
  };
}
