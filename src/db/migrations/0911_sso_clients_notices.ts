// Every committed change of the registered services is announced like account changes
// (0910), with the payload `sso_clients`: web processes keep copies of the client records
// the provider reads on every token, userinfo and introspection request (sso/clients.service.ts).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION dargah_announce_sso_clients() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM pg_notify('dargah_changes_' || TG_TABLE_SCHEMA, 'sso_clients');
      RETURN NULL;
    END
    $fn$`.execute(db);
  await sql`CREATE TRIGGER sso_clients_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sso_clients FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_sso_clients()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS sso_clients_announce ON sso_clients`.execute(db);
  await sql`DROP FUNCTION IF EXISTS dargah_announce_sso_clients()`.execute(db);
}
