// Passkeys of back-office staff: a second factor in place of the TOTP code. Their
// ceremonies use passkey_challenges too, tied to the staff member when registering.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE staff_passkeys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      staff_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
      credential_id text NOT NULL CONSTRAINT staff_passkeys_credential_id_unique UNIQUE CONSTRAINT staff_passkeys_credential_id_format CHECK (credential_id ~ '^[A-Za-z0-9_-]+$' AND char_length(credential_id) BETWEEN 16 AND 1366),
      public_key bytea NOT NULL,
      counter bigint NOT NULL DEFAULT 0 CONSTRAINT staff_passkeys_counter_positive CHECK (counter >= 0),
      transports text[] NOT NULL DEFAULT '{}',
      device_type text NOT NULL CONSTRAINT staff_passkeys_device_type_known CHECK (device_type IN ('singleDevice', 'multiDevice')),
      backed_up boolean NOT NULL,
      name text NOT NULL CONSTRAINT staff_passkeys_name_length CHECK (char_length(name) BETWEEN 1 AND 60),
      created_at timestamptz NOT NULL,
      last_used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX staff_passkeys_staff_idx ON staff_passkeys (staff_id)`.execute(db);
  await sql`COMMENT ON TABLE staff_passkeys IS 'WebAuthn passkeys of staff, accepted instead of the TOTP code after the password'`.execute(db);
  await sql`COMMENT ON COLUMN staff_passkeys.counter IS 'Signature counter last seen; a lower one means a cloned key'`.execute(db);

  await sql`ALTER TABLE passkey_challenges ADD COLUMN staff_id uuid REFERENCES staff_users (id) ON DELETE CASCADE`.execute(db);
  await sql`ALTER TABLE passkey_challenges DROP CONSTRAINT passkey_challenges_purpose_known`.execute(db);
  await sql`ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_purpose_known CHECK (purpose IN ('registration', 'authentication', 'staff_registration', 'staff_authentication'))`.execute(db);
  await sql`ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_staff_registration_has_staff CHECK (purpose <> 'staff_registration' OR staff_id IS NOT NULL)`.execute(db);
  await sql`COMMENT ON COLUMN passkey_challenges.staff_id IS 'The staff member registering a passkey (staff_registration)'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE passkey_challenges DROP CONSTRAINT passkey_challenges_staff_registration_has_staff`.execute(db);
  await sql`DELETE FROM passkey_challenges WHERE purpose LIKE 'staff_%'`.execute(db);
  await sql`ALTER TABLE passkey_challenges DROP CONSTRAINT passkey_challenges_purpose_known`.execute(db);
  await sql`ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_purpose_known CHECK (purpose IN ('registration', 'authentication'))`.execute(db);
  await sql`ALTER TABLE passkey_challenges DROP COLUMN staff_id`.execute(db);
  await sql`DROP TABLE staff_passkeys`.execute(db);
}
