// What every page needs to render: language, translations, the CSRF token and the path.
import type { Lang, MessageKey, MessageParams } from './i18n.js';
import { t as translate } from './i18n.js';

export type PageContext = {
  lang: Lang;
  dir: 'rtl' | 'ltr';
  t: (key: MessageKey, params?: MessageParams) => string;
  /** Token for the `_csrf` field of every form on the page. */
  csrfToken: string;
  /** Path of the page, for the language switch. */
  path: string;
  devHelpers: boolean;
  /** Whether a person is signed in (the header links to their account). */
  signedIn?: boolean;
};

export function pageContext(lang: Lang, csrfToken: string, path: string, devHelpers: boolean): PageContext {
  return {
    lang,
    dir: lang === 'fa' ? 'rtl' : 'ltr',
    t: (key, params) => translate(lang, key, params),
    csrfToken,
    path,
    devHelpers,
  };
}

/** Errors of a form: field name → message key; `_form` for errors not tied to a field. */
export type FieldErrors = Partial<Record<string, MessageKey>>;
