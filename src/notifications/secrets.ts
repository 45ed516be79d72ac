// SMS templates that carry a secret (a one-time code, a temporary or initial password).
// Their text is kept in clear only as long as it is needed: a real gateway's delivery
// replaces it by the redacted text in the statement that marks it sent, a dead message
// is redacted at once, and the housekeeping purge redacts whatever is left after
// SMS_SECRET_RETENTION_SECONDS (the development outbox keeps codes that long for /dev/sms).
//
// The list is the one place that says which placeholders are secret. secrets.test.ts scans
// every SMS text of the catalogs: a placeholder that looks like a secret ({code},
// {password}, {otp}, {pin}, {token}…) in a template missing here fails the test.
import type { MessageKey } from '../messages/index.js';

type SmsTemplateKey = Extract<MessageKey, `sms.${string}`>;

/** Template → the placeholders masked in its stored text. */
export const SECRET_SMS_TEMPLATES = {
  'sms.registration_code': ['code'],
  'sms.signin_code': ['code'],
  'sms.mobile_change_code': ['code'],
  'sms.recovery_password': ['password'],
  'sms.insured_initial_password': ['password'],
  'sms.backoffice_password_reset': ['password'],
  'sms.backoffice_mobile_code': ['code'],
} as const satisfies Partial<Record<SmsTemplateKey, readonly string[]>>;

export type SecretSmsTemplate = keyof typeof SECRET_SMS_TEMPLATES;

/**
 * Placeholders whose names look secret but are not, each with its reason (the catalog scan
 * accepts them). `trackingCode` is the reference of a recovery request that the person
 * quotes to staff; it opens nothing.
 */
export const NOT_SECRET_PLACEHOLDERS: Partial<Record<SmsTemplateKey, readonly string[]>> = {
  'sms.recovery_password': ['trackingCode'],
};

/** A placeholder name that suggests a secret value. */
export const SECRET_LOOKING_PLACEHOLDER = /code|pass|otp|pin|token|secret/i;

/** What replaces a secret in a redacted text. */
export const SECRET_MASK = '••••••';

export function isSecretSmsTemplate(template: string): template is SecretSmsTemplate {
  return Object.hasOwn(SECRET_SMS_TEMPLATES, template);
}

/** The params with every secret of `template` masked; null when the template carries none. */
export function maskedParams<P extends Record<string, string | number>>(template: string, params: P): P | null {
  if (!isSecretSmsTemplate(template)) return null;
  const masked: Record<string, string | number> = { ...params };
  for (const name of SECRET_SMS_TEMPLATES[template]) masked[name] = SECRET_MASK;
  return masked as P;
}
