// The message catalogs (fa default, en): a leaf every capability may import (it imports no
// capability; each catalog is a file of this folder, identity's beside its pure rules).
// Error codes are message keys: a code without a text in both languages does not compile.
import { identityMessages } from '../identity/identity.messages.js';
import { insuredMessages } from './insured.js';
import { toPersianDigits } from '../identity/digits.js';
import { notificationMessages } from './notifications.js';
import { registrationMessages } from './registration.js';
import { signinMessages } from './signin.js';
import { recoveryMessages } from './recovery.js';
import { accountMessages } from './account.js';
import { ssoMessages } from './sso.js';
import { backofficeMessages } from './backoffice.js';
import { auditMessages } from './audit.js';
import { passkeysMessages } from './passkeys.js';
import { doctorsMessages } from './doctors.js';
import { webMessages } from './web.js';

export const LANGUAGES = ['fa', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

const fa = {
  ...webMessages.fa,
  ...identityMessages.fa,
  ...registrationMessages.fa,
  ...signinMessages.fa,
  ...recoveryMessages.fa,
  ...accountMessages.fa,
  ...ssoMessages.fa,
  ...insuredMessages.fa,
  ...notificationMessages.fa,
  ...backofficeMessages.fa,
  ...auditMessages.fa,
  ...passkeysMessages.fa,
  ...doctorsMessages.fa,
};
export type MessageKey = keyof typeof fa;

// Typed as the fa keys: a missing English text is a compile error.
const en: Record<MessageKey, string> = {
  ...webMessages.en,
  ...identityMessages.en,
  ...registrationMessages.en,
  ...signinMessages.en,
  ...recoveryMessages.en,
  ...accountMessages.en,
  ...ssoMessages.en,
  ...insuredMessages.en,
  ...notificationMessages.en,
  ...backofficeMessages.en,
  ...auditMessages.en,
  ...passkeysMessages.en,
  ...doctorsMessages.en,
};

const catalogs: Record<Lang, Record<MessageKey, string>> = { fa, en };

export type MessageParams = Record<string, string | number>;

/** Operator overrides (e.g. SMS wording), applied over the shipped texts. */
const overrides: Partial<Record<Lang, Partial<Record<MessageKey, string>>>> = {};
export function overrideMessages(lang: Lang, texts: Partial<Record<MessageKey, string>>) {
  overrides[lang] = { ...overrides[lang], ...texts };
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(fa, key);
}

export function t(lang: Lang, key: MessageKey, params?: MessageParams): string {
  const text = overrides[lang]?.[key] ?? catalogs[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    // Numbers read in Persian digits in Persian text; strings (codes, identifiers) stay as given.
    return lang === 'fa' && typeof value === 'number' ? toPersianDigits(String(value)) : String(value);
  });
}

export function parseLang(value: unknown): Lang | undefined {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value) ? (value as Lang) : undefined;
}

/** Picks fa or en from an Accept-Language header; fa when neither is asked for. */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'fa';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (base === 'fa' || base === 'en') return base;
  }
  return 'fa';
}
