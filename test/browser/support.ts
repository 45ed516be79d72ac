// Browser tests: Debian's Chromium driven by playwright-core against the app on a random
// local port. Without Chromium the tests are skipped with a visible message (CI installs it).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../support.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium): browser test skipped`;
if (chromiumMissing) console.log(`# SKIP ${chromiumMissing}`);

export const SCREENSHOT_DIR = path.resolve('docs', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  // Waits end on what the page shows, not on the clock: a loaded machine may take a while.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(120_000);
    return context;
  };
  return browser;
}

export type BrowserEnv = TestEnv & { baseUrl: string; browser: Browser };

/** App listening on 127.0.0.1 (random port) plus a browser; close() ends both. */
export async function createBrowserEnv(options: Parameters<typeof createTestEnv>[0] = {}): Promise<BrowserEnv> {
  const env = await createTestEnv(options);
  await env.app.listen({ port: 0, host: '127.0.0.1' });
  const address = env.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await launchBrowser();
  return {
    ...env,
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async close() {
      await browser.close();
      await env.close();
    },
  };
}

/** A phone-sized page (360×740, touch) in Persian unless told otherwise. */
export async function phonePage(browser: Browser, locale = 'fa-IR'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale });
  return context.newPage();
}

/**
 * Screenshots for docs/screenshots (the README's pictures), taken when SCREENSHOTS=1
 * (`npm run screenshots`): a plain test run neither pays for them (about 0.13 s each, some 70
 * in all) nor rewrites the tracked pictures with pixel noise.
 */
const takeScreenshots = process.env.SCREENSHOTS === '1';

/** A full-page screenshot of the page, or of one element, as docs/screenshots/<name>.png (when taken). */
export async function screenshot(page: Page | Locator, name: string) {
  if (!takeScreenshots) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await ('goto' in page ? page.screenshot({ path: file, fullPage: true }) : page.screenshot({ path: file }));
}

/**
 * The page's accessibility violations by axe-core, one line each (rule, help, where): an
 * empty list when the page is clean. axe runs in the page itself (legacy mode: the pages test
 * no frames of other origins, so there is nothing to gather across frames) and reports only
 * violations (the passes of a form with a thousand city options are thousands of nodes to
 * copy out); this is a third of the default's time, the rules being the same.
 */
export async function axeViolations(page: Page, options: { exclude?: string } = {}): Promise<string[]> {
  let builder = new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ['violations'] });
  if (options.exclude) builder = builder.exclude(options.exclude);
  const { violations } = await builder.analyze();
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
