/** writeReports: four files, written atomically, and the step summary appended on GitHub Actions. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { parseResultsFile } from '../../harness/reports/json.ts';
import { writeReports } from '../../harness/reports/write.ts';
import { upstreamMatrix } from '../fixtures/results.ts';

describe('writeReports', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirrord-regress-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = upstreamMatrix({ 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host': ['BYPASSED'] });

  it('writes results.json, junit.xml, summary.md and report.html (creating the directory) and leaves no temp files', () => {
    const out = join(dir, 'nested', 'results');
    const written = writeReports(file, out, { env: {} });
    expect(readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'results.json', 'summary.md']);
    expect(parseResultsFile(readFileSync(written.resultsJson, 'utf8'), written.resultsJson)).toEqual(file);
    expect(readFileSync(written.junitXml, 'utf8')).toMatch(/<testsuite name="mirrord-regress" tests="20" failures="1"/);
    expect(readFileSync(written.summaryMd, 'utf8')).toMatch(/^## mirrord-regress results\n/);
    expect(readFileSync(written.reportHtml, 'utf8')).toMatch(/^<!doctype html>\n[\s\S]*<title>mirrord-regress matrix: 1 unexpected of 20<\/title>/);
    expect(written.stepSummary).toBeUndefined();
  });

  it('replaces earlier reports', () => {
    writeFileSync(join(dir, 'junit.xml'), 'stale');
    writeReports(file, dir, { env: {} });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).not.toContain('stale');
  });

  it('appends the summary to $GITHUB_STEP_SUMMARY, keeping what other steps wrote', () => {
    const summary = join(dir, 'step_summary');
    writeFileSync(summary, '# earlier step\n');
    const written = writeReports(file, join(dir, 'out'), { env: { GITHUB_STEP_SUMMARY: summary } });
    const text = readFileSync(summary, 'utf8');
    expect(written.stepSummary).toBe(summary);
    expect(text.startsWith('# earlier step\n## mirrord-regress results\n')).toBe(true);
    expect(text.endsWith(readFileSync(join(dir, 'out', 'summary.md'), 'utf8'))).toBe(true);
  });

  it('passes the markdown cap through to summary.md', () => {
    writeReports(file, dir, { env: {}, markdownMaxBytes: 2000 });
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(2000);
    expect(md).toMatch(/_Truncated to fit the step summary limit/);
  });

  it('a step summary that cannot be written fails with one line naming it', () => {
    const write = () => writeReports(file, dir, { env: { GITHUB_STEP_SUMMARY: join(dir, 'no', 'such', 'dir', 'summary') } });
    const summary = join(dir, 'no', 'such', 'dir', 'summary');
    expect(write).toThrow(`reports written to ${dir}, but appending to $GITHUB_STEP_SUMMARY (${summary}) failed: its directory ${join(dir, 'no', 'such', 'dir')} does not exist (ENOENT); create it first, or choose another $GITHUB_STEP_SUMMARY`);
    expect(write).toThrow(EnvironmentError);
    expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'report.html', 'results.json', 'summary.md']);
  });
});
