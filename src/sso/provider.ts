// The oidc-provider configuration: issuer = PUBLIC_URL, code flow with PKCE S256 required,
// refresh tokens rotated on every use, revocation, introspection, userinfo, RP-initiated and
// back-channel logout; our storage, our pages, our claims.
import type { IncomingMessage } from 'node:http';
import Provider, { interactionPolicy, type Adapter, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.js';
import { ACR_VALUES, acrSatisfies, requestedAcrs, type Acr } from './assurance.js';
import type { SsoQueries } from './sso.queries.js';
import type { AccountsReader } from '../accounts/accounts.reader.js';

/** Scopes and the claims each one releases. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['given_name', 'family_name', 'gender', 'birthdate'],
  phone: ['phone_number', 'phone_number_verified'],
  national_id: ['national_id'],
  permissions: ['permissions'],
  /** A verified doctor's medical council number and specialty (doctors capability). */
  doctor: ['medical_council_number', 'specialty'],
} as const;

/** The claims of each scope; the ID token also says how the person signed in (amr) and how their identity was verified (acr). */
export const CLAIMS = Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, scope === 'openid' ? [...claims, 'acr', 'amr'] : [...claims]]));

/** What a registered service gets unless it says otherwise. */
export const CLIENT_DEFAULTS = {
  grant_types: ['authorization_code', 'refresh_token'],
  id_token_signed_response_alg: 'RS256',
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  // Every ID token says when the person really signed in.
  require_auth_time: true,
} satisfies Configuration['clientDefaults'];

export const ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/userinfo',
  jwks: '/oidc/jwks',
  end_session: '/oidc/session/end',
  introspection: '/oidc/token/introspection',
  revocation: '/oidc/token/revocation',
  // Under /oidc like every endpoint (the mount hands /oidc/* to the provider).
  pushed_authorization_request: '/oidc/request',
} as const;

/** The portal sign-in a browser holds, as single sign-on sees it. */
export type PortalLogin = {
  accountId: string;
  /** When the person proved who they are (seconds since the epoch). */
  authTime: number;
  amr: string[];
};

export type ProviderDeps = {
  config: Config;
  queries: SsoQueries;
  accounts: AccountsReader;
  adapter: new (model: string) => Adapter;
  jwks: JWK[];
  cookieKeys: string[];
  isFirstParty: (clientId: string) => Promise<boolean>;
  /** The portal sign-in of a raw request (undefined: not signed in or a change is pending). */
  portalAccount: (req: IncomingMessage) => Promise<PortalLogin | undefined>;
  /** How the account's identity was verified (the `acr` level). */
  assurance: (accountId: string) => Promise<Acr>;
  /** A pairwise subject: the same for one account at one sector, unlinkable across sectors. */
  pairwiseSubject: (sector: string, accountId: string) => string;
  renderError: NonNullable<Configuration['renderError']>;
  logoutSource: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
  postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => Promise<void>;
  /** Claims of scope `doctor` for an account; null when it is not a verified doctor. */
  doctorClaims?: (accountId: string) => Promise<{ medical_council_number: string; specialty: string } | null>;
};

export function createProvider(deps: ProviderDeps): Provider {
  const { config, queries } = deps;
  const ttl = config.sso;

  const { Check } = interactionPolicy;
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;

  // A browser signed in to the portal is signed in for the services too: as an authorization
  // request loads the provider session, the session takes the portal sign-in (its account,
  // its real time of authentication, its methods and level), before the account, the grant
  // and the checks are read. So `prompt=none` succeeds for a signed-in person, and
  // `max_age` and `prompt=login` are judged against the real sign-in time.
  const portals = new WeakMap<object, Promise<PortalLogin | undefined>>();
  const portalOf = (ctx: KoaContextWithOIDC) => {
    let p = portals.get(ctx);
    if (!p) portals.set(ctx, (p = deps.portalAccount(ctx.req)));
    return p;
  };
  const adoptPortalSignIn = async (ctx: KoaContextWithOIDC, session: InstanceType<Provider['Session']>) => {
    const portal = await portalOf(ctx);
    if (!portal) return;
    const same = session.accountId === portal.accountId;
    if (session.accountId && !(same && portal.authTime > (session.loginTs ?? 0))) return;
    session.loginAccount({ accountId: portal.accountId, loginTs: portal.authTime, amr: portal.amr, acr: await deps.assurance(portal.accountId) });
    // Saved (and its cookie set) at the end of the request like any changed session.
    Reflect.defineProperty(session, 'touched', { writable: true, value: true });
  };

  // The provider session counts only while the same person is signed in to the portal:
  // signing out of the portal (or signing in as someone else) asks for a login again.
  login.checks.add(
    new Check('portal_session', 'the portal session ended or belongs to another account', async (ctx) => {
      if (ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const portal = await portalOf(ctx);
      return portal !== undefined && portal.accountId === ctx.oidc.session?.accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  // `acr_values`: a service that needs the branch-verified level gets it, or the person is
  // shown why not (the interaction page) and the service gets unmet_authentication_requirements.
  login.checks.add(
    new Check(
      'acr_values',
      'the requested assurance level is not met by this account',
      'unmet_authentication_requirements',
      async (ctx) => {
        const requested = requestedAcrs(ctx.oidc.params?.acr_values);
        if (requested.length === 0 || !ctx.oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
        return acrSatisfies(ctx.oidc.session.acr, requested) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
      (ctx) => ({ acr_values: requestedAcrs(ctx.oidc.params?.acr_values) }),
    ),
  );

  const configuration: Configuration = {
    adapter: deps.adapter,
    jwks: { keys: deps.jwks },
    cookies: {
      keys: deps.cookieKeys,
      names: { session: 'sso_session', interaction: 'sso_interaction', resume: 'sso_resume' },
      long: { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:') },
      short: { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:') },
    },
    routes: ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    acrValues: ACR_VALUES,
    // `pairwise` per service (`clients add --subject-type pairwise`): keyed by SECRET_KEY, so
    // the same on every server and across restarts.
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => deps.pairwiseSubject(String(client.sectorIdentifier ?? client.clientId), accountId),
    claims: CLAIMS,
    clientDefaults: CLIENT_DEFAULTS,
    features: {
      devInteractions: { enabled: false },
      // Served at /oidc/request (ROUTES) and listed in discovery; PKCE applies as usual.
      pushedAuthorizationRequests: { enabled: true },
      // A service may introspect its own tokens; the organization's confidential (first-party)
      // services may introspect any, as resource servers. Public clients: their own only.
      introspection: {
        enabled: true,
        async allowedPolicy(ctx, client, token) {
          if (token.clientId === client.clientId) return true;
          return client.clientAuthMethod !== 'none' && (await deps.isFirstParty(client.clientId));
        },
      },
      // Only the service a token was issued to may revoke it.
      revocation: {
        enabled: true,
        async allowedPolicy(_ctx, client, token) {
          return token.clientId === client.clientId;
        },
      },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: deps.logoutSource, postLogoutSuccessSource: deps.postLogoutSuccessSource },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    // The organization's own services do not ask for consent: the grant is made here.
    async loadExistingGrant(ctx) {
      const client = ctx.oidc.client!;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        // A first-party grant follows what is asked for now (scopes may grow between requests).
        if (grant && (await deps.isFirstParty(client.clientId))) {
          grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
          await grant.save();
        }
        // A grant that is gone (revoked after a refresh-token reuse, or expired) is made
        // again below for a first-party service: never a consent page for those.
        if (grant || !(await deps.isFirstParty(client.clientId))) return grant;
      }
      if (await deps.isFirstParty(client.clientId)) {
        const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
        await grant.save();
        return grant;
      }
      return undefined;
    },
    // Every service with the refresh grant gets a refresh token (offline_access is not needed);
    // it dies with the portal sign-out because it expires with the session.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
    rotateRefreshToken: () => true,
    async findAccount(_ctx, sub) {
      const account = await deps.accounts.forClaims(sub);
      if (!account || account.status !== 'active' || account.disabled_at) return undefined;
      return {
        accountId: account.id,
        async claims(_use, scope) {
          const scopes = new Set(String(scope ?? '').split(' '));
          return {
            sub: account.id,
            ...(scopes.has('profile')
              ? {
                  given_name: account.first_name ?? undefined,
                  family_name: account.last_name ?? undefined,
                  gender: account.gender ?? undefined,
                  birthdate: account.birth_date ?? undefined,
                }
              : {}),
            ...(scopes.has('phone') && account.mobile
              ? { phone_number: `+98${account.mobile.slice(1)}`, phone_number_verified: account.mobile_verified_at !== null }
              : {}),
            ...(scopes.has('national_id') ? { national_id: account.national_code ?? account.foreign_national_id ?? undefined } : {}),
            ...(scopes.has('permissions') ? { permissions: account.permissions } : {}),
            ...(scopes.has('doctor') && deps.doctorClaims ? ((await deps.doctorClaims(account.id)) ?? {}) : {}),
          };
        },
      };
    },
    ttl: {
      AccessToken: ttl.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: ttl.idTokenTtlSeconds,
      RefreshToken: ttl.refreshTokenTtlSeconds,
      Interaction: 30 * 60,
      Session: ttl.sessionTtlSeconds,
      Grant: ttl.sessionTtlSeconds,
    },
    renderError: deps.renderError,
    // The provider only calls URLs operators registered (back-channel logout); the
    // organization's services live on internal addresses, which its SSRF guard refuses.
    fetch: (url, options) => {
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
  };

  const provider = new Provider(config.publicUrl, configuration);
  const Session = provider.Session;
  const loadSession = Session.get.bind(Session);
  Session.get = async (ctx) => {
    const session = await loadSession(ctx);
    if ((ctx as KoaContextWithOIDC).oidc?.route === 'authorization') await adoptPortalSignIn(ctx as KoaContextWithOIDC, session);
    return session;
  };
  // Host and scheme are pinned to PUBLIC_URL by the mount (X-Forwarded-* set there).
  provider.proxy = true;
  return provider;
}
