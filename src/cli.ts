// `npm run cli -- <command>`: operator commands. Each command is a small function in the
// COMMANDS table; `--help` lists them.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { withDatabase } from './cli.database.js';
import { STAFF_COMMANDS } from './backoffice/backoffice.cli.js';
import { SSO_COMMANDS } from './sso/sso.cli.js';
import { lifecycleMarkdown } from './accounts/transitions.js';
import { DB_ROLE_COMMANDS } from './security/dbRoles.js';
import type { StaffService } from './backoffice/staff.service.js';
import type { SsoService } from './sso/sso.service.js';
import { EmbeddedDatabaseBusy, claimAdminSocket, runInHolder, type RemoteResult } from './cli.remote.js';

export type CliIo = { out: (line: string) => void; err: (line: string) => void };
/** A running portal's own services: a command sent to it (cli.remote.ts) uses these, never a database of its own. */
export type PortalServices = { sso: SsoService; staff: Pick<StaffService, 'create'> };
export type CliCommand = {
  usage: string;
  summary: string;
  /** May run inside a running portal (on the embedded database, the only way while one runs). */
  inPortal?: boolean;
  run(args: string[], ctx: { config: Config; io: CliIo; portal?: PortalServices | undefined }): Promise<number>;
};

export const COMMANDS: Record<string, CliCommand> = {
  ...STAFF_COMMANDS,
  ...SSO_COMMANDS,
  'accounts lifecycle': {
    usage: 'accounts lifecycle',
    summary: 'Print the account lifecycle (state diagram and transition table) as Markdown: docs/account-lifecycle.md',
    async run(_args, { io }) {
      io.out(lifecycleMarkdown());
      return 0;
    },
  },
  ...DB_ROLE_COMMANDS,
  'branches import': {
    usage: 'branches import FILE',
    summary: 'Add or update branches from a CSV (code,name,province,city); existing codes are updated',
    async run(args, { config, io }) {
      const file = args.find((a) => !a.startsWith('-'));
      if (!file) {
        io.err('usage: branches import FILE');
        return 2;
      }
      const [{ createBranchService }, { RegistryDataError }] = await Promise.all([import('./insured/branches.service.js'), import('./registries/index.js')]);
      try {
        return await withDatabase(config, async (database) => {
          const result = await createBranchService({ db: database.db, clock: () => new Date() }).importCsv(file);
          io.out(`branches read: ${result.read}, added or updated: ${result.written}`);
          return 0;
        });
      } catch (e) {
        if (e instanceof RegistryDataError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
          io.err(`cannot import ${file}: ${(e as Error).message}`);
          return 1;
        }
        throw e;
      }
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'Apply database migrations (also done at every start)',
    async run(_args, { config, io }) {
      return withDatabase(config, async (_database, applied) => {
        io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        return 0;
      });
    },
  },
};

function help(io: CliIo) {
  io.out('Usage: npm run cli -- <command> [options]\n\nCommands:');
  for (const c of Object.values(COMMANDS)) {
    io.out(`  ${c.usage}`);
    io.out(`      ${c.summary}`);
  }
  io.out('\nConfiguration comes from the environment (see README).');
}

/** The command an argument list names, and its own arguments; a number is an exit code. */
function resolveCommand(argv: string[], io: CliIo): { name: string; command: CliCommand; rest: string[] } | number {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const first = positionals[0];
  if (!first || argv.includes('--help') || argv.includes('-h') || first === 'help') {
    help(io);
    return first && first !== 'help' && !COMMANDS[first] && !COMMANDS[`${first} ${positionals[1] ?? ''}`] ? 2 : 0;
  }
  const twoWord = positionals.length > 1 ? `${first} ${positionals[1]}` : '';
  const name = COMMANDS[twoWord] ? twoWord : first;
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command "${first}"; see --help`);
    return 2;
  }
  return { name, command, rest: argv.slice(argv.indexOf(name.split(' ').at(-1)!) + 1) };
}

/**
 * A command sent to this running portal (cli.remote.ts): it runs with the portal's own
 * services, so its change is seen at once; commands that would open the database are refused.
 */
export async function runInPortal(argv: string[], config: Config, portal: PortalServices & { refresh(): Promise<void> }): Promise<RemoteResult> {
  const result: RemoteResult = { code: 0, out: [], err: [] };
  const io: CliIo = { out: (l) => result.out.push(l), err: (l) => result.err.push(l) };
  const resolved = resolveCommand(argv, io);
  if (typeof resolved === 'number') return { ...result, code: resolved };
  if (!resolved.command.inPortal) {
    io.err(`"${resolved.name}" cannot run while the portal is running on the embedded database in ${config.dataDir}: stop the portal, run the command, start the portal again`);
    return { ...result, code: 1 };
  }
  result.code = await resolved.command.run(resolved.rest, { config, io, portal });
  // New services and keys take effect in this portal now, not at the next periodic refresh.
  await portal.refresh();
  return result;
}

export async function runCli(argv: string[], io: CliIo = { out: console.log, err: console.error }): Promise<number> {
  const resolved = resolveCommand(argv, io);
  if (typeof resolved === 'number') return resolved;
  const { name, command, rest } = resolved;
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`configuration error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  if (config.databaseUrl) return command.run(rest, { config, io });
  // The embedded database: through the portal that has it open, or alone while none does.
  try {
    const remote = await runInHolder(config.dataDir, argv);
    if (remote) {
      for (const line of remote.out) io.out(line);
      for (const line of remote.err) io.err(line);
      return remote.code;
    }
    const claim = await claimAdminSocket(config.dataDir, `the command "${name}"`);
    try {
      return await command.run(rest, { config, io });
    } finally {
      await claim.close();
    }
  } catch (e) {
    if (e instanceof EmbeddedDatabaseBusy) {
      io.err(`${e.message}; try again in a moment`);
      return 1;
    }
    throw e;
  }
}
