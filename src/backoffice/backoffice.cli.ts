// CLI commands of the back office: `staff add` (API.md) and `audit verify`.
import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../cli.js';
import { withDatabase } from '../cli.database.js';
import { t } from '../messages/index.js';
import { STAFF_ROLES, isStaffRole } from './roles.js';
import type { StaffService } from './staff.service.js';

/** `staff add` once the database is open: prints the one-time password and the TOTP URI. */
export async function staffAdd(args: string[], staff: Pick<StaffService, 'create'>, io: CliIo): Promise<number> {
  const parsed = parseStaffArgs(args, io);
  if (typeof parsed === 'number') return parsed;
  const result = await staff.create(parsed);
  if (!result.ok) {
    const fields = Object.values(result.error.fields ?? {}).filter((k) => k !== undefined);
    for (const key of fields.length ? fields : [result.error.code]) io.err(t('en', key));
    return 1;
  }
  const v = result.value;
  io.out(`staff member created: ${v.username} (${v.role})`);
  io.out(`one-time password (shown once; must be changed at first sign-in): ${v.oneTimePassword}`);
  io.out(`TOTP enrolment URI (scan as a QR code or enter in an authenticator app): ${v.totpUri}`);
  return 0;
}

/** Checks the arguments before anything touches the database; a number is an exit code. */
function parseStaffArgs(args: string[], io: CliIo): { username: string; role: string; branchCode?: string } | number {
  let values: { username?: string | undefined; role?: string | undefined; branch?: string | undefined };
  try {
    values = parseArgs({ args, options: { username: { type: 'string' }, role: { type: 'string' }, branch: { type: 'string' } }, strict: true }).values;
  } catch (e) {
    io.err(`${(e as Error).message}\nusage: ${STAFF_COMMANDS['staff add']!.usage}`);
    return 2;
  }
  if (!values.username || !values.role) {
    io.err(`usage: ${STAFF_COMMANDS['staff add']!.usage}`);
    return 2;
  }
  if (!isStaffRole(values.role)) {
    io.err(`unknown role "${values.role}" (allowed: ${STAFF_ROLES.join(', ')})`);
    return 2;
  }
  if (values.role === 'branch_operator' && !values.branch) {
    io.err(t('en', 'backoffice.staff_branch_required'));
    return 2;
  }
  return { username: values.username, role: values.role, ...(values.branch ? { branchCode: values.branch } : {}) };
}

export const STAFF_COMMANDS: Record<string, CliCommand> = {
  'staff add': {
    inPortal: true,
    usage: 'staff add --username U --role admin|branch_operator|auditor [--branch CODE]',
    summary: 'Create a back-office staff member; prints a one-time password and the TOTP enrolment URI',
    async run(args, { config, io, portal }) {
      const parsed = parseStaffArgs(args, io);
      if (typeof parsed === 'number') return parsed;
      // Inside a running portal (the embedded database's only user): its own staff service.
      if (portal) return staffAdd(args, portal.staff, io);
      return withDatabase(config, async (database) => {
        const [{ default: pino }, { loadBranchesCsv }, { createPasswordHasher }, { createRateLimiter }, { createSecrets, resolveSecretKey }, { createStaffService }] = await Promise.all([
          import('pino'),
          import('../registries/index.js'),
          import('../security/passwords.js'),
          import('../security/rateLimits.js'),
          import('../security/secrets.js'),
          import('./staff.service.js'),
        ]);
        const secrets = createSecrets(resolveSecretKey(config.secretKey, config.dataDir));
        const staff = createStaffService({
          db: database.db,
          config,
          hasher: createPasswordHasher(config.argon2),
          secrets,
          limiter: createRateLimiter({ rules: config.rateLimits, prefix: 'cli', hashKey: (k) => secrets.hmac('rate-limit', k) }),
          logger: pino({ level: 'silent' }),
          clock: () => new Date(),
          branchExists: async (code) => (await loadBranchesCsv(config.registries.csv.branches)).some((b) => b.code === code),
        });
        return staffAdd(args, staff, io);
      });
    },
  },
  'audit verify': {
    usage: 'audit verify',
    summary: 'Check the hash chain of the audit trail; names the first broken event',
    async run(_args, { config, io }) {
      return withDatabase(config, async (database) => {
        const [{ verifyAuditChain }, { createSecrets, resolveSecretKey }] = await Promise.all([import('../audit/audit.js'), import('../security/secrets.js')]);
        const report = await verifyAuditChain(database.db, { key: createSecrets(resolveSecretKey(config.secretKey, config.dataDir)).auditKey });
        if (report.ok) {
          io.out(`audit chain intact: ${report.checked} events checked`);
          return 0;
        }
        const why = report.brokenAt.reason === 'hash' ? 'its content was changed' : 'the event before it was changed or removed';
        io.err(`audit chain broken at event id ${report.brokenAt.id} (${why}); ${report.checked} events in the intact parts of the chains`);
        return 1;
      });
    },
  },
};
