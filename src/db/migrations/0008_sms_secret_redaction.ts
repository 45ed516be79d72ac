// Secrets in SMS texts (one-time codes, temporary passwords) do not stay in clear: a secret
// message carries its redacted text from the start, and `body` is replaced by it once the
// message is delivered by a gateway, dead, its flow is over, or the retention has passed.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages ADD COLUMN redacted_body text, ADD COLUMN redacted_at timestamptz`.execute(db);
  await sql`
    ALTER TABLE sms_messages ADD CONSTRAINT sms_messages_redaction_consistent
      CHECK (redacted_at IS NULL OR (redacted_body IS NOT NULL AND body = redacted_body))`.execute(db);
  // The purge's work list: secret messages still holding their secret.
  await sql`CREATE INDEX sms_messages_secret_pending_idx ON sms_messages (created_at) WHERE redacted_body IS NOT NULL AND redacted_at IS NULL`.execute(db);
  await sql`COMMENT ON COLUMN sms_messages.redacted_body IS 'The text with its secret masked; set only for templates that carry a secret (SECRET_SMS_TEMPLATES)'`.execute(db);
  await sql`COMMENT ON COLUMN sms_messages.redacted_at IS 'When body was replaced by redacted_body; a secret message is never delivered after that'`.execute(db);
  // Messages from before this migration: their secrets cannot be masked (the parameters are
  // gone), so the redacted text is the template's name; the ones already over lose the text now,
  // the ones still in the queue when delivery ends.
  await sql`
    UPDATE sms_messages SET redacted_body = template || ' (redacted)'
    WHERE template IN ('sms.registration_code', 'sms.signin_code', 'sms.mobile_change_code', 'sms.recovery_password', 'sms.insured_initial_password', 'sms.backoffice_password_reset')`.execute(db);
  await sql`UPDATE sms_messages SET body = redacted_body, redacted_at = now() WHERE redacted_body IS NOT NULL AND status IN ('sent', 'dead')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages DROP CONSTRAINT sms_messages_redaction_consistent`.execute(db);
  await sql`DROP INDEX sms_messages_secret_pending_idx`.execute(db);
  await sql`ALTER TABLE sms_messages DROP COLUMN redacted_at, DROP COLUMN redacted_body`.execute(db);
}
