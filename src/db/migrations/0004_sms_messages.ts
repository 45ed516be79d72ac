// SMS messages: every message the portal sends, enqueued in the transaction of its cause.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sms_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT sms_messages_seq_unique UNIQUE,
      idempotency_key text NOT NULL CONSTRAINT sms_messages_idempotency_key_unique UNIQUE,
      to_mobile text NOT NULL CONSTRAINT sms_messages_to_format CHECK (to_mobile ~ '^09[0-9]{9}$'),
      template text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'queued' CONSTRAINT sms_messages_status_known CHECK (status IN ('queued', 'sent', 'failed', 'dead')),
      provider text,
      provider_message_id text,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      account_id uuid,
      created_at timestamptz NOT NULL,
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX sms_messages_to_idx ON sms_messages (to_mobile, seq DESC)`.execute(db);
  await sql`COMMENT ON COLUMN sms_messages.seq IS 'Order of enqueueing (timestamps may tie)'`.execute(db);
  await sql`CREATE INDEX sms_messages_status_idx ON sms_messages (status) WHERE status IN ('queued', 'dead')`.execute(db);
  await sql`COMMENT ON COLUMN sms_messages.idempotency_key IS 'One message per cause: a job run twice never sends twice'`.execute(db);
  await sql`COMMENT ON COLUMN sms_messages.status IS 'queued → sent; failed is retried; dead after the last retry'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sms_messages`.execute(db);
}
