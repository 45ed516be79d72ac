// Kavenegar SMS gateway (DOMAIN.md): HTTPS form POST to {url}/v1/{API_KEY}/sms/send.json.
// The API key sits in the URL path, so neither the URL nor a fetch error text is ever
// logged or stored: failure reasons are built here from status codes only.
// Kavenegar's own status (body `return.status`, also the HTTP status) decides:
// 200 sent; 409 busy, 429, 5xx, timeouts and network errors are retried; 418 (no credit),
// 411 (bad receptor), 403 (bad key), 413 (too long), 424 (template) and every other 4xx
// are rejected — trying again would not change the answer.
import { createHash } from 'node:crypto';
import type { SmsProvider, SmsSendResult } from './providers.js';

export type KavenegarOptions = {
  /** Base URL, `https://api.kavenegar.com` (a local fake server in tests). */
  url: string;
  apiKey: string;
  sender: string;
  timeoutMs: number;
  fetch?: typeof fetch;
};

const REJECTED_MEANING: Record<number, string> = {
  403: 'bad_api_key',
  411: 'bad_receptor',
  413: 'message_too_long',
  418: 'no_credit',
  424: 'template_not_approved',
};

/**
 * Kavenegar's `localid`: a number that identifies the message on our side; the gateway
 * does not send a second message with a localid it has already seen, so a delivery retried
 * after a crash (sent, but not yet marked sent) is not sent twice. Derived from the
 * idempotency key (53 bits of its SHA-256).
 */
export function kavenegarLocalId(idempotencyKey: string): string {
  const hex = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 13);
  return BigInt(`0x${hex}`).toString(10);
}

/** Reads `{"return": {"status": n}, "entries": [{"messageid": …}]}`; tolerant of a missing body. */
function readAnswer(text: string): { status: number | null; messageId: string | null } {
  try {
    const json = JSON.parse(text) as { return?: { status?: unknown }; entries?: { messageid?: unknown }[] };
    const status = typeof json.return?.status === 'number' ? json.return.status : null;
    const id = json.entries?.[0]?.messageid;
    return { status, messageId: id === undefined || id === null ? null : String(id) };
  } catch {
    return { status: null, messageId: null };
  }
}

export function createKavenegarProvider(options: KavenegarOptions): SmsProvider {
  const doFetch = options.fetch ?? fetch;
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/${encodeURIComponent(options.apiKey)}/sms/send.json`;
  return {
    name: 'kavenegar',
    async send(message): Promise<SmsSendResult> {
      const body = new URLSearchParams({
        receptor: message.to,
        sender: options.sender,
        message: message.text,
        localid: kavenegarLocalId(message.idempotencyKey),
      });
      let response: Response;
      let text: string;
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
          body: body.toString(),
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: 'error',
        });
        text = await response.text();
      } catch (e) {
        const name = (e as Error)?.name;
        return { kind: 'retry', reason: name === 'TimeoutError' || name === 'AbortError' ? 'kavenegar:timeout' : 'kavenegar:network_error' };
      }
      const answer = readAnswer(text);
      const status = answer.status ?? response.status;
      if (status === 200 && response.ok) return { kind: 'sent', providerMessageId: answer.messageId };
      if (status === 409 || status === 429 || status >= 500 || (status === 200 && !response.ok)) {
        return { kind: 'retry', reason: `kavenegar:${status === 409 ? 'busy' : `status_${status}`}` };
      }
      return { kind: 'rejected', reason: `kavenegar:${REJECTED_MEANING[status] ?? `status_${status}`}` };
    },
  };
}
