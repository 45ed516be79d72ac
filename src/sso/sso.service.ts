// Single sign-on as one service: keys and clients in the database, the provider built from
// them (and rebuilt when another process rotates keys), sign-out of every service for an
// account, housekeeping. The web layer (sso.routes.ts) supplies the pages at start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { Config } from '../config.js';
import type { Queryable } from '../db/database.js';
import type { Secrets } from '../security/secrets.js';
import { createAdapterClass, type ReuseHandler } from './adapter.js';
import { recordAudit } from '../audit/audit.js';
import { ACR, type Acr } from './assurance.js';
import type { ChangeFeed } from '../db/changes.js';
import { createClientsService } from './clients.service.js';
import { createSealer } from './crypto.js';
import { createKeysService } from './keys.service.js';
import { createProvider, type ProviderDeps } from './provider.js';
import { createSsoQueries, isAccountId } from './sso.queries.js';
import { createAccountsReader, type AccountsReader } from '../accounts/accounts.reader.js';

export type SsoWeb = Pick<ProviderDeps, 'renderError' | 'logoutSource' | 'postLogoutSuccessSource' | 'portalAccount'> & {
  /** The address a provider request came from, as the web server determined it (TRUST_PROXY). */
  clientIp?: (req: IncomingMessage) => string | undefined;
  /** Runs around every provider request (e.g. ending the portal session after sign-out). */
  middleware?: (ctx: any, next: () => Promise<void>) => Promise<void>;
};

/**
 * The grant of a code or refresh token used twice, and everything issued under it, revoked;
 * the account's audit trail records it (the service, the token, the address), in the same
 * transaction.
 */
export async function revokeReusedGrant(db: Queryable, reuse: { grantId: string; grantKey: string; token: string; ip: string | null; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await createSsoQueries(trx).revokeGrant(reuse.grantId, reuse.grantKey);
    if (!revoked) return;
    await recordAudit(trx, {
      actorType: 'system',
      accountId: revoked.accountId,
      event: 'sso.token_reused',
      data: { client: revoked.clientId, token: reuse.token, revoked: revoked.revoked },
      ip: reuse.ip,
      at: reuse.at,
    });
  });
}

export function createSsoService(deps: {
  db: Queryable;
  config: Config;
  secrets: Secrets;
  clock: () => Date;
  logger: Logger;
  accounts?: AccountsReader;
  /** The claims of scope `doctor` (the doctors capability); absent: the scope releases nothing. */
  doctorClaims?: ProviderDeps['doctorClaims'];
  /** Notices of changes (web processes keep copies of the registered services meanwhile). */
  changes?: ChangeFeed;
}) {
  const { config, secrets, clock, logger } = deps;
  const queries = createSsoQueries(deps.db);
  // Accounts are read through the accounts capability (claims, assurance level).
  const accounts = deps.accounts ?? createAccountsReader(deps.db, deps.changes);
  const keys = createKeysService({
    queries,
    sealer: createSealer(secrets, 'signing-keys'),
    clock,
    // A retired key must outlive every ID token it signed.
    retentionSeconds: Math.max(config.sso.keyRetentionSeconds, config.sso.idTokenTtlSeconds + 300),
  });
  const clients = createClientsService({ queries, sealer: createSealer(secrets, 'client-secrets'), ...(deps.changes ? { changes: deps.changes } : {}) });
  /** The stored key of a provider artifact's id (see adapter.ts). */
  const artifactKey = (value: string) => secrets.hmac('sso-artifact', value);
  /** Provider requests refused for a code or refresh token used before (grant.error). */
  const reused = new WeakSet<object>();
  /**
   * A code or refresh token used twice is a sign of theft (a copy raced against or replayed
   * after the service): the grant and everything issued under it are revoked, and the
   * account's audit trail records it, with the service and the address, in one transaction.
   */
  const onReuse: ReuseHandler = async ({ grantId, grantKey, token, request }) => {
    const ip = (request?.req ? web?.clientIp?.(request.req as IncomingMessage) : undefined) ?? null;
    await revokeReusedGrant(deps.db, { grantId, grantKey, token, ip, at: clock() });
  };
  const Adapter = createAdapterClass({ queries, onReuse, clock, findClient: (id) => clients.providerMetadata(id), key: artifactKey });

  let web: SsoWeb | undefined;
  let current: { provider: Provider; handler: (req: IncomingMessage, res: ServerResponse) => void; fingerprint: string } | undefined;
  let firstParty = new Set<string>();
  let formAction = "'self'";
  let timer: NodeJS.Timeout | undefined;

  async function loadClients() {
    const list = await clients.list();
    firstParty = new Set(list.filter((c) => c.firstParty).map((c) => c.clientId));
    // Chromium applies form-action to the redirects after a form post: the sign-in form's
    // redirect chain ends at a registered service, so those origins are allowed.
    const origins = new Set<string>();
    for (const c of list) for (const uri of [...c.redirectUris, ...c.postLogoutRedirectUris]) origins.add(new URL(uri).origin);
    formAction = ["'self'", ...[...origins].sort()].join(' ');
  }

  async function build() {
    if (!web) return;
    await keys.pruneRetired();
    const jwks = await keys.jwks();
    if (current && current.fingerprint === jwks.fingerprint) return;
    const provider = createProvider({
      config,
      queries,
      accounts,
      adapter: Adapter,
      jwks: jwks.keys,
      cookieKeys: [secrets.hmac('sso-cookies', 'v1')],
      isFirstParty: async (clientId) => firstParty.has(clientId) || (await clients.get(clientId))?.firstParty === true,
      assurance: service.assurance,
      pairwiseSubject: (sector, accountId) => secrets.hmac('sso-pairwise', `${sector}\0${accountId}`),
      ...(deps.doctorClaims ? { doctorClaims: deps.doctorClaims } : {}),
      ...web,
    });
    if (web.middleware) provider.use(web.middleware);
    // A request's new tokens are written together once the provider has answered, before the
    // answer leaves (adapter.ts): nothing is handed out that is not stored. When they cannot
    // be stored the answer is withdrawn for a 503 the service may retry.
    provider.use(async (ctx, next) => {
      Adapter.holdWrites(ctx);
      await next();
      const seen = reused.has(ctx) ? Adapter.usedTokenSeen(ctx) : undefined;
      if (seen) {
        const ip = web?.clientIp?.(ctx.req) ?? null;
        await recordAudit(deps.db, { actorType: 'system', accountId: isAccountId(seen.accountId) ? seen.accountId : null, event: 'sso.token_reused', data: { client: seen.clientId, token: seen.token }, ip, at: clock() }).catch((err) =>
          logger.error({ err, clientId: seen.clientId }, 'sso: the audit event of a token used twice could not be written'),
        );
      }
      try {
        await Adapter.writeHeld(ctx);
      } catch (error) {
        logger.error({ err: error, route: ctx.oidc?.route }, 'sso: new tokens could not be stored; the request is refused');
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; try again shortly' };
      }
    });
    provider.on('server_error', (_ctx, error) => logger.error({ err: error }, 'sso provider error'));
    provider.on('backchannel.error', (_ctx, error, client) => logger.warn({ err: { message: (error as Error).message }, clientId: client.clientId }, 'back-channel logout failed'));
    // A token used twice (a copy raced against or replayed after the service) is a sign of
    // theft: the grant is revoked and operators are told, with the detail. Used at the same
    // time, the adapter revoked it and wrote the audit event (onReuse); used after it was
    // used, the provider revoked it itself, and the audit event is written before the answer
    // leaves (above).
    provider.on('grant.error', (ctx, error) => {
      const e = error as { error?: string; error_description?: string; error_detail?: string };
      const reuse = typeof e.error_detail === 'string' && /already (used|consumed)/.test(e.error_detail);
      logger[reuse ? 'warn' : 'info'](
        { error: e.error, description: e.error_description, detail: e.error_detail, clientId: ctx.oidc?.client?.clientId },
        reuse ? 'sso: a token was used twice; its grant is revoked' : 'sso grant refused',
      );
      if (reuse) reused.add(ctx);
    });
    current = { provider, handler: provider.callback(), fingerprint: jwks.fingerprint };
    logger.info({ keys: jwks.fingerprint }, 'sso provider ready');
  }

  async function endSessions(accountId: string, sessions: { id: string; payload: unknown }[]): Promise<{ sessions: number; notified: number }> {
    if (!current || sessions.length === 0) return { sessions: 0, notified: 0 };
    const { provider } = current;
    let notified = 0;
    for (const s of sessions) {
      const authorizations = ((s.payload as any)?.authorizations ?? {}) as Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
      for (const [clientId, auth] of Object.entries(authorizations)) {
        const client = await provider.Client.find(clientId).catch(() => undefined);
        if (client?.backchannelLogoutUri && auth.sid) {
          try {
            await (client as any).backchannelLogout(accountId, auth.sid);
            notified++;
          } catch (e) {
            logger.warn({ err: { message: (e as Error).message }, clientId }, 'back-channel logout failed');
          }
        }
        if (auth.grantId && !auth.persistsLogout) {
          await queries.destroyByGrantId(auth.grantId);
          await queries.destroyArtifact('Grant', artifactKey(auth.grantId));
        }
      }
      // `s.id` is the stored key already (sessions are listed from the table).
      await queries.destroyArtifact('Session', s.id);
    }
    return { sessions: sessions.length, notified };
  }

  const service = {
    queries,
    keys,
    clients: {
      ...clients,
      async add(input: Parameters<typeof clients.add>[0]) {
        const r = await clients.add(input);
        if (r.ok) await loadClients();
        return r;
      },
      async remove(clientId: string) {
        const r = await clients.remove(clientId);
        await loadClients();
        return r;
      },
    },

    /**
     * The `acr` level of an account: verified in person at a branch (activated by staff who
     * saw the documents, created at a branch, or a foreign national whose documents staff
     * recorded before the registration), or online.
     */
    async assurance(accountId: string): Promise<Acr> {
      const identity = await accounts.identitySource(accountId);
      if (!identity) return ACR.registries;
      if (identity.source === 'branch') return ACR.branch;
      if (identity.foreignNationalId && (await queries.foreignNationalSeenAtBranch(identity.foreignNationalId))) return ACR.branch;
      return ACR.registries;
    },

    /** At start: a signing key exists and the services are known. */
    async init() {
      await keys.ensureCurrentKey();
      await loadClients();
    },

    /** Builds the provider with the web layer's pages and re-reads keys and services periodically. */
    async start(w: SsoWeb) {
      web = w;
      await service.init();
      await build();
      timer = setInterval(() => {
        service.refresh().catch((e) => logger.warn({ err: e }, 'sso refresh failed'));
      }, config.sso.refreshSeconds * 1000);
      timer.unref();
    },

    /** Re-reads services and keys; a rotated key (by any process) rebuilds the provider. */
    async refresh() {
      await loadClients();
      await build();
    },

    provider(): Provider {
      if (!current) throw new Error('single sign-on is not started');
      return current.provider;
    },

    handle(req: IncomingMessage, res: ServerResponse) {
      if (!current) throw new Error('single sign-on is not started');
      current.handler(req, res);
    },

    /** The CSP form-action sources: this portal and the registered services. */
    formActionSources: () => formAction,

    isFirstParty: (clientId: string) => firstParty.has(clientId),

    /**
     * The single sign-on session of this browser: the id in the provider's signed session
     * cookie (a forged or unsigned cookie gives undefined).
     */
    browserSessionId(req: IncomingMessage, res: ServerResponse): string | undefined {
      if (!current) return undefined;
      const { provider } = current;
      const id = provider.createContext(req, res).cookies.get(provider.cookieName('session'), { signed: true });
      return id || undefined;
    },

    /**
     * Ends the single sign-on session of this browser (the person signed out of the portal
     * here): the services it opened that have a back-channel logout URI are told, its grants
     * and their tokens are revoked. Sessions of the same account in other browsers stay.
     */
    async endBrowserSession(req: IncomingMessage, res: ServerResponse): Promise<{ sessions: number; notified: number }> {
      const id = service.browserSessionId(req, res);
      if (!id) return { sessions: 0, notified: 0 };
      const stored = artifactKey(id);
      const session = await queries.findArtifact('Session', 'id', stored, clock());
      const accountId = (session?.payload as { accountId?: unknown } | undefined)?.accountId;
      if (!session || typeof accountId !== 'string') return { sessions: 0, notified: 0 };
      return endSessions(accountId, [{ id: stored, payload: session.payload }]);
    },

    /**
     * Ends every single sign-on session of an account (all its browsers, or all but
     * `except`): each service that has a back-channel logout URI is told, grants and their
     * tokens are revoked. A service that cannot be reached is logged, never thrown.
     */
    async endSessionsOf(accountId: string, options: { except?: string | undefined } = {}): Promise<{ sessions: number; notified: number }> {
      if (!current) return { sessions: 0, notified: 0 };
      // `except` is the browser's session id (its cookie); rows are keyed by its hash.
      const keep = options.except === undefined ? undefined : artifactKey(options.except);
      const sessions = (await queries.sessionsOfAccount(accountId, clock())).filter((s) => s.id !== keep);
      return endSessions(accountId, sessions);
    },

    async purgeExpired(): Promise<number> {
      return queries.purgeExpiredArtifacts(clock());
    },

    stop() {
      if (timer) clearInterval(timer);
    },
  };
  return service;
}

export type SsoService = ReturnType<typeof createSsoService>;
