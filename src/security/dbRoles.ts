// The database roles of a PostgreSQL deployment (docs/database-roles.md): the migration
// owner owns every table, function and trigger; the application connects as a role that
// may only read and write rows. Not being the owner, the application role cannot drop or
// disable the append-only triggers of the audit trail (ALTER TABLE … DISABLE TRIGGER needs
// ownership), cannot TRUNCATE and cannot change the audit rows. `npm run cli -- db roles`
// prints the statements for a database administrator to review and run.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli.js';

export type DatabaseRolesOptions = {
  /** The role the portal connects as (DATABASE_URL of web and worker processes). */
  appRole: string;
  /** The role that runs `npm run cli -- migrate` and owns the objects. */
  ownerRole: string;
  /** The portal's schema and pg-boss's. */
  schema: string;
  jobsSchema: string;
  /** Also CREATE the application role (LOGIN; set its password with \password afterwards). */
  createRole: boolean;
};

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const q = (name: string) => {
  if (!IDENT.test(name)) throw new Error(`"${name}" is not a plain SQL name (lower-case letters, digits, _)`);
  return `"${name}"`;
};

/** The statements, in order, each complete without its trailing semicolon. */
export function databaseRolesSql(o: DatabaseRolesOptions): string[] {
  const app = q(o.appRole);
  const owner = q(o.ownerRole);
  const out: string[] = [];
  if (o.createRole) out.push(`CREATE ROLE ${app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
  for (const schema of [q(o.schema), q(o.jobsSchema)]) {
    out.push(
      `GRANT USAGE ON SCHEMA ${schema} TO ${app}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${app}`,
      `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${app}`,
    );
  }
  const s = q(o.schema);
  // The audit trail: append and read only (the triggers refuse the rest anyway, for the owner too).
  out.push(`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ${s}."audit_events", ${s}."audit_keyed_since" FROM ${app}`);
  out.push(`REVOKE INSERT ON ${s}."audit_keyed_since" FROM ${app}`);
  return out;
}

export const DB_ROLE_COMMANDS: Record<string, CliCommand> = {
  'db roles': {
    usage: 'db roles [--app-role dargah_app] [--owner-role dargah_owner] [--schema public] [--jobs-schema pgboss] [--create-role]',
    summary: 'Print the SQL that gives the application its own database role (rows only; cannot disable the audit trigger); see docs/database-roles.md',
    async run(args, { io }) {
      const { values } = parseArgs({
        args,
        options: {
          'app-role': { type: 'string', default: 'dargah_app' },
          'owner-role': { type: 'string', default: 'dargah_owner' },
          schema: { type: 'string', default: 'public' },
          'jobs-schema': { type: 'string', default: 'pgboss' },
          'create-role': { type: 'boolean', default: false },
        },
        strict: false,
      });
      try {
        const statements = databaseRolesSql({
          appRole: String(values['app-role']),
          ownerRole: String(values['owner-role']),
          schema: String(values.schema),
          jobsSchema: String(values['jobs-schema']),
          createRole: values['create-role'] === true,
        });
        io.out(`-- Run as ${String(values['owner-role'])} (the owner of the tables) or a superuser, after \`npm run cli -- migrate\`.`);
        for (const st of statements) io.out(`${st};`);
        return 0;
      } catch (e) {
        io.err((e as Error).message);
        return 2;
      }
    },
  },
};
