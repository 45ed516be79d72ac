// A session's browser and system in words ("Chrome on Android"), from its User-Agent, with
// bowser (MIT): the raw header means nothing to most people.
import Bowser from 'bowser';
import type { Lang } from './i18n.js';
import { t } from './i18n.js';

export function describeUserAgent(userAgent: string | null | undefined, lang: Lang): string | null {
  if (!userAgent || !userAgent.trim()) return null;
  let browser: string | undefined;
  let os: string | undefined;
  try {
    const parsed = Bowser.parse(userAgent);
    browser = parsed.browser.name || undefined;
    os = parsed.os.name || undefined;
  } catch {
    return null;
  }
  if (browser && os) return t(lang, 'web.device_browser_on_os', { browser, os });
  if (browser) return browser;
  if (os) return os;
  return null;
}
