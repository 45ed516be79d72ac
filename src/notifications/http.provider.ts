// A generic SMS gateway over HTTP(S), for any provider behind a small adapter of the
// operator's own. The contract (also in docs/sms-http-gateway.md):
//
//   POST {SMS_HTTP_URL}
//   Content-Type: application/json
//   Idempotency-Key: <key>                  one key per message, stable across retries
//   X-Dargah-Timestamp: <unix seconds>
//   X-Dargah-Signature: sha256=<hex HMAC-SHA256 under SMS_HTTP_SECRET of "<timestamp>.<raw body>">
//   {"to": "09xxxxxxxxx", "text": "…", "idempotencyKey": "<key>"}
//
// The gateway checks the signature (and that the timestamp is recent) and must not send
// twice for one idempotency key. Answers: 2xx sent (JSON `{"id": "…"}` optional);
// 408, 425, 429 and 5xx, timeouts and network errors are retried with backoff; any other
// 4xx is a rejection (bad number, bad signature…) and goes to the dead-letter list.
import { createHmac } from 'node:crypto';
import type { SmsProvider, SmsSendResult } from './providers.js';

export type HttpSmsOptions = {
  url: string;
  secret: string;
  timeoutMs: number;
  /** Unix seconds (tests fix it). */
  now?: () => number;
  fetch?: typeof fetch;
};

export const SIGNATURE_HEADER = 'x-dargah-signature';
export const TIMESTAMP_HEADER = 'x-dargah-timestamp';

/** The signature a gateway should expect for this timestamp and raw body. */
export function signSmsRequest(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const RETRY_STATUSES = new Set([408, 425, 429]);

export function createHttpSmsProvider(options: HttpSmsOptions): SmsProvider {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: 'http',
    async send(message): Promise<SmsSendResult> {
      const body = JSON.stringify({ to: message.to, text: message.text, idempotencyKey: message.idempotencyKey });
      const timestamp = String(now());
      let response: Response;
      let text: string;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            accept: 'application/json',
            'idempotency-key': message.idempotencyKey,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signSmsRequest(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: 'error',
        });
        text = await response.text();
      } catch (e) {
        const name = (e as Error)?.name;
        return { kind: 'retry', reason: name === 'TimeoutError' || name === 'AbortError' ? 'http:timeout' : 'http:network_error' };
      }
      if (response.ok) {
        let id: string | null = null;
        try {
          const json = JSON.parse(text) as { id?: unknown };
          if (typeof json.id === 'string' || typeof json.id === 'number') id = String(json.id);
        } catch {
          // An empty or non-JSON 2xx is still "sent".
        }
        return { kind: 'sent', providerMessageId: id };
      }
      if (response.status >= 500 || RETRY_STATUSES.has(response.status)) return { kind: 'retry', reason: `http:status_${response.status}` };
      return { kind: 'rejected', reason: `http:status_${response.status}` };
    },
  };
}
