// Structured logs with redaction: passwords, codes, tokens and identifiers never reach a log line.
import pino, { type Logger } from 'pino';

/** Paths removed from every log object, whatever logged it. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.newPassword',
  '*.newPasswordConfirmation',
  '*.currentPassword',
  '*.passwordConfirmation',
  '*.securityAnswer',
  '*.answer',
  '*.code',
  '*.captcha',
  '*.token',
  '*.sessionToken',
  '*.secret',
  '*.nationalCode',
  '*.foreignNationalId',
  '*.mobile',
  'nationalCode',
  'mobile',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings may carry identifiers (e.g. /dev/sms?to=…): log the path only.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url?.split('?')[0],
      }),
    },
  });
}
