/** summary.md: the upstream-style table, details unexpected-first, and a size cap that holds. */
import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../../harness/reports/markdown.ts';
import type { CellResult } from '../../harness/model/result.ts';
import { attempt, cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';

const NORMAL = 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host';
const FIXED = 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const tableLines = (md: string) => md.split('\n').filter((l) => l.startsWith('|'));
/** Cells of a table line, honouring `\|` escapes. */
const tableCells = (line: string) => line.slice(2, -2).split(/(?<!\\) \| /);

describe('toMarkdown', () => {
  const file = upstreamMatrix({ [NORMAL]: ['BYPASSED', 'PASS', 'BYPASSED'], [FIXED]: ['BYPASSED'] });
  const md = toMarkdown(file);

  it('title, then the tally', () => {
    expect(md.split('\n').slice(0, 3)).toEqual(['## mirrord-regress results', '', '20 cells, 18 as expected, 2 unexpected, 1 flaky']);
  });

  it('a table like the upstream experiments: subjects and strategies down, scenarios (and root) across', () => {
    const lines = tableLines(md);
    expect(lines).toHaveLength(2 + 5);
    expect(tableCells(lines[0]!)).toEqual(['subject / strategy', 'spawn-then-resolve', 'spawn-then-resolve (root)', 'spawn-threads', 'spawn-via-fork-exec']);
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- |');
    expect(tableCells(lines[2]!)).toEqual(['`lab@3.111.0`', 'PASS', 'PASS', 'PASS', 'PASS']);
    expect(tableCells(lines[3]!)).toEqual(['`lab@3.112.0 / none`', 'HANG', 'PASS', 'PASS', 'PASS']);
    expect(tableCells(lines[4]!)).toEqual(['`lab@3.112.0 / normal`', '❌ BYPASSED ~ 2/3 (expected BYPASSED, also saw PASS)', 'PASS', 'BYPASSED', 'PASS']);
    expect(tableCells(lines[6]!)).toEqual(['`lab@3.112.1`', '❌ BYPASSED (expected PASS)', 'PASS', 'PASS', 'PASS']);
  });

  it('flaky cells that stay within the expectation show ~ and counts without ❌', () => {
    const c = cell({ key: { strategy: 'none' }, expected: ['HANG', 'CRASH'], verdicts: ['HANG', 'CRASH', 'HANG'] });
    expect(tableLines(toMarkdown(resultsFile([c])))[2]).toBe('| `lab@3.112.0 / none` | HANG ~ 2/3 |');
  });

  it('one details block per cell, unexpected first, with the verdict summary and the evidence as a list', () => {
    const summaries = [...md.matchAll(/<details><summary>([^<]*)<\/summary>/g)].map((m) => m[1]!);
    expect(summaries).toHaveLength(20);
    expect(summaries[0]).toMatch(new RegExp(`^${NORMAL}: BYPASSED — getaddrinfo bypassed 1x on tid 123`));
    expect(summaries[1]).toMatch(new RegExp(`^${FIXED}: BYPASSED — `));
    expect(summaries[2]).toMatch(/^lab@3\.111\.0\/-\/spawn-then-resolve\/unprivileged\/host: PASS — exit 0/);
    const block = md.slice(md.indexOf(`<summary>${FIXED}`), md.indexOf('</details>', md.indexOf(`<summary>${FIXED}`)));
    expect(block).toContain('❌ **unexpected**: expected PASS — 3.112.1 removed the guard and copies the socket table before exec');
    expect(block).toContain('\n- getaddrinfo bypassed 1x on tid 123 (pid 123) for db.default.svc.cluster.local\n');
    expect(md).not.toMatch(/Truncated/);
    expect(md.match(/<details>/g)).toHaveLength(md.match(/<\/details>/g)!.length);
  });

  it('flaky cells list every attempt', () => {
    const block = md.slice(md.indexOf(`<summary>${NORMAL}`), md.indexOf('</details>', md.indexOf(`<summary>${NORMAL}`)));
    expect(block).toMatch(/\n1\. BYPASSED — .*\n2\. PASS — exit 0.*\n3\. BYPASSED — /);
  });

  it('escapes | and newlines in table cells, and markup in summaries', () => {
    const c = cell({
      key: { scenario: 'pipe|and\nnewline' },
      expected: ['PASS'],
      attempts: [attempt('BYPASSED', { verdict: { summary: 'x <script> | y\nz' } })],
    });
    const out = toMarkdown(resultsFile([c]));
    const lines = tableLines(out);
    expect(lines).toHaveLength(3);
    expect(tableCells(lines[0]!)).toEqual(['subject / strategy', 'pipe\\|and newline']);
    expect(tableCells(lines[2]!)).toHaveLength(2);
    expect(out).toContain('<summary>lab@3.112.0/normal/pipe|and newline/unprivileged/host: BYPASSED — x &lt;script&gt; | y z</summary>');
    expect(out).not.toContain('<script>');
  });

  it('cells without expectation: counted apart, plain in the table, said so in their details, listed last', () => {
    const cells = [
      cell({ key: { scenario: 'adhoc' }, expected: [], expectedBecause: 'run --exec without --expect', verdicts: ['INCONCLUSIVE'] }),
      cell({ expected: ['PASS'], verdicts: ['PASS'] }),
      cell({ key: { scenario: 'spawn-threads' }, expected: ['PASS'], verdicts: ['CRASH'] }),
    ];
    const out = toMarkdown(resultsFile(cells));
    expect(out.split('\n')[2]).toBe('3 cells, 1 as expected, 1 unexpected, 1 without expectation, 0 flaky');
    expect(tableCells(tableLines(out)[2]!)).toEqual(['`lab@3.112.0 / normal`', 'INCONCLUSIVE', 'PASS', '❌ CRASH (expected PASS)']);
    const order = [...out.matchAll(/<details><summary>([^:]*):/g)].map((m) => m[1]!.split('/')[2]);
    expect(order).toEqual(['spawn-threads', 'spawn-then-resolve', 'adhoc']);
    expect(out).toContain('\nno expectation: the verdict was not compared to anything — run --exec without --expect\n');
    expect(out).toContain('\n- not exercised: no DNS or socket hook (getaddrinfo, socket, connect) was ever called, though the layer loaded 21 times\n');
  });

  it('an empty file still renders a title and tally', () => {
    expect(toMarkdown(resultsFile([]))).toMatch(/^## mirrord-regress results\n\n0 cells, 0 as expected, 0 unexpected, 0 flaky\n/);
  });
});

describe('toMarkdown size cap', () => {
  /** Thousands of cells whose evidence is long, a few of them unexpected. */
  function huge(n: number): CellResult[] {
    const names = Array.from({ length: 40 }, (_, i) => `svc-${i}.default.svc.cluster.local`);
    return Array.from({ length: n }, (_, i) => {
      const unexpected = i % 500 === 7;
      return cell({
        key: { subject: `lab@3.112.${i % 50}`, scenario: `scenario-${Math.floor(i / 50)}` },
        expected: ['BYPASSED'],
        attempts: [attempt(unexpected ? 'HANG' : 'BYPASSED', { verdict: { evidence: [{ kind: 'hook-bypassed', hook: 'getaddrinfo', count: 40, tids: [123], pids: [123], names }] } })],
      });
    });
  }

  it('stays under the default 1,000,000 bytes, keeps unexpected details, and says it truncated', () => {
    const cells = huge(4000);
    const md = toMarkdown(resultsFile(cells));
    expect(bytes(md)).toBeLessThanOrEqual(1_000_000);
    expect(bytes(md)).toBeGreaterThan(900_000);
    const unexpected = cells.filter((c) => !c.matchesExpectation).map((c) => c.id);
    expect(unexpected).toHaveLength(8);
    for (const id of unexpected) expect(md).toContain(`<summary>${id}: HANG`);
    const last = md.trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^_Truncated to fit the step summary limit: details of \d+ expected cells left out\. results\.json and junit\.xml hold every cell\._$/);
    // Every details block that was started is finished.
    expect(md.match(/<details>/g)!.length).toBe(md.match(/<\/details>/g)!.length);
    // The whole table made it.
    expect(tableLines(md)).toHaveLength(2 + 50);
  });

  it('when even the table does not fit, cuts table rows and counts what is missing', () => {
    const md = toMarkdown(resultsFile(huge(4000)), { maxBytes: 3000 });
    expect(bytes(md)).toBeLessThanOrEqual(3000);
    expect(md).not.toContain('<details>');
    expect(md.trimEnd().split('\n').pop()).toMatch(/^_Truncated to fit the step summary limit: \d+ table rows, details of 8 unexpected cells, details of 3992 expected cells left out\./);
    const kept = tableLines(md).length - 2;
    expect(md).toContain(`: ${50 - kept} table rows,`);
  });

  it('drops expected details before unexpected ones', () => {
    const cells = huge(1000);
    const full = toMarkdown(resultsFile(cells), { maxBytes: 10_000_000 });
    const firstExpected = full.indexOf('<details><summary>lab@3.112.0/normal/scenario-0/');
    const md = toMarkdown(resultsFile(cells), { maxBytes: firstExpected + 2000 });
    expect(md.match(/<details>/g)).toHaveLength(2);
    expect(md).toMatch(/details of 998 expected cells left out/);
  });

  it('cuts details of cells without expectation before expected ones, and names them apart', () => {
    const cells = [...huge(3), cell({ key: { scenario: 'adhoc' }, expected: [], verdicts: ['BYPASSED'] })];
    const full = toMarkdown(resultsFile(cells), { maxBytes: 10_000_000 });
    const md = toMarkdown(resultsFile(cells), { maxBytes: full.indexOf('<details><summary>lab@3.112.0/normal/adhoc/') + 400 });
    expect(md).not.toContain('<summary>lab@3.112.0/normal/adhoc/');
    expect(md.match(/<details>/g)).toHaveLength(3);
    expect(md.trimEnd().split('\n').pop()).toBe('_Truncated to fit the step summary limit: details of 1 cell without expectation left out. results.json and junit.xml hold every cell._');
  });

  it('holds even when the limit is smaller than the notice', () => {
    const md = toMarkdown(resultsFile(huge(10)), { maxBytes: 60 });
    expect(bytes(md)).toBeLessThanOrEqual(60);
  });
});
