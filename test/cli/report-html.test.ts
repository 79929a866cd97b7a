/**
 * `report html FILE... --out F` through the real CLI: one page from shards or runners, and every
 * way it can be given something unusable answered with one line naming the path, exit 2, and no
 * page (or temp file) left behind.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tmpPkg from 'tmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toResultsJson } from '../../harness/reports/json.ts';
import { cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';
import { regress } from '../support/cli.ts';

let tmp = '';
let removeTmp = () => {};
const p = (line: string) => `mirrord-regress: ${line}`;

beforeAll(() => {
  const t = tmpPkg.dirSync({ prefix: 'report-html-', unsafeCleanup: true });
  [tmp, removeTmp] = [t.name, t.removeCallback];
  const full = upstreamMatrix({ 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host': ['BYPASSED'] });
  writeFileSync(join(tmp, 's1.json'), toResultsJson(resultsFile(full.cells.slice(0, 10), { plan: full.plan, shard: { index: 1, total: 2 } })));
  writeFileSync(join(tmp, 's2.json'), toResultsJson(resultsFile(full.cells.slice(10), { plan: full.plan, shard: { index: 2, total: 2 } })));
  writeFileSync(join(tmp, 'docker.json'), toResultsJson(resultsFile([cell({ key: { runner: 'docker:ruby3.3' }, platform: { ruby: '3.3.8' } })])));
  writeFileSync(join(tmp, 'cut.json'), toResultsJson(full).slice(0, 300));
  writeFileSync(join(tmp, 'a-file'), 'mine\n');
  writeFileSync(join(tmp, 'other.json'), '{"hello": 1}\n');
  mkdirSync(join(tmp, 'a-dir'));
});
afterAll(() => removeTmp());

describe('report html', () => {
  it('writes one page from shards and another runner\'s file, creating its directory, and exits 0 whatever the verdicts', async () => {
    const out = join(tmp, 'site', 'nested', 'report.html');
    const r = await regress(['report', 'html', join(tmp, 's1.json'), join(tmp, 's2.json'), join(tmp, 'docker.json'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^report: ${out} \\(21 cells from 3 files, \\d+ KB\\)$`));
    const page = readFileSync(out, 'utf8');
    expect(page.match(/<td class="c /g)).toHaveLength(21);
    expect(page).toContain('1 unexpected');
    expect(page).toContain('<th class="rn" scope="col"');
    expect(readdirSync(join(tmp, 'site', 'nested'))).toEqual(['report.html']);
  });

  it.each<[string, (d: string) => string[], (d: string) => string]>([
    ['a missing file', (d) => [join(d, 'missing.json'), '--out', join(d, 'x.html')], (d) => `cannot read ${join(d, 'missing.json')}: no such file or directory (ENOENT); check the path`],
    ['a truncated file', (d) => [join(d, 'cut.json'), '--out', join(d, 'x.html')], (d) => `${join(d, 'cut.json')}: truncated: the JSON stops after 300 bytes, in the middle of a value (a partial copy?)`],
    ['not a results file', (d) => [join(d, 'other.json'), '--out', join(d, 'x.html')], (d) => `${join(d, 'other.json')}: not a mirrord-regress results file (schema missing)`],
    ['the same file twice', (d) => [join(d, 's1.json'), join(d, 's1.json'), '--out', join(d, 'x.html')], (d) => `${join(d, 's1.json')} is given twice`],
    ['--out a directory', (d) => [join(d, 's1.json'), '--out', join(d, 'a-dir')], (d) => `cannot write ${join(d, 'a-dir')} (--out): it is a directory (EISDIR); give a file, not a directory`],
    ['--out under a file', (d) => [join(d, 's1.json'), '--out', join(d, 'a-file', 'x.html')], (d) => `cannot create ${join(d, 'a-file')} (--out): it is a file, not a directory (EEXIST); choose another --out`],
    ['--out on /proc', () => [join(tmp, 's1.json'), '--out', '/proc/mirrord-regress-report.html'], () => 'cannot write /proc/mirrord-regress-report.html (--out): this file system does not allow creating files here (ENOENT); choose another --out on a normal disk'],
    ['--out empty', (d) => [join(d, 's1.json'), '--out', ''], () => '--out is empty: give a file, e.g. report.html'],
  ])('%s: one line, exit 2, no page', async (_, argv, line) => {
    const before = readdirSync(tmp).sort();
    const r = await regress(['report', 'html', ...argv(tmp)]);
    expect(r.stderr).toBe(p(line(tmp)));
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(tmp).sort()).toEqual(before);
    expect(readdirSync(join(tmp, 'a-dir'))).toEqual([]);
    expect(existsSync(join(tmp, 'x.html'))).toBe(false);
  });

  it('a cell two different files hold is refused, naming both', async () => {
    const r = await regress(['report', 'html', join(tmp, 's1.json'), join(tmp, 's2.json'), join(tmp, 's1.json').replace('s1.json', './s1.json'), '--out', join(tmp, 'x.html')]);
    expect(r.stderr).toMatch(/^mirrord-regress: cell lab@3\.111\.0\/-\/spawn-then-resolve\/unprivileged\/host is in both .*s1\.json and .*\.\/s1\.json: give each cell once \(one file per shard or runner\)$/);
    expect(r.exitCode).toBe(2);
  });
});
