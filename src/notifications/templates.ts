// Operator wording for SMS texts: a JSON file named by SMS_TEMPLATES_FILE,
// `{"fa": {"sms.verification_active": "…"}, "en": {…}}`, checked at start against the
// shipped templates (known keys, no unknown placeholders, the essential ones kept) and
// applied over the catalogs. A bad file stops the start with a message naming the problem.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { isMessageKey, LANGUAGES, overrideMessages, t, type Lang, type MessageKey } from '../messages/index.js';

/** Kavenegar's cap on one message; longer texts are refused by the gateway. */
export const SMS_MAX_LENGTH = 268;

// Decorations an operator may leave out; every other placeholder (codes, passwords,
// days) is what the message is for and must stay.
const OPTIONAL_PLACEHOLDERS = new Set(['greeting', 'firstName', 'lastName']);

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));

export type SmsTemplateOverrides = Partial<Record<Lang, Partial<Record<MessageKey, string>>>>;

/** Checks parsed JSON; returns the overrides or the list of problems. */
export function checkSmsTemplateOverrides(json: unknown): { ok: true; value: SmsTemplateOverrides } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const value: SmsTemplateOverrides = {};
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, problems: ['the file must hold a JSON object {"fa": {…}, "en": {…}}'] };
  for (const [lang, texts] of Object.entries(json as Record<string, unknown>)) {
    if (!(LANGUAGES as readonly string[]).includes(lang)) {
      problems.push(`unknown language "${lang}" (allowed: ${LANGUAGES.join(', ')})`);
      continue;
    }
    if (texts === null || typeof texts !== 'object' || Array.isArray(texts)) {
      problems.push(`"${lang}" must be an object of template key → text`);
      continue;
    }
    const out: Partial<Record<MessageKey, string>> = {};
    for (const [key, text] of Object.entries(texts as Record<string, unknown>)) {
      if (!key.startsWith('sms.') || !isMessageKey(key)) {
        problems.push(`${lang}.${key}: not an SMS template`);
        continue;
      }
      if (typeof text !== 'string' || text.trim() === '') {
        problems.push(`${lang}.${key}: the text must be a non-empty string`);
        continue;
      }
      if ([...text].length > SMS_MAX_LENGTH) problems.push(`${lang}.${key}: longer than ${SMS_MAX_LENGTH} characters`);
      const shipped = placeholders(t(lang as Lang, key));
      const given = placeholders(text);
      for (const p of given) if (!shipped.has(p)) problems.push(`${lang}.${key}: unknown placeholder {${p}} (allowed: ${[...shipped].map((s) => `{${s}}`).join(' ') || 'none'})`);
      for (const p of shipped) if (!OPTIONAL_PLACEHOLDERS.has(p) && !given.has(p)) problems.push(`${lang}.${key}: must keep the placeholder {${p}}`);
      out[key] = text;
    }
    value[lang as Lang] = out;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

/** Reads, checks and applies the file. Throws ConfigError (start-up stops) on any problem. */
export function applySmsTemplatesFile(file: string): number {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`SMS_TEMPLATES_FILE: cannot read ${file} as JSON (${(e as Error).message})`);
  }
  const checked = checkSmsTemplateOverrides(json);
  if (!checked.ok) throw new ConfigError(`SMS_TEMPLATES_FILE ${file}: ${checked.problems.join('; ')}`);
  let count = 0;
  for (const lang of LANGUAGES) {
    const texts = checked.value[lang];
    if (texts) {
      overrideMessages(lang, texts);
      count += Object.keys(texts).length;
    }
  }
  return count;
}
