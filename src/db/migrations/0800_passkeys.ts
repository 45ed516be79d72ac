// Passkeys (WebAuthn discoverable credentials) of people, and the one-time challenges of
// their registration and sign-in ceremonies. Owned by src/passkeys.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE passkeys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      credential_id text NOT NULL CONSTRAINT passkeys_credential_id_unique UNIQUE CONSTRAINT passkeys_credential_id_format CHECK (credential_id ~ '^[A-Za-z0-9_-]+$' AND char_length(credential_id) BETWEEN 16 AND 1366),
      public_key bytea NOT NULL,
      counter bigint NOT NULL DEFAULT 0 CONSTRAINT passkeys_counter_positive CHECK (counter >= 0),
      transports text[] NOT NULL DEFAULT '{}',
      device_type text NOT NULL CONSTRAINT passkeys_device_type_known CHECK (device_type IN ('singleDevice', 'multiDevice')),
      backed_up boolean NOT NULL,
      name text NOT NULL CONSTRAINT passkeys_name_length CHECK (char_length(name) BETWEEN 1 AND 60),
      created_at timestamptz NOT NULL,
      last_used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX passkeys_account_idx ON passkeys (account_id)`.execute(db);
  await sql`COMMENT ON TABLE passkeys IS 'WebAuthn Level 2 discoverable credentials (passkeys) people sign in with instead of a password'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.credential_id IS 'Credential id as the authenticator gave it, base64url'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.public_key IS 'COSE public key of the credential (not a secret)'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.counter IS 'Signature counter last seen; a lower one from the authenticator means a cloned key'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.transports IS 'How the browser may reach the authenticator (internal, hybrid, usb, ...), as it reported them'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.device_type IS 'singleDevice: bound to one authenticator; multiDevice: synced passkey'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.backed_up IS 'The authenticator said the key is backed up (synced) at registration or last use'`.execute(db);
  await sql`COMMENT ON COLUMN passkeys.name IS 'The person''s own name for the passkey'`.execute(db);

  await sql`
    CREATE TABLE passkey_challenges (
      id text PRIMARY KEY CONSTRAINT passkey_challenges_id_format CHECK (id ~ '^[A-Za-z0-9_-]{43}$'),
      purpose text NOT NULL CONSTRAINT passkey_challenges_purpose_known CHECK (purpose IN ('registration', 'authentication')),
      account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
      challenge text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      CONSTRAINT passkey_challenges_registration_has_account CHECK (purpose <> 'registration' OR account_id IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX passkey_challenges_expires_idx ON passkey_challenges (expires_at)`.execute(db);
  await sql`COMMENT ON TABLE passkey_challenges IS 'One-time WebAuthn challenges: each is used once, before it expires'`.execute(db);
  await sql`COMMENT ON COLUMN passkey_challenges.account_id IS 'Whose passkey is being registered; NULL for a sign-in (the passkey names its account)'`.execute(db);
  await sql`COMMENT ON COLUMN passkey_challenges.challenge IS 'The random challenge (base64url) the authenticator must sign'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE passkey_challenges`.execute(db);
  await sql`DROP TABLE passkeys`.execute(db);
}
