// SMS providers: one contract, failures as values. `outbox` keeps messages locally (the
// development default); gateway providers live beside it.
export type SmsSendResult =
  | { kind: 'sent'; providerMessageId: string | null }
  /** Worth trying again later (gateway busy, network down). */
  | { kind: 'retry'; reason: string }
  /** Will never succeed as it is (bad number, no credit, bad key): no retry. */
  | { kind: 'rejected'; reason: string };

export type SmsProvider = {
  name: string;
  send(message: { to: string; text: string; idempotencyKey: string }): Promise<SmsSendResult>;
};

/** Stores nothing itself: the message row in sms_messages is the outbox. */
export function createOutboxProvider(): SmsProvider {
  return {
    name: 'outbox',
    async send() {
      return { kind: 'sent', providerMessageId: null };
    },
  };
}
