// The organization's services registered for single sign-on (operators use the CLI).
// Confidential clients get a generated secret unless one is given; it is stored sealed.
import { randomBytes } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import { createAccountCopies, type ChangeFeed } from '../db/changes.js';
import { err, ok, type Result } from '../identity/result.js';
import type { Sealer } from './crypto.js';
import type { SsoQueries } from './sso.queries.js';

export type NewClient = {
  clientId: string;
  redirectUris: string[];
  /** Omitted: a random secret is generated. `null`: a public client (PKCE only, no secret). */
  secret?: string | null;
  firstParty?: boolean;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
  name?: string;
  /** `pairwise`: the service gets its own `sub` for each person, unlinkable with other services'. */
  subjectType?: SubjectType;
};

export type ClientProblem =
  | { code: 'client_id_invalid' }
  | { code: 'client_exists' }
  | { code: 'redirect_uri_required' }
  | { code: 'uri_invalid'; uri: string; reason: string }
  | { code: 'secret_too_short' }
  | { code: 'pairwise_hosts' };

export type ClientSummary = {
  clientId: string;
  name: string | undefined;
  firstParty: boolean;
  public: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | undefined;
  /** The one way it authenticates at the token endpoint: `client_secret_basic`, or `none` (public). */
  authMethod: string;
  subjectType: SubjectType;
  createdAt: Date;
};

export type SubjectType = 'public' | 'pairwise';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why a URI may not be registered, or undefined when it may: https (http only on this machine), no fragment. */
export function uriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not a URL';
  }
  if (url.hash) return 'must not contain a fragment (#)';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return undefined;
  return 'must be https (http only for localhost/127.0.0.1)';
}

/** The notice every change of the registered services sends (migration 0911), and the group of their copies. */
export const CLIENTS_CHANGED = 'sso_clients';

export function createClientsService(deps: { queries: SsoQueries; sealer: Sealer; changes?: Pick<ChangeFeed, 'live' | 'generation' | 'subscribe' | 'changed'> }) {
  const { sealer } = deps;
  // The provider reads a client on every token, userinfo and introspection request (twice on
  // the token endpoint): web processes keep copies, dropped on every change of the list
  // (db/changes.ts; none without a feed, e.g. the CLI).
  const copies = deps.changes && createAccountCopies<Awaited<ReturnType<SsoQueries['findClient']>> | null>(deps.changes, { max: 1000, ttlMs: 60_000 });
  const queries: SsoQueries = {
    ...deps.queries,
    findClient: async (clientId) =>
      copies ? ((await copies.read(clientId, async () => ({ accountId: CLIENTS_CHANGED, value: (await deps.queries.findClient(clientId)) ?? null }))) ?? undefined) : deps.queries.findClient(clientId),
    insertClient: async (row) => {
      const inserted = await deps.queries.insertClient(row);
      deps.changes?.changed(CLIENTS_CHANGED);
      return inserted;
    },
    deleteClient: async (clientId) => {
      const deleted = await deps.queries.deleteClient(clientId);
      deps.changes?.changed(CLIENTS_CHANGED);
      return deleted;
    },
  };

  function summary(row: Awaited<ReturnType<SsoQueries['findClient']>> & {}): ClientSummary {
    const m = row.metadata as Record<string, any>;
    return {
      clientId: row.clientId,
      name: m.client_name,
      firstParty: row.firstParty,
      public: row.secretEncrypted === null,
      redirectUris: m.redirect_uris ?? [],
      postLogoutRedirectUris: m.post_logout_redirect_uris ?? [],
      backchannelLogoutUri: m.backchannel_logout_uri,
      authMethod: m.token_endpoint_auth_method ?? (row.secretEncrypted === null ? 'none' : 'client_secret_basic'),
      subjectType: m.subject_type === 'pairwise' ? 'pairwise' : 'public',
      createdAt: row.createdAt,
    };
  }

  return {
    async add(input: NewClient): Promise<Result<{ clientId: string; secret: string | null }, ClientProblem>> {
      if (!/^[A-Za-z0-9._-]{2,64}$/.test(input.clientId)) return err({ code: 'client_id_invalid' });
      if (input.redirectUris.length === 0) return err({ code: 'redirect_uri_required' });
      for (const uri of [...input.redirectUris, ...(input.postLogoutRedirectUris ?? []), ...(input.backchannelLogoutUri ? [input.backchannelLogoutUri] : [])]) {
        const reason = uriProblem(uri);
        if (reason) return err({ code: 'uri_invalid', uri, reason });
      }
      // A pairwise subject is computed per host of the redirect URIs (the sector): one host.
      if (input.subjectType === 'pairwise' && new Set(input.redirectUris.map((u) => new URL(u).host)).size > 1) return err({ code: 'pairwise_hosts' });
      const secret = input.secret === null ? null : (input.secret ?? randomBytes(32).toString('base64url'));
      if (secret !== null && secret.length < 32) return err({ code: 'secret_too_short' });
      const metadata: Record<string, unknown> = {
        client_id: input.clientId,
        redirect_uris: input.redirectUris,
        post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: secret === null ? 'none' : 'client_secret_basic',
        ...(input.name ? { client_name: input.name } : {}),
        ...(input.subjectType === 'pairwise' ? { subject_type: 'pairwise' } : {}),
        ...(input.backchannelLogoutUri ? { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      };
      const inserted = await queries.insertClient({
        clientId: input.clientId,
        metadata,
        secretEncrypted: secret === null ? null : sealer.seal(secret),
        firstParty: input.firstParty ?? false,
      });
      if (!inserted) return err({ code: 'client_exists' });
      return ok({ clientId: input.clientId, secret });
    },

    async list(): Promise<ClientSummary[]> {
      return (await queries.listClients()).map(summary);
    },

    async get(clientId: string): Promise<ClientSummary | undefined> {
      const row = await queries.findClient(clientId);
      return row && summary(row);
    },

    async remove(clientId: string): Promise<boolean> {
      return queries.deleteClient(clientId);
    },

    /** The client metadata the provider validates and uses (with the secret opened). */
    async providerMetadata(clientId: string): Promise<AdapterPayload | undefined> {
      const row = await queries.findClient(clientId);
      if (!row) return undefined;
      return {
        ...(row.metadata as AdapterPayload),
        client_id: row.clientId,
        ...(row.secretEncrypted ? { client_secret: sealer.open(row.secretEncrypted) } : {}),
      };
    },
  };
}

export type ClientsService = ReturnType<typeof createClientsService>;
