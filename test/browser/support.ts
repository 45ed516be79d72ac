// Browser tests: Debian's Chromium driven by playwright-core against the app on a random
// local port. Without Chromium the tests are skipped with a visible message (CI installs it).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeCore from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { onTestsDone } from '../release.js';
import { createTestEnv, type TestEnv } from '../support.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium): browser test skipped`;
if (chromiumMissing) console.log(`# SKIP ${chromiumMissing}`);

export const SCREENSHOT_DIR = path.resolve('docs', 'screenshots');

/**
 * A Chromium for a test file; `close()` ends what the file opened in it.
 *
 * Under npm test the files of a worker run one after another in one process
 * (scripts/test-files.mjs), and they share one Chromium: starting one, with its first page,
 * took about 2 s of CPU on a 2-core machine, once per browser file. A file gets a handle whose
 * contexts are its own: closing the handle closes them (cookies, storage and pages go with
 * them, as when the browser closed), and the next file starts with none. The browser itself
 * closes when the worker's files are all done; one that crashed or was closed is started
 * again for the next file. A file run alone (node --test) gets a browser of its own.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!process.env.DARGAH_TEST_FILES) return startChromium();
  let browser = await shared?.catch(() => undefined);
  if (!browser?.isConnected()) {
    shared = startChromium();
    onTestsDone(closeShared);
    browser = await shared;
  }
  return lend(browser);
}

let shared: Promise<Browser> | undefined;

async function closeShared() {
  const browser = await shared?.catch(() => undefined);
  shared = undefined;
  await browser?.close();
}

/** A handle on the shared browser: the contexts made through it, and a close that ends only those. */
function lend(browser: Browser): Browser {
  const contexts = new Set<BrowserContext>();
  return new Proxy(browser, {
    get(target, property) {
      if (property === 'newContext') {
        return async (options?: Parameters<Browser['newContext']>[0]) => {
          const context = await target.newContext(options);
          contexts.add(context);
          context.once('close', () => contexts.delete(context));
          return context;
        };
      }
      if (property === 'contexts') return () => [...contexts];
      if (property === 'close') return async () => void (await Promise.all([...contexts].map((c) => c.close())));
      if (property === 'newPage') throw new Error('newPage on a shared browser: make a context with newContext');
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function startChromium(): Promise<Browser> {
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

/**
 * Screenshots for docs/screenshots (the README's pictures), taken when SCREENSHOTS=1
 * (`npm run screenshots`): a plain test run neither pays for them (about 0.13 s each, some 70
 * in all) nor rewrites the tracked pictures with pixel noise.
 */
const takeScreenshots = process.env.SCREENSHOTS === '1';

/**
 * A phone's pixel density: 2 device pixels to the CSS pixel for the screenshots, else 1. Layout,
 * media queries and every check but a picture's sharpness are in CSS pixels; rasterising four
 * times the pixels cost 8 % of a browser file's time here.
 */
export const PHONE_PIXEL_RATIO = takeScreenshots ? 2 : 1;

/** A phone-sized page (360×740, touch) in Persian unless told otherwise. */
export async function phonePage(browser: Browser, locale = 'fa-IR'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: PHONE_PIXEL_RATIO, isMobile: true, hasTouch: true, locale });
  return context.newPage();
}

/** A full-page screenshot of the page, or of one element, as docs/screenshots/<name>.png (when taken). */
export async function screenshot(page: Page | Locator, name: string) {
  if (!takeScreenshots) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await ('goto' in page ? page.screenshot({ path: file, fullPage: true }) : page.screenshot({ path: file }));
}

/**
 * The page's accessibility violations by axe-core, one line each (rule, help, where): an
 * empty list when the page is clean.
 *
 * axe runs in the page itself (`axe.run`, every rule of its default set) and reports only
 * violations: the passes of a form with a thousand city options are thousands of nodes to
 * copy out. Its source (half a megabyte) is put into each frame of the page once per document,
 * where @axe-core/playwright (legacy mode) put it in twice per check, with a round trip for
 * each step: on a 2-core machine a check took 0.28–0.36 s this way against 0.55–0.83 s.
 */
export async function axeViolations(page: Page, options: { exclude?: string } = {}): Promise<string[]> {
  for (const frame of page.frames()) {
    try {
      if (!(await frame.evaluate('typeof window.axe?.run === "function"'))) await frame.evaluate(AXE_SCRIPT);
    } catch (e) {
      // A frame that went away meanwhile is not checked (as with @axe-core/playwright); the page must be.
      if (frame === page.mainFrame()) throw e;
    }
  }
  return page.evaluate(async ({ exclude }) => {
    const { axe } = window as unknown as { axe: typeof AxeCore };
    const results = await axe.run(exclude ? { exclude: [[exclude]] } : document, { resultTypes: ['violations'] });
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, { exclude: options.exclude ?? null });
}

/** axe-core for a frame, answering only to its own origin's frames (as @axe-core/playwright configures it). */
const AXE_SCRIPT = `${AxeCore.source};axe.configure({ allowedOrigins: ['<same_origin>'] });`;
