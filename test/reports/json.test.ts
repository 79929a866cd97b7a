/** results.json: stable output, and one-line errors naming the file for anything we cannot read. */
import { describe, expect, it } from 'vitest';
import { parseResultsFile, toResultsJson } from '../../harness/reports/json.ts';
import { cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';

const expectOneLineError = (text: string, pattern: RegExp) => {
  let message = '';
  try {
    parseResultsFile(text, 'out/results.json');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/^out\/results\.json: /);
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(pattern);
};

const mutated = (edit: (o: Record<string, any>) => void): string => {
  const o = JSON.parse(toResultsJson(upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'PASS'] })));
  edit(o);
  return JSON.stringify(o);
};

describe('toResultsJson', () => {
  it('round-trips through parseResultsFile', () => {
    const file = upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'PASS', 'BYPASSED'] }, { shard: { index: 1, total: 1 } });
    expect(parseResultsFile(toResultsJson(file), 'r.json')).toEqual(file);
  });

  it('is 2-space indented, newline-terminated, and independent of the order objects were built in', () => {
    const c = cell();
    const shuffled = Object.fromEntries(Object.entries(c).reverse()) as typeof c;
    const a = toResultsJson(resultsFile([c]));
    const b = toResultsJson({ ...resultsFile([shuffled]), cells: [shuffled] });
    expect(b).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a.split('\n')[1]).toBe('  "schema": "mirrord-regress/results",');
    expect(Object.keys(JSON.parse(a).cells[0]).slice(0, 3)).toEqual(['id', 'key', 'verdict']);
  });
});

describe('parseResultsFile errors', () => {
  it('empty file', () => expectOneLineError('  \n', /empty file/));
  it('not JSON', () => expectOneLineError('{"schema": "mirrord-regress/results",\n "version": 1,', /not valid JSON/));
  it('a JSON array', () => expectOneLineError('[]', /not a mirrord-regress results file \(top level is an array\)/));
  it('another schema', () => expectOneLineError('{"schema":"x"}', /not a mirrord-regress results file \(schema "x"\)/));
  it('no schema at all (some other JSON file)', () => expectOneLineError('{"name":"mirrord-regress"}', /not a mirrord-regress results file \(schema missing\)/));
  it('a newer version', () => expectOneLineError(mutated((o) => (o.version = 2)), /version 2 is newer than this tool understands \(1\)/));
  it('a version that is not one', () => expectOneLineError(mutated((o) => (o.version = '1')), /version "1" is not a results schema version/));
  it('names the first malformed field by path', () => {
    expectOneLineError(mutated((o) => (o.cells[8].attempts[1].verdict.kind = 'MAYBE')), /cells\[8\]\.attempts\[1\]\.verdict\.kind is "MAYBE", expected one of PASS/);
  });
  it('plan.cells missing', () => expectOneLineError(mutated((o) => delete o.plan.cells), /plan\.cells is missing, expected an array of cell ids/));
  it('a cell whose id does not match its key (hand-edited)', () => {
    expectOneLineError(mutated((o) => (o.cells[0].key.runAs = 'root')), /cells\[0\]\.id "lab@3\.111\.0\/-\/spawn-then-resolve\/unprivileged\/host" does not match its key \(lab@3\.111\.0\/-\/spawn-then-resolve\/root\/host\)/);
  });
  it('a cell without attempts', () => expectOneLineError(mutated((o) => (o.cells[4].attempts = [])), /cells\[4\]\.attempts is \[\], expected a non-empty array/));
});
