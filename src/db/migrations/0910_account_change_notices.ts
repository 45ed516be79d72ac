// Every committed change that can end a session or alter what a signed-in request shows of
// its account (the account row, a session's validity, the doctor record) is announced on a
// channel per schema, `dargah_changes_<schema>`, with the account's id as payload (or `*`
// when one statement changed more than 100 accounts). Web processes keep short-lived copies
// of sessions and profiles and drop them on these notices (db/changes.ts); PostgreSQL
// delivers a notice only when its transaction commits. Statement-level triggers with
// transition tables: a bulk update sends one notice, not millions. Touching a session's
// last_seen_at alone announces nothing.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION dargah_announce(schema_name text, ids text[]) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      IF cardinality(ids) > 100 THEN
        PERFORM pg_notify('dargah_changes_' || schema_name, '*');
      ELSIF cardinality(ids) > 0 THEN
        PERFORM pg_notify('dargah_changes_' || schema_name, id) FROM unnest(ids) id;
      END IF;
    END
    $fn$`.execute(db);
  await sql`
    CREATE FUNCTION dargah_announce_accounts() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM dargah_announce(TG_TABLE_SCHEMA, (SELECT coalesce(array_agg(DISTINCT id::text), '{}') FROM changed_rows));
      RETURN NULL;
    END
    $fn$`.execute(db);
  await sql`
    CREATE FUNCTION dargah_announce_account_ids() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM dargah_announce(TG_TABLE_SCHEMA, (SELECT coalesce(array_agg(DISTINCT account_id::text), '{}') FROM changed_rows));
      RETURN NULL;
    END
    $fn$`.execute(db);
  // A session update matters when it ends the session, replaces its token or clears its
  // forced password change — not when it only records the last request.
  await sql`
    CREATE FUNCTION dargah_announce_sessions() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM dargah_announce(TG_TABLE_SCHEMA, (
        SELECT coalesce(array_agg(DISTINCT n.account_id::text), '{}')
        FROM changed_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.ended_at IS DISTINCT FROM o.ended_at OR n.token_hash <> o.token_hash
          OR n.requires_password_change <> o.requires_password_change OR n.account_id <> o.account_id OR n.expires_at <> o.expires_at));
      RETURN NULL;
    END
    $fn$`.execute(db);

  await sql`CREATE TRIGGER accounts_announce_update AFTER UPDATE ON accounts REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_accounts()`.execute(db);
  await sql`CREATE TRIGGER accounts_announce_delete AFTER DELETE ON accounts REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_accounts()`.execute(db);
  await sql`CREATE TRIGGER sessions_announce_update AFTER UPDATE ON sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_sessions()`.execute(db);
  await sql`CREATE TRIGGER sessions_announce_delete AFTER DELETE ON sessions REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_account_ids()`.execute(db);
  for (const event of ['INSERT', 'UPDATE', 'DELETE'] as const) {
    const table = event === 'DELETE' ? 'OLD' : 'NEW';
    await sql.raw(`CREATE TRIGGER doctors_announce_${event.toLowerCase()} AFTER ${event} ON doctors REFERENCING ${table} TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dargah_announce_account_ids()`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['accounts_announce_update ON accounts', 'accounts_announce_delete ON accounts', 'sessions_announce_update ON sessions', 'sessions_announce_delete ON sessions', 'doctors_announce_insert ON doctors', 'doctors_announce_update ON doctors', 'doctors_announce_delete ON doctors']) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS dargah_announce_sessions(), dargah_announce_account_ids(), dargah_announce_accounts(), dargah_announce(text, text[])`.execute(db);
}
