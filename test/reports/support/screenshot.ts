/**
 * A PNG of a report as chromium shows it, optionally after clicking something (a grid cell opens
 * its evidence). Used by the browser tests, and by hand for the README's pictures:
 *   npx tsx test/reports/support/screenshot.ts results/report.html matrix.png [--click SELECTOR] [--full] [--width N] [--height N]
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';

export interface ShotOptions {
  click?: string;
  fullPage?: boolean;
  width?: number;
  height?: number;
}

/** Opens the file, clicks `click` if given, and writes the screenshot. */
export async function screenshotPage(page: Page, file: string, png: string, opts: ShotOptions = {}): Promise<void> {
  await page.goto(pathToFileURL(resolve(file)).href);
  if (opts.click) {
    await page.click(opts.click);
    await page.mouse.move(0, 0); // no hover outline where the pointer was
  }
  await page.screenshot({ path: png, fullPage: opts.fullPage ?? false });
}

async function main(argv: string[]): Promise<void> {
  const [file, png, ...rest] = argv;
  if (!file || !png) throw new Error('usage: screenshot.ts PAGE.html OUT.png [--click SELECTOR] [--full] [--width N] [--height N]');
  const opts: ShotOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--full') opts.fullPage = true;
    else if (flag === '--click') opts.click = rest[++i];
    else if (flag === '--width') opts.width = Number(rest[++i]);
    else if (flag === '--height') opts.height = Number(rest[++i]);
    else throw new Error(`unknown option ${flag}`);
  }
  const browser = await launchChromium({ width: opts.width, height: opts.height });
  try {
    await screenshotPage(await browser.context.newPage(), file, png, opts);
  } finally {
    await browser.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
}
