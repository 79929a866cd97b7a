/**
 * The reports as a person sees them: Debian's chromium (driven by playwright-core) opens
 * report.html from disk. The grid has one cell per result, an unexpected cell's evidence opens on
 * click, the filter hides expected cells, nothing is requested but the file itself, a workload's
 * `<script>` stays text, and the page reads with scripts off. Screenshots of each page go to
 * test-output/screenshots/ for a person to look at.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import tmpPkg from 'tmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { toHtmlReport } from '../../harness/reports/html/matrix-page.ts';
import { toResultsJson } from '../../harness/reports/json.ts';
import { attempt, cell, upstreamMatrix } from '../fixtures/results.ts';
import { regress } from '../support/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { bigMatrix } from './support/big-matrix.ts';
import { COMMITS, CULPRIT, simulateSession } from './support/bisect-session.ts';
import { launchChromium, skipBrowserTests, type Browser } from './support/chromium.ts';

export const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'screenshots');

const NORMAL = 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host';
const FIXED = 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host';
const EVIL = '</pre><script>window.__pwned = 1</script><img src="https://example.invalid/x.png" onerror="window.__pwned = 2">';

declare global {
  interface Window {
    __pwned?: number;
  }
}

const skip = skipBrowserTests('the browser tests of report.html');

describe.skipIf(skip)('report.html in chromium', () => {
  let tmp = '';
  let removeTmp = () => {};
  let browser: Browser;
  let matrixPage = '';
  let bisectPage = '';
  const file = upstreamMatrix({ [NORMAL]: ['BYPASSED', 'PASS', 'BYPASSED', 'BYPASSED', 'PASS', 'BYPASSED'], [FIXED]: ['BYPASSED'] });
  // A workload that writes markup to stderr, in a cell of its own runner.
  file.cells.push(cell({ key: { runner: 'docker:ruby3.3' }, platform: { ruby: '3.3.8' }, attempts: [attempt('FAIL', { observation: { stderrTail: `${EVIL}\n` } })] }));
  file.plan.cells.push(file.cells.at(-1)!.id);
  const unexpected = file.cells.filter((c) => c.matchesExpectation === false).length;
  /** Every URL each page asked for, by page. */
  const requests = new Map<Page, string[]>();

  async function open(path: string, b = browser): Promise<Page> {
    const page = await b.context.newPage();
    const seen: string[] = [];
    requests.set(page, seen);
    page.on('request', (r) => seen.push(r.url()));
    await page.goto(pathToFileURL(path).href);
    return page;
  }

  beforeAll(async () => {
    const t = tmpPkg.dirSync({ prefix: 'html-browser-', unsafeCleanup: true });
    [tmp, removeTmp] = [t.name, t.removeCallback];
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The matrix page through the real command, as a user makes one.
    writeFileSync(join(tmp, 'results.json'), toResultsJson(file));
    matrixPage = join(tmp, 'out', 'report.html');
    const r = await regress(['report', 'html', join(tmp, 'results.json'), '--out', matrixPage]);
    expect(r.exitCode, r.stderr).toBe(0);
    bisectPage = join((await simulateSession(join(tmp, 'bisect'), { flaky: true, stderr: EVIL })).dir, 'report.html');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    removeTmp();
  });

  it('the grid has one cell per result, each opening a section of its own', async () => {
    const page = await open(matrixPage);
    expect(await page.locator('#grid td.c').count()).toBe(file.cells.length);
    const targets = await page.locator('#grid td.c a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(new Set(targets).size).toBe(file.cells.length);
    for (const t of targets) expect(await page.locator(`section.ev${t}`).count()).toBe(1);
    expect(await page.locator('#grid td.u').count()).toBe(unexpected);
    expect(await page.locator('#grid td.f a').textContent()).toBe('BYPASSED4/6');
    await page.screenshot({ path: join(SCREENSHOTS, 'matrix.png') });
  });

  it("an unexpected cell's evidence opens beside the grid on click, and Escape closes it", async () => {
    const page = await open(matrixPage);
    const cellLink = page.locator('#grid tbody tr:nth-child(5) td.u a');
    const id = (await cellLink.getAttribute('href'))!.slice(1);
    const section = page.locator(`section#${id}`);
    await cellLink.click();
    await expect.poll(() => section.getAttribute('class')).toContain('open');
    const box = (await section.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y).toBe(0);
    expect(box.x + box.width).toBeCloseTo(viewport.width, 0);
    const shown = await section.innerText();
    expect(shown).toContain('Unexpected: expected PASS.');
    expect(shown).toContain('getaddrinfo bypassed 1x on tid 123 (pid 123) for db.default.svc.cluster.local');
    expect(shown).toContain('npx mirrord-regress run --subject lab@3.112.1 --scenario spawn-then-resolve');
    expect(new URL(page.url()).hash).toBe(`#${id}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'matrix-evidence.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => section.getAttribute('class')).not.toContain('open');
  });

  it('"unexpected only" hides every expected cell, and the subject filter every other subject', async () => {
    const page = await open(matrixPage);
    const visibleCells = () => page.locator('#grid td.c').evaluateAll((tds) => tds.filter((td) => td.checkVisibility({ visibilityProperty: true })).map((td) => td.className));
    expect(await visibleCells()).toHaveLength(file.cells.length);
    await page.check('#only-unexpected');
    const left = await visibleCells();
    expect(left).toHaveLength(unexpected);
    expect(left.every((c) => c.split(' ').includes('u'))).toBe(true);
    expect(await page.locator('#shown').textContent()).toBe(`showing ${unexpected} of ${file.cells.length} cells`);
    expect(await page.locator('section.ev:not([hidden])').count()).toBe(unexpected);
    await page.uncheck('#only-unexpected');
    await page.selectOption('#subject', 'lab@3.112.1');
    const rows = await page.locator('#grid tbody tr').evaluateAll((trs) => trs.filter((tr) => !(tr as HTMLElement).hidden).map((tr) => tr.getAttribute('data-s')));
    expect(rows).toEqual(['lab@3.112.1']);
    expect(await visibleCells()).toHaveLength(4);
  });

  it("a workload's <script> and <img> in stderr stay text: nothing runs, nothing loads", async () => {
    const page = await open(matrixPage);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    const stderr = await page.locator('section.ev pre.out', { hasText: 'window.__pwned' }).first().textContent();
    expect(stderr).toBe(EVIL);
  });

  it('nothing is requested from the network: each page asks for its own file only', async () => {
    for (const path of [matrixPage, bisectPage]) {
      const page = await open(path);
      if (path === matrixPage) await page.locator('#grid td.u a').first().click(); // opening evidence fetches nothing either
      await page.waitForLoadState('networkidle');
      expect(requests.get(page)).toEqual([pathToFileURL(path).href]);
    }
  });

  it('reads with scripts off: the filters stay hidden, a cell link jumps to its evidence', async () => {
    const off = await launchChromium({ javaScript: false });
    try {
      const page = await open(matrixPage, off);
      expect(await page.locator('#filters').isVisible()).toBe(false);
      expect(await page.locator('#grid td.c').count()).toBe(file.cells.length);
      const link = page.locator('#grid td.u a').first();
      const id = (await link.getAttribute('href'))!.slice(1);
      await link.click();
      await expect.poll(() => new URL(page.url()).hash).toBe(`#${id}`);
      const section = page.locator(`section#${id}`);
      expect(await section.evaluate((s) => s.matches(':target'))).toBe(true);
      expect(await section.isVisible()).toBe(true);
      expect(await section.innerText()).toContain('Unexpected');
      expect(await section.evaluate((s) => s.getBoundingClientRect().top)).toBeLessThan(50);
    } finally {
      await off.close();
    }
  });

  it('a 1,000-cell report opens fast, and filters at once', async () => {
    const big = join(tmp, 'big.html');
    writeFileSync(big, toHtmlReport(bigMatrix()));
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(big).href);
    const loaded = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
    const t0 = Date.now();
    await page.check('#only-unexpected');
    const filtered = Date.now() - t0;
    console.log(`1,000-cell report.html: load event after ${Math.round(loaded)} ms, "unexpected only" in ${filtered} ms`);
    expect(await page.locator('#grid td.c').count()).toBe(1000);
    expect(loaded).toBeLessThan(5000);
    expect(await page.locator('#shown').textContent()).toMatch(/^showing \d+ of 1000 cells$/);
  });

  it('the bisect page: the range with every probe, the culprit, the posterior chart, the reproduce line', async () => {
    const page = await open(bisectPage);
    const probes = readFileSync(join(bisectPage, '..', 'probes.jsonl'), 'utf8').trim().split('\n');
    expect(await page.locator('ol.range .chip').count()).toBe(probes.length);
    expect(await page.locator('ol.range li.culprit .name').textContent()).toBe(COMMITS[CULPRIT]!.slice(0, 8));
    expect(await page.locator('svg.chart g').count()).toBe(probes.length);
    expect(await page.locator('pre.cmd').textContent()).toMatch(/^git -C \/src\/lab-src worktree add \/tmp\/culprit /);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await page.locator('table.probes tr.o-bad details summary').first().click();
    expect(await page.locator('table.probes tr.o-bad details[open]').first().innerText()).toContain(EVIL);
    await page.screenshot({ path: join(SCREENSHOTS, 'bisect.png'), fullPage: true });
  });
});
