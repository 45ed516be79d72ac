// SMS providers: one contract, failures as values. `outbox` keeps messages locally (the
// development default); gateway providers live beside it.
import { createHttpSmsProvider } from './http.provider.js';
import { createKavenegarProvider } from './kavenegar.provider.js';
export type SmsSendResult =
  | { kind: 'sent'; providerMessageId: string | null }
  /** Worth trying again later (gateway busy, network down). */
  | { kind: 'retry'; reason: string }
  /** Will never succeed as it is (bad number, no credit, bad key): no retry. */
  | { kind: 'rejected'; reason: string };

export type SmsProvider = {
  name: string;
  /**
   * Delivers nowhere (the development outbox): the stored text is what a developer reads at
   * /dev/sms, so a secret stays until its flow is over or SMS_SECRET_RETENTION_SECONDS passes.
   * Any other provider's delivery redacts a secret message at once.
   */
  local?: boolean;
  send(message: { to: string; text: string; idempotencyKey: string }): Promise<SmsSendResult>;
};

/** Stores nothing itself: the message row in sms_messages is the outbox. */
export function createOutboxProvider(): SmsProvider {
  return {
    name: 'outbox',
    local: true,
    async send() {
      return { kind: 'sent', providerMessageId: null };
    },
  };
}

/** The provider named by SMS_PROVIDER (config.ts has checked that its settings are present). */
export function createSmsProvider(sms: {
  provider: 'outbox' | 'kavenegar' | 'http';
  kavenegarApiKey?: string | undefined;
  kavenegarSender?: string | undefined;
  kavenegarUrl: string;
  httpUrl?: string | undefined;
  httpSecret?: string | undefined;
  timeoutMs: number;
}): SmsProvider {
  if (sms.provider === 'kavenegar') {
    return createKavenegarProvider({ url: sms.kavenegarUrl, apiKey: sms.kavenegarApiKey!, sender: sms.kavenegarSender!, timeoutMs: sms.timeoutMs });
  }
  if (sms.provider === 'http') {
    return createHttpSmsProvider({ url: sms.httpUrl!, secret: sms.httpSecret!, timeoutMs: sms.timeoutMs });
  }
  return createOutboxProvider();
}
