/**
 * Debian's chromium, driven by playwright-core (never a downloaded browser). Outside CI a missing
 * browser skips the browser tests with a warning; with CI set they run, and fail on it.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where `apt-get install chromium` puts it; MIRRORD_REGRESS_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.MIRRORD_REGRESS_CHROMIUM ?? '/usr/bin/chromium';

// No first-run UI, no background traffic to Google: the page's own requests are all there is.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function missingBrowser(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM} (apt-get install -y chromium)`;
  }
}

/** True when the browser tests should be skipped (and says why); never in CI. */
export function skipBrowserTests(what: string): boolean {
  const missing = missingBrowser();
  if (!missing || process.env.CI) return false;
  console.warn(`skipping ${what}: missing ${missing}`);
  return true;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile (we run as root, hence --no-sandbox), removed on close. */
export async function launchChromium(opts: { javaScript?: boolean; width?: number; height?: number } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'mirrord-regress-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      javaScriptEnabled: opts.javaScript ?? true,
      viewport: { width: opts.width ?? 1360, height: opts.height ?? 900 },
      deviceScaleFactor: 1,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
