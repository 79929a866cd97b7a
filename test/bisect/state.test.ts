/** The JSON-lines state file survives a crash mid-write and refuses real damage. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendProbe, loadProbes } from '../../harness/bisect/state.ts';
import type { ProbeRecord } from '../../harness/bisect/outcome.ts';

const record = (candidate: string, attempt = 1): ProbeRecord => ({ candidate, outcome: 'good', verdict: 'PASS', attempt, t: '2025-01-01T00:00:00.000Z' });

describe('bisect state file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bisect-state-'));
    path = join(dir, 'bisect.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file holds no probes', () => {
    expect(loadProbes(path)).toEqual([]);
  });

  it('round-trips records, one line each', () => {
    appendProbe(path, record('a'));
    appendProbe(path, { ...record('b'), outcome: 'skip', verdict: null });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(loadProbes(path)).toEqual([record('a'), { ...record('b'), outcome: 'skip', verdict: null }]);
  });

  it('ignores a torn last line, and the next append cuts it off', () => {
    appendProbe(path, record('a'));
    appendFileSync(path, '{"candidate":"b","outcome":"go');
    expect(loadProbes(path)).toEqual([record('a')]);
    appendProbe(path, record('c'));
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(record('a'))}\n${JSON.stringify(record('c'))}\n`);
    expect(loadProbes(path)).toEqual([record('a'), record('c')]);
  });

  it('ignores a complete record that lost its newline (it is redone, not glued)', () => {
    writeFileSync(path, JSON.stringify(record('a')));
    expect(loadProbes(path)).toEqual([]);
  });

  it('refuses damage that is not a torn last line', () => {
    writeFileSync(path, `${JSON.stringify(record('a'))}\n{oops\n${JSON.stringify(record('b'))}\n`);
    expect(() => loadProbes(path)).toThrow(/bisect\.jsonl:2: not JSON/);
    writeFileSync(path, `${JSON.stringify({ ...record('a'), outcome: 'meh' })}\n`);
    expect(() => loadProbes(path)).toThrow(/bisect\.jsonl:1: not a probe record/);
  });
});
