/** Merging shard results: the same file as an unsharded run, or a one-line refusal. */
import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../harness/matrix/merge.ts';
import { selectShard } from '../../harness/matrix/plan.ts';
import type { ResultsFile } from '../../harness/model/result.ts';
import { parseResultsFile, toResultsJson } from '../../harness/reports/json.ts';
import { upstreamMatrix } from '../fixtures/results.ts';

const NOW = new Date('2025-06-03T08:00:00.000Z');
const now = () => NOW;

/** Splits an unsharded file the way `matrix --shard i/n` would have run it. */
function shards(file: ResultsFile, total: number): ResultsFile[] {
  return Array.from({ length: total }, (_, i) => ({
    ...file,
    createdAt: `2025-06-02T09:4${i}:00.000Z`,
    shard: { index: i + 1, total },
    cells: selectShard(file.cells, { index: i + 1, total }),
  }));
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('mergeResults', () => {
  const whole = upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'PASS', 'BYPASSED'] });

  it('shards merged equal the unsharded file, except createdAt (now) and no shard field', () => {
    const merged = mergeResults(shards(whole, 3), { now });
    expect(merged).toEqual({ ...whole, createdAt: NOW.toISOString() });
    expect('shard' in merged).toBe(false);
  });

  it('order of the files does not matter: cells come out in plan order', () => {
    const merged = mergeResults(shards(whole, 4).reverse(), { now });
    expect(merged.cells.map((c) => c.id)).toEqual(whole.plan.cells);
  });

  it('works on files read back from disk', () => {
    const parsed = shards(whole, 2).map((s, i) => parseResultsFile(toResultsJson(s), `shard-${i + 1}/results.json`));
    // Compared as values: parsing may order nested keys by the schema, which changes no meaning.
    expect(mergeResults(parsed, { now })).toEqual(parseResultsFile(toResultsJson({ ...whole, createdAt: NOW.toISOString() }), 'whole'));
  });

  it('one file of the whole matrix merges to itself', () => {
    expect(mergeResults([whole], { now }).cells).toEqual(whole.cells);
  });

  it('a cell in two shards', () => {
    const [a, b] = shards(whole, 2);
    const dup = { ...b!, cells: [...b!.cells, a!.cells[3]!] };
    const message = errorOf(() => mergeResults([a!, dup], { now }));
    expect(message).toBe(`cell ${a!.cells[3]!.id} appears in shard 1/2 and shard 2/2`);
  });

  it('a cell twice in one file, named by path when names are given', () => {
    const dup = { ...whole, cells: [...whole.cells, whole.cells[0]!] };
    expect(errorOf(() => mergeResults([dup], { now, names: ['out/results.json'] }))).toBe(`cell ${whole.cells[0]!.id} appears twice in out/results.json`);
  });

  it('a file from another matrix names the file that differs', () => {
    const [a, b, c] = shards(whole, 3);
    const other = { ...c!, plan: { cells: c!.plan.cells.slice(1) } };
    const message = errorOf(() => mergeResults([a!, b!, other], { now, names: ['s1.json', 's2.json', 's3.json'] }));
    expect(message).toBe('s3.json was run from a different matrix than s1.json (19 planned cells vs 20); merge shards of one matrix only');
    // Same ids in another order is another plan too.
    const reordered = { ...b!, plan: { cells: [...b!.plan.cells].reverse() } };
    expect(errorOf(() => mergeResults([a!, reordered, c!], { now }))).toMatch(/^shard 2\/3 was run from a different matrix than shard 1\/3/);
  });

  it('missing cells: the count and the first few ids', () => {
    const [a, , c] = shards(whole, 3);
    const message = errorOf(() => mergeResults([a!, c!], { now }));
    const missing = selectShard(whole.plan.cells, { index: 2, total: 3 });
    expect(missing).toHaveLength(7);
    expect(message).toBe(`7 of 20 planned cells are in no file (a shard missing or unfinished?): ${missing.slice(0, 5).join(', ')}, ...`);
    expect(message).not.toContain('\n');
  });

  it('a cell that is not in the plan', () => {
    const [a, b] = shards(whole, 2);
    const stray = { ...a!.cells[0]!, id: 'lab@9.9.9/-/spawn-then-resolve/unprivileged/host' };
    expect(errorOf(() => mergeResults([a!, { ...b!, cells: [...b!.cells, stray] }], { now }))).toBe(`cell lab@9.9.9/-/spawn-then-resolve/unprivileged/host in shard 2/2 is not in the matrix's plan`);
  });

  it('shards written by different tool versions', () => {
    const [a, b] = shards(whole, 2);
    expect(errorOf(() => mergeResults([a!, { ...b!, tool: { name: 'mirrord-regress', version: '0.0.9' } }], { now }))).toMatch(/^shard 2\/2 was written by mirrord-regress 0\.0\.9, shard 1\/2 by /);
  });

  it('nothing to merge', () => {
    expect(errorOf(() => mergeResults([], { now }))).toBe('nothing to merge: no results files given');
  });

  it('defaults createdAt to the current time', () => {
    const before = Date.now();
    const at = Date.parse(mergeResults([whole]).createdAt);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
