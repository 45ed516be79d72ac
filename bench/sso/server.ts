// A process for the single sign-on bench, started by bench/scenarios/sso.ts with fork():
//   app  — the real web process (bench/http/server.ts's startPortal: platform, queue, app, on a
//          fresh PostgreSQL schema or PGlite in memory) with PUBLIC_URL on its own port, one
//          seeded account per connection, each signed in to the portal (a browser session),
//          and one confidential first-party service registered through the SSO service;
//   bare — the ceiling: oidc-provider alone (the project's copy, in node_modules) with its
//          own in-memory adapter (a store large enough to evict nothing), on node:http, configured as the portal's provider is
//          where it matters for these paths: the same routes, scopes and claims, one RS256
//          key (RSA 2048, as keys.service.ts makes), opaque access tokens, refresh tokens
//          issued without offline_access and rotated on every use (so bound to the session,
//          as in the portal), the same TTLs, client_secret_basic, PKCE required; accounts
//          and their claims from memory; its interaction page signs in and grants at once.
// Listens on 127.0.0.1 and talks to the parent over IPC (ready; cpu → its CPU time so far;
// profile-start / profile-stop → a CPU profile of one load, written to a file; stop).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import Provider, { type Adapter, type Configuration, type JWK } from 'oidc-provider';
import { loadConfig } from '../../src/config.js';
import { ACR, ACR_VALUES } from '../../src/sso/assurance.js';
import { CLAIMS, CLIENT_DEFAULTS, ROUTES, SCOPE_CLAIMS } from '../../src/sso/provider.js';
import { benchNationalCode, BENCH_PASSWORD, startPortal } from '../http/server.js';
import { BENCH_CLIENT, type Ready } from './client.js';

const send = (m: object) => process.send!(m);

/** What the parent asks either side during the loads: its CPU time so far; a CPU profile of a load. */
function answerControl() {
  let profiler: Session | undefined;
  process.on('message', async (m: { type: string; file?: string }) => {
    try {
      if (m.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
      else if (m.type === 'profile-start') {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
        send({ type: 'profile-started' });
      } else if (m.type === 'profile-stop' && profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(m.file!, JSON.stringify(profile));
        profiler.disconnect();
        profiler = undefined;
        send({ type: 'profile-stopped' });
      }
    } catch (e) {
      send({ type: 'error', message: String((e as Error).stack ?? e) });
    }
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function startApp(browsers: number) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const portal = await startPortal({ PORT: String(port), PUBLIC_URL: base });
  const { platform } = portal;
  await portal.seed(browsers);
  // The redirect URI is never fetched: the bench reads the code from the Location header.
  const redirectUri = `${base}/bench/cb`;
  const added = await platform.sso.clients.add({ clientId: BENCH_CLIENT.clientId, secret: BENCH_CLIENT.secret, redirectUris: [redirectUri], firstParty: true, name: 'Bench' });
  if (!added.ok) throw new Error(`client registration failed: ${JSON.stringify(added.error)}`);
  // One person per connection, each signed in to the portal by the real sign-in (their own
  // address, so no sign-in limit is reached).
  const cookies: string[] = [];
  for (let i = 1; i <= browsers; i++) {
    const web = await platform.signin.signIn(
      { username: benchNationalCode(i), password: BENCH_PASSWORD },
      { ip: `10.9.${i >> 8}.${i & 255}`, lang: 'fa', userAgent: 'bench', kind: 'web' },
    );
    if (!web.ok) throw new Error(`web sign-in ${i} failed: ${JSON.stringify(web)}`);
    cookies.push(`dargah_session=${web.value.session.token}`);
  }
  const keys = await platform.sso.keys.list();
  process.on('message', async (m: { type: string }) => {
    if (m.type !== 'stop') return;
    try {
      await portal.close();
      process.exit(0);
    } catch (e) {
      send({ type: 'error', message: String((e as Error).stack ?? e) });
    }
  });
  answerControl();
  send({ type: 'ready', base, redirectUri, cookies, database: portal.database, signing: `${keys.map((k) => k.alg).join(', ')} (RSA 2048, keys.service.ts)` } satisfies Ready);
}

async function startBare() {
  const config = loadConfig({ ...process.env, DATA_DIR: tmpdir() });
  const ttl = config.sso;
  // A signing key as keys.service.ts makes it.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `bench-${randomBytes(6).toString('base64url')}`, alg: 'RS256', use: 'sig' } as JWK;

  // The people, in memory, with the claims the seeded accounts give (bench/http/server.ts's seed).
  const accounts = new Map<string, { given_name: string; family_name: string }>();
  const order: string[] = [];
  let next = 0;
  const personFor = () => {
    if (order.length <= next) {
      const id = randomUUID();
      accounts.set(id, { given_name: 'علی', family_name: 'رضایی' });
      order.push(id);
    }
    return order[next++]!;
  };

  let handler!: (req: IncomingMessage, res: ServerResponse) => void;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) void interaction(req, res);
    else handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${base}/bench/cb`;

  // oidc-provider's own in-memory adapter, with a store that never evicts during a run (its
  // default store keeps 1,000 entries in two generations: under this load it drops grants
  // and sessions still in use — a connection whose first refresh came ~1 s after the others
  // found its grant gone). The portal's table keeps everything too.
  const { default: MemoryAdapter } = (await import('oidc-provider/lib/adapters/memory_adapter.js' as string)) as { default: new (model: string, store: unknown) => Adapter };
  const { default: LRU } = (await import('oidc-provider/lib/helpers/lru.js' as string)) as { default: new (o: { maxSize: number }) => unknown };
  const store = new LRU({ maxSize: 10_000_000 });

  const configuration: Configuration = {
    adapter: class extends MemoryAdapter {
      constructor(model: string) {
        super(model, store);
      }
    },
    clients: [
      {
        client_id: BENCH_CLIENT.clientId,
        client_secret: BENCH_CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    acrValues: ACR_VALUES,
    subjectTypes: ['public', 'pairwise'],
    // The portal's own claims and client defaults (src/sso/provider.ts), so the ceiling keeps its profile.
    claims: CLAIMS,
    clientDefaults: CLIENT_DEFAULTS,
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // As the portal: a refresh token for every service with the refresh grant, rotated on every use.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
    rotateRefreshToken: () => true,
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims(_use, scope) {
          const scopes = new Set(String(scope ?? '').split(' '));
          return { sub, ...(scopes.has('profile') ? account : {}) };
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
  };
  const provider = new Provider(base, configuration);
  handler = provider.callback();
  provider.on('server_error', (_ctx, error) => console.error('bare provider error', error));
  // Why a refresh is refused (the answer says only "grant request is invalid").
  provider.on('grant.error', (_ctx, error) => console.error(`  ! bare provider: ${(error as { error_detail?: string }).error_detail ?? error.message}`));

  /** The interaction page: signs a new person in (password, registries level), then grants what is asked. */
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    try {
      const d = await provider.interactionDetails(req, res);
      if (d.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: personFor(), amr: ['pwd'], acr: ACR.registries } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: d.session!.accountId, clientId: String(d.params.client_id) });
      const missing = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  }

  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  answerControl();
  send({ type: 'ready', base, redirectUri, cookies: [], signing: `${jwk.alg} (RSA 2048)` } satisfies Ready);
}

if (process.send && process.env.BENCH_CHILD === 'sso') {
  const [mode, browsers] = process.argv.slice(2);
  (mode === 'bare' ? startBare() : startApp(Number(browsers ?? 1))).catch((e) => {
    send({ type: 'error', message: String((e as Error).stack ?? e) });
    process.exit(1);
  });
}
