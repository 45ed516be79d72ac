// Operator commands of single sign-on: register, list and remove services; rotate the
// signing key. Running servers pick changes up within SSO_REFRESH_SECONDS.
import { parseArgs } from 'node:util';
import type { CliCommand, PortalServices } from '../cli.js';
import { withDatabase } from '../cli.database.js';
import type { Config } from '../config.js';
import type { SsoService } from './sso.service.js';

/** The portal's own service when the command runs inside it (cli.remote.ts), else one on the database. */
async function withSso<T>(config: Config, portal: PortalServices | undefined, run: (sso: SsoService) => Promise<T>): Promise<T> {
  if (portal) return run(portal.sso);
  return withDatabase(config, async (database) => {
    const [{ default: pino }, { createSecrets, resolveSecretKey }, { createSsoService }] = await Promise.all([import('pino'), import('../security/secrets.js'), import('./sso.service.js')]);
    const secrets = createSecrets(resolveSecretKey(config.secretKey, config.dataDir));
    return run(createSsoService({ db: database.db, config, secrets, clock: () => new Date(), logger: pino({ level: 'silent' }) }));
  });
}

export const SSO_COMMANDS: Record<string, CliCommand> = {
  'clients add': {
    inPortal: true,
    usage:
      'clients add --id ID --redirect-uri URI [--redirect-uri URI…] [--secret S | --public] [--first-party] [--name NAME] [--post-logout-redirect-uri URI…] [--backchannel-logout-uri URI] [--subject-type public|pairwise]',
    summary: 'Register a service for single sign-on and print its credentials',
    async run(args, { config, io, portal }) {
      const { values } = parseArgs({
        args,
        options: {
          id: { type: 'string' },
          'redirect-uri': { type: 'string', multiple: true },
          secret: { type: 'string' },
          public: { type: 'boolean' },
          'first-party': { type: 'boolean' },
          name: { type: 'string' },
          'post-logout-redirect-uri': { type: 'string', multiple: true },
          'backchannel-logout-uri': { type: 'string' },
          'subject-type': { type: 'string' },
        },
        strict: true,
      });
      if (!values.id || !values['redirect-uri']?.length) {
        io.err('clients add needs --id and at least one --redirect-uri');
        return 2;
      }
      const subjectType = values['subject-type'] ?? 'public';
      if (subjectType !== 'public' && subjectType !== 'pairwise') {
        io.err('--subject-type is public (the default) or pairwise');
        return 2;
      }
      if (values.public && values.secret) {
        io.err('--public clients have no secret');
        return 2;
      }
      const result = await withSso(config, portal, (sso) =>
        sso.clients.add({
          clientId: values.id!,
          redirectUris: values['redirect-uri']!,
          ...(values.public ? { secret: null } : values.secret ? { secret: values.secret } : {}),
          firstParty: values['first-party'] ?? false,
          ...(values.name ? { name: values.name } : {}),
          postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
          ...(values['backchannel-logout-uri'] ? { backchannelLogoutUri: values['backchannel-logout-uri'] } : {}),
          subjectType,
        }),
      );
      if (!result.ok) {
        const e = result.error;
        const why = {
          client_id_invalid: 'the id may have 2–64 letters, digits, dot, underscore or dash',
          client_exists: `a service with id "${values.id}" is already registered`,
          redirect_uri_required: 'at least one --redirect-uri is needed',
          uri_invalid: e.code === 'uri_invalid' ? `${e.uri}: ${e.reason}` : '',
          secret_too_short: 'the secret must have at least 32 characters',
          pairwise_hosts: 'a pairwise service needs all its --redirect-uri on one host',
        }[e.code];
        io.err(`clients add: ${why}`);
        return 1;
      }
      io.out(`client_id:     ${result.value.clientId}`);
      io.out(result.value.secret ? `client_secret: ${result.value.secret}` : 'client_secret: (none: public client, PKCE only)');
      io.out(`issuer:        ${config.publicUrl}`);
      io.out(`discovery:     ${config.publicUrl}/.well-known/openid-configuration`);
      if (result.value.secret && !values.secret) io.out('Keep the secret now: it is not shown again.');
      return 0;
    },
  },
  'clients list': {
    inPortal: true,
    usage: 'clients list',
    summary: 'List the services registered for single sign-on',
    async run(_args, { config, io, portal }) {
      const list = await withSso(config, portal, (sso) => sso.clients.list());
      if (list.length === 0) io.out('no services registered');
      for (const c of list) {
        const flags = [
          c.firstParty ? 'first-party' : 'consent',
          c.public ? 'public' : 'confidential',
          c.subjectType === 'pairwise' ? 'pairwise sub' : '',
          c.backchannelLogoutUri ? 'back-channel logout' : '',
        ].filter(Boolean);
        io.out(`${c.clientId}${c.name ? ` (${c.name})` : ''}  [${flags.join(', ')}]`);
        for (const uri of c.redirectUris) io.out(`  redirect:    ${uri}`);
        for (const uri of c.postLogoutRedirectUris) io.out(`  post-logout: ${uri}`);
        if (c.backchannelLogoutUri) io.out(`  back-channel: ${c.backchannelLogoutUri}`);
      }
      return 0;
    },
  },
  'clients remove': {
    inPortal: true,
    usage: 'clients remove --id ID',
    summary: 'Remove a service (its tokens stop working)',
    async run(args, { config, io, portal }) {
      const { values } = parseArgs({ args, options: { id: { type: 'string' } }, strict: true });
      if (!values.id) {
        io.err('clients remove needs --id');
        return 2;
      }
      const removed = await withSso(config, portal, (sso) => sso.clients.remove(values.id!));
      if (!removed) {
        io.err(`no service with id "${values.id}"`);
        return 1;
      }
      io.out(`removed ${values.id}`);
      return 0;
    },
  },
  'keys rotate': {
    inPortal: true,
    usage: 'keys rotate',
    summary: 'Create a new signing key; older keys keep verifying until their tokens expire',
    async run(_args, { config, io, portal }) {
      const { kid, retired } = await withSso(config, portal, async (sso) => {
        await sso.keys.ensureCurrentKey();
        return sso.keys.rotate();
      });
      io.out(`new signing key: ${kid}`);
      if (retired.length) io.out(`retired (still published for verification): ${retired.join(', ')}`);
      io.out(portal ? 'the running portal uses it now' : `running servers switch within ${config.sso.refreshSeconds} s`);
      return 0;
    },
  },
  'keys list': {
    inPortal: true,
    usage: 'keys list',
    summary: 'List the signing keys (current and retired)',
    async run(_args, { config, io, portal }) {
      const keys = await withSso(config, portal, (sso) => sso.keys.list());
      for (const k of keys) io.out(`${k.kid}  ${k.alg}  created ${k.createdAt.toISOString()}  ${k.retiredAt ? `retired ${k.retiredAt.toISOString()}` : 'current'}`);
      if (keys.length === 0) io.out('no keys yet (created at first start)');
      return 0;
    },
  },
};
