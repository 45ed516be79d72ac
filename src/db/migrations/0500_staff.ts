// Back-office staff: who may sign in to /backoffice, with which role, and their second factor.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE staff_users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username text NOT NULL CONSTRAINT staff_users_username_unique UNIQUE CONSTRAINT staff_users_username_format CHECK (username ~ '^[a-z][a-z0-9._-]{2,39}$'),
      role text NOT NULL CONSTRAINT staff_users_role_known CHECK (role IN ('admin', 'branch_operator', 'auditor')),
      branch_code text,
      password_hash text NOT NULL,
      must_change_password boolean NOT NULL DEFAULT true,
      totp_secret_encrypted text NOT NULL,
      totp_last_step bigint,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT staff_users_operator_has_branch CHECK (role <> 'branch_operator' OR branch_code IS NOT NULL)
    )`.execute(db);
  await sql`COMMENT ON TABLE staff_users IS 'Branch and head-office staff of the back office; created by the CLI (staff add)'`.execute(db);
  await sql`COMMENT ON COLUMN staff_users.role IS 'admin: everything; branch_operator: acts on people (tied to branch_code); auditor: read-only'`.execute(db);
  await sql`COMMENT ON COLUMN staff_users.password_hash IS 'argon2id; the first one is a one-time password printed by the CLI'`.execute(db);
  await sql`COMMENT ON COLUMN staff_users.must_change_password IS 'True until the one-time password has been replaced'`.execute(db);
  await sql`COMMENT ON COLUMN staff_users.totp_secret_encrypted IS 'TOTP secret, AES-256-GCM under a key derived from SECRET_KEY (needed in clear to verify codes)'`.execute(db);
  await sql`COMMENT ON COLUMN staff_users.totp_last_step IS 'Time step of the last accepted code: a code is accepted once (replay protection)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE staff_users`.execute(db);
}
