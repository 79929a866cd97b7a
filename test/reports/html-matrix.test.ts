/**
 * report.html of a matrix, as text: one grid cell per result, each linked to its own evidence,
 * marks for unexpected and flaky cells, workload text escaped everywhere, nothing that could reach
 * the network, and a size that stays small for 1,000 cells. The browser test checks the same page
 * as chromium shows it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { collectCells } from '../../harness/reports/collect.ts';
import { matrixReportHtml, toHtmlReport } from '../../harness/reports/html/matrix-page.ts';
import { runCommandFor } from '../../harness/reports/reproduce.ts';
import { attempt, cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';
import type { EvidenceItem } from '../../harness/model/result.ts';
import { bigMatrix } from './support/big-matrix.ts';

const NORMAL = 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host';
const FIXED = 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const gridCells = (page: string) => [...page.matchAll(/<td class="c ([^"]*)"[^>]*><a href="#(c\d+)">(.*?)<\/a><\/td>/g)].map((m) => ({ classes: m[1]!.split(' ').filter(Boolean), target: m[2]!, text: m[3]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() }));
const sections = (page: string) => [...page.matchAll(/<section class="ev ([^"]*)" id="(c\d+)"[^>]*>([\s\S]*?)<\/section>/g)].map((m) => ({ classes: m[1]!.split(' '), id: m[2]!, body: m[3]! }));
const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
/** Roughly what a reader sees: tags gone, entities decoded, whitespace collapsed. */
const text = (fragment: string) => decode(fragment.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').replace(/ ([,.;:])/g, '$1').trim();

describe('matrix report.html', () => {
  const file = upstreamMatrix({ [NORMAL]: ['BYPASSED', 'PASS', 'BYPASSED', 'BYPASSED', 'PASS', 'BYPASSED'], [FIXED]: ['BYPASSED'] });
  const page = toHtmlReport(file);
  const grid = gridCells(page);

  it('one grid cell per result, each linking to its own evidence section', () => {
    expect(grid).toHaveLength(file.cells.length);
    const ids = sections(page).map((s) => s.id);
    expect(ids).toHaveLength(file.cells.length);
    expect(new Set(grid.map((g) => g.target))).toEqual(new Set(ids));
  });

  it('rows are subject / strategy, columns scenario then run-as, in plan order', () => {
    const rowHeads = [...page.matchAll(/<th class="row[^"]*" scope="row">(.*?)<\/th>/g)].map((m) => text(m[1]!));
    expect(rowHeads).toEqual(['lab@3.111.0', 'lab@3.112.0 none', 'lab@3.112.0 normal', 'lab@3.112.0 forget', 'lab@3.112.1']);
    expect([...page.matchAll(/<th class="scn"( colspan="(\d+)")? scope="col">(.*?)<\/th>/g)].map((m) => [m[3], Number(m[2] ?? 1)])).toEqual([
      ['spawn-then-resolve', 2], ['spawn-threads', 1], ['spawn-via-fork-exec', 1],
    ]);
    expect([...page.matchAll(/<th class="as"[^>]*>(.*?)<\/th>/g)].map((m) => m[1])).toEqual(['unprivileged', 'root', 'unprivileged', 'unprivileged']);
  });

  it('colours by verdict, marks unexpected and flaky cells, and shows a flaky cell\'s ratio', () => {
    const normal = grid[2 * 4]!;
    expect(normal.classes).toEqual(['v-BYPASSED', 'u', 'f']);
    expect(normal.text).toBe('BYPASSED 4/6');
    const fixed = grid[4 * 4]!;
    expect(fixed.classes).toEqual(['v-BYPASSED', 'u']);
    expect(fixed.text).toBe('BYPASSED');
    expect(grid.filter((g) => g.classes.includes('u'))).toHaveLength(2);
    expect(grid[0]!.classes).toEqual(['v-PASS']);
    expect(page).toContain('title="unexpected: expected PASS"');
    expect(text(page.match(/<p class="tally">.*?<\/p>/)![0])).toBe('20 cells, 18 as expected, 2 unexpected, 1 flaky');
  });

  it("an unexpected cell's evidence: the rule, what was expected and why, every item, attempts, output, the command", () => {
    const target = grid[4 * 4]!.target;
    const s = sections(page).find((x) => x.id === target)!;
    const body = text(s.body);
    expect(s.classes).toContain('u');
    expect(body).toContain('Unexpected: expected PASS. Table: 3.112.1 removed the guard and copies the socket table before exec');
    expect(body).toContain('rule bypass');
    expect(body).toContain('hook-bypassed getaddrinfo bypassed 1x on tid 123 (pid 123) for db.default.svc.cluster.local');
    expect(body).toContain('exec-guard-set 20 exec-hook entries in children found the DetourGuard already set');
    expect(body).toContain("stderr spawn_then_resolve.rb:41:in `getaddrinfo': getaddrinfo: Temporary failure in name resolution (Socket::ResolutionError)");
    expect(body).toContain('Reproduce npx mirrord-regress run --subject lab@3.112.1 --scenario spawn-then-resolve');
  });

  it('a flaky cell lists every attempt and reproduces with as many', () => {
    const s = sections(page).find((x) => x.id === grid[2 * 4]!.target)!;
    expect([...s.body.matchAll(/<tr><td>(\d)<\/td><td><span class="pill v-(\w+)">/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['1:BYPASSED', '2:PASS', '3:BYPASSED', '4:BYPASSED', '5:PASS', '6:BYPASSED']);
    expect(text(s.body)).toContain('--strategy normal --scenario spawn-then-resolve --repeat 6');
  });

  it('evidence sections list unexpected cells first', () => {
    expect(sections(page).slice(0, 2).map((s) => s.classes.includes('u'))).toEqual([true, true]);
  });

  it('workload text stays text: <script>, attributes, URLs and colour codes from stderr, summaries and names', () => {
    const evil = '</pre><script>window.__pwned = 1</script><img src="https://example.com/x.png" onerror="alert(1)">';
    const c = cell({
      key: { scenario: 'spawn<script>' },
      expected: ['PASS'],
      attempts: [attempt('FAIL', { observation: { stderrTail: `\x1b[31m${evil}\x1b[0m\n` }, verdict: { summary: `summary ${evil}` } })],
    });
    const p = toHtmlReport(resultsFile([c]));
    expect(p.match(/<script/g)).toHaveLength(1); // ours, at the end
    expect(p).not.toMatch(/<img|onerror="|\x1b/);
    expect(p).toContain('&lt;/pre&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=&quot;https://example.com/x.png&quot;');
    expect(p).toContain('<th class="scn" scope="col">spawn&lt;script&gt;</th>');
  });

  it('can reach nothing: no src or external href, and a Content-Security-Policy that allows only its own inline CSS and script', () => {
    expect(page).not.toMatch(/\ssrc=/);
    expect([...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!).filter((h) => !h.startsWith('#') && h !== 'data:,')).toEqual([]);
    const csp = decode(page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)![1]!);
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const style = page.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    const script = page.match(/<script>([\s\S]*?)<\/script>/)![1]!;
    expect(csp).toBe(`default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src data:; base-uri 'none'; form-action 'none'`);
  });

  it('reads without the script: the filters are hidden until it runs, every cell is a plain link', () => {
    expect(page).toContain('<form id="filters" class="filters" hidden>');
    expect(page).toMatch(/<option>lab@3\.112\.0<\/option>/);
  });

  it('several runners get a runner line in the header; platforms differ per column', () => {
    const docker = cell({ key: { runner: 'docker:ruby3.3' }, platform: { ruby: '3.3.8', image: 'mirrord-regress/lab:ruby3.3' } });
    const host = cell({ key: { runner: 'host' } });
    const p = toHtmlReport(resultsFile([host, docker]));
    expect([...p.matchAll(/<th class="rn" scope="col" title="([^"]*)">(.*?)<\/th>/g)].map((m) => [m[1], text(m[2]!)])).toEqual([
      ['ruby 3.1.2 · linux/x64 · kernel 6.8.0-1021-azure', 'host ruby 3.1.2'],
      ['ruby 3.3.8 · linux/x64 · kernel 6.8.0-1021-azure · mirrord-regress/lab:ruby3.3', 'docker:ruby3.3 ruby 3.3.8'],
    ]);
    expect(text(sections(p)[1]!.body)).toContain('--scenario spawn-then-resolve --runner docker --ruby-version 3.3');
  });

  it('an evidence kind the formatter does not know yet still shows, field by field', () => {
    const item = { kind: 'dns-query-log', queries: 3, names: ['db.default.svc.cluster.local'] } as unknown as EvidenceItem;
    const c = cell({ verdicts: ['BYPASSED'] });
    c.attempts[0]!.verdict.evidence.push(item);
    expect(text(toHtmlReport(resultsFile([c])))).toContain('dns-query-log queries: 3; names: ["db.default.svc.cluster.local"]');
  });

  it('stays small for 1,000 cells', () => {
    const big = bigMatrix();
    expect(big.cells).toHaveLength(1000);
    const p = toHtmlReport(big);
    expect(gridCells(p)).toHaveLength(1000);
    const size = bytes(p);
    console.log(`report.html of a generated 1,000-cell matrix: ${(size / 1024).toFixed(0)} KiB (${(size / 1000).toFixed(0)} bytes/cell); its results.json: ${(bytes(JSON.stringify(big)) / 1024).toFixed(0)} KiB`);
    expect(size).toBeLessThan(1_900_000);
  });
});

describe('collectCells (report html of several files)', () => {
  const full = upstreamMatrix();
  const [a, b] = [resultsFile(full.cells.slice(0, 12), { plan: full.plan, shard: { index: 1, total: 2 } }), resultsFile(full.cells.slice(12, 18), { plan: full.plan, shard: { index: 2, total: 2 } })];

  it('takes the cells of every file, and names planned cells no file holds', () => {
    const c = collectCells([a, b], ['s1.json', 's2.json']);
    expect(c.cells).toHaveLength(18);
    expect(c.missing).toEqual(full.plan.cells.slice(18));
    const page = matrixReportHtml(c);
    expect(text(page)).toContain('from 2 files: s1.json (12 cells, shard 1/2, 2025-06-02 09:41 UTC), s2.json (6 cells, shard 2/2, 2025-06-02 09:41 UTC)');
    expect(text(page)).toContain('2 planned cells are in none of these files');
  });

  it('refuses a cell two files both hold, naming both', () => {
    expect(() => collectCells([a, a], ['x.json', 'y.json'])).toThrow(`cell ${a.cells[0]!.id} is in both x.json and y.json: give each cell once (one file per shard or runner)`);
  });
});

describe('runCommandFor', () => {
  it('names subject, strategy, scenario; --as for root; the runner; --repeat for several attempts; quotes odd words', () => {
    expect(runCommandFor(cell({ key: { runAs: 'root' } }))).toBe('npx mirrord-regress run --subject lab@3.112.0 --strategy normal --scenario spawn-then-resolve --as root');
    expect(runCommandFor(cell({ key: { subject: 'lab@3.111.0', strategy: null }, verdicts: ['PASS', 'PASS'] }))).toBe('npx mirrord-regress run --subject lab@3.111.0 --scenario spawn-then-resolve --repeat 2');
    expect(runCommandFor(cell({ key: { scenario: "it's" }, expected: ['PASS'] }))).toBe("npx mirrord-regress run --subject lab@3.112.0 --strategy normal --scenario 'it'\\''s'");
    expect(runCommandFor(cell({ key: { scenario: 'exec' }, expected: [] }))).toBeUndefined();
  });
});
