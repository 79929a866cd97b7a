/** Deterministic bisection: right answer, bounded probes, honest skips, checked endpoints, fixes. */
import { describe, expect, it } from 'vitest';
import { bisect, type SearchResult } from '../../harness/bisect/search.ts';
import { ids, regression, world } from './world.ts';
import { mulberry32 } from './mulberry32.ts';

const bound = (n: number): number => Math.ceil(Math.log2(n)) + 2;

function found(result: SearchResult, mode: 'regression'): Extract<SearchResult, { mode: 'regression' }>;
function found(result: SearchResult, mode: 'fix'): Extract<SearchResult, { mode: 'fix' }>;
function found(result: SearchResult, mode: 'regression' | 'fix'): SearchResult {
  if (result.kind !== 'found' || result.mode !== mode) throw new Error(`expected a ${mode} result, got ${JSON.stringify(result)}`);
  return result;
}

describe('bisect (deterministic)', () => {
  it.each([2, 3, 4, 5, 8, 13, 64, 100])('N=%i: every culprit found within ceil(log2 N)+2 probes', async (n) => {
    for (let culprit = 1; culprit < n; culprit++) {
      const w = regression(culprit);
      const r = found(await bisect({ candidates: ids(n), good: 0, bad: n - 1, probe: w.probe }), 'regression');
      expect([r.firstBad, r.lastGood, r.ambiguousBetween]).toEqual([`c${culprit}`, `c${culprit - 1}`, undefined]);
      // The two endpoint checks are among these calls.
      expect(w.calls.slice(0, 2)).toEqual(['c0', `c${n - 1}`]);
      expect(w.calls.length).toBeLessThanOrEqual(bound(n));
      expect(new Set(w.calls).size).toBe(w.calls.length);
      expect(r.probes.map((p) => p.candidate)).toEqual(w.calls);
    }
  });

  it('searches a sub-range and reuses endpoint priors without probing them', async () => {
    const w = regression(40);
    const t = '2025-01-01T00:00:00.000Z';
    const priors = [
      { candidate: 'c10', outcome: 'good', verdict: 'PASS', attempt: 1, t },
      { candidate: 'c70', outcome: 'bad', verdict: 'BYPASSED', attempt: 1, t },
    ] as const;
    const r = found(await bisect({ candidates: ids(100), good: 10, bad: 70, probe: w.probe, priors }), 'regression');
    expect(r.firstBad).toBe('c40');
    expect(w.calls).not.toContain('c10');
    expect(w.calls).not.toContain('c70');
    expect(w.calls.length).toBeLessThanOrEqual(Math.ceil(Math.log2(60)));
  });

  it('keeps the verdict a probe reports in its record', async () => {
    const probe = async (id: string) => (id === 'c0' ? { outcome: 'good', verdict: 'PASS' } as const : { outcome: 'bad', verdict: 'HANG' } as const);
    const r = found(await bisect({ candidates: ids(4), good: 0, bad: 3, probe, now: () => new Date(0) }), 'regression');
    expect(r.firstBad).toBe('c1');
    expect(r.probes[0]).toEqual({ candidate: 'c0', outcome: 'good', verdict: 'PASS', attempt: 1, t: '1970-01-01T00:00:00.000Z' });
    expect(r.probes.at(-1)?.verdict).toBe('HANG');
  });
});

describe('bisect: skips', () => {
  it.each([5, 8, 13, 64])('N=%i: right, or ambiguous exactly when the culprit or the one before it skips', async (n) => {
    const rng = mulberry32(n);
    for (let pattern = 0; pattern < 20; pattern++) {
      const skipping = new Set(ids(n).map((_, i) => i).filter((i) => i > 0 && i < n - 1 && rng() < 0.3));
      for (let culprit = 1; culprit < n; culprit++) {
        const w = regression(culprit, skipping);
        const r = found(await bisect({ candidates: ids(n), good: 0, bad: n - 1, probe: w.probe }), 'regression');
        const adjacent = skipping.has(culprit) || skipping.has(culprit - 1);
        expect(r.ambiguousBetween !== undefined, `culprit c${culprit}, skipping ${[...skipping]}`).toBe(adjacent);
        if (r.ambiguousBetween) {
          expect(r.ambiguousBetween).toContain(`c${culprit}`);
          // Only skipped candidates are left open, then the first confirmed bad one.
          expect(r.ambiguousBetween.slice(0, -1).every((id) => r.skipped.includes(id))).toBe(true);
          expect(r.ambiguousBetween.at(-1)).toBe(r.firstBad);
        } else {
          expect([r.firstBad, r.lastGood]).toEqual([`c${culprit}`, `c${culprit - 1}`]);
        }
        expect(new Set(w.calls).size).toBe(w.calls.length);
      }
    }
  });

  it('tries the nearest candidates around the midpoint, alternating', async () => {
    const w = regression(9, new Set([5, 6, 4]));
    await bisect({ candidates: ids(11), good: 0, bad: 10, probe: w.probe });
    expect(w.calls.slice(2, 6)).toEqual(['c5', 'c6', 'c4', 'c7']);
  });

  it('every candidate between skips: ambiguous over all of them', async () => {
    const w = regression(3, new Set([1, 2, 3, 4]));
    const r = found(await bisect({ candidates: ids(6), good: 0, bad: 5, probe: w.probe }), 'regression');
    expect(r).toMatchObject({ firstBad: 'c5', lastGood: 'c0', skipped: ['c1', 'c2', 'c3', 'c4'] });
    expect(r.ambiguousBetween).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });
});

describe('bisect: endpoints', () => {
  it('a good endpoint that is bad fails with one line', async () => {
    const r = await bisect({ candidates: ids(8), good: 0, bad: 7, probe: regression(0).probe });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'good', candidate: 'c0', observed: 'bad' });
    if (r.kind === 'endpoints') expect(r.message).toMatch(/^known-good c0 probed bad[^\n]*$/);
  });

  it('a bad endpoint that is good fails with one line', async () => {
    const r = await bisect({ candidates: ids(8), good: 0, bad: 7, probe: regression(99).probe });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'bad', candidate: 'c7', observed: 'good' });
    if (r.kind === 'endpoints') expect(r.message).toMatch(/^known-bad c7 probed good[^\n]*$/);
  });

  it('an endpoint that cannot be probed fails too', async () => {
    const r = await bisect({ candidates: ids(8), good: 0, bad: 7, probe: regression(3, new Set([7])).probe });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'bad', observed: 'skip' });
  });

  it('a prior record of the endpoint counts as its check', async () => {
    const w = regression(3);
    const priors = [{ candidate: 'c0', outcome: 'bad', verdict: 'CRASH', attempt: 1, t: '' }] as const;
    const r = await bisect({ candidates: ids(8), good: 0, bad: 7, probe: w.probe, priors });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'good', observed: 'bad' });
    expect(w.calls).toEqual([]);
  });

  it('refuses indices in the wrong order', async () => {
    await expect(bisect({ candidates: ids(8), good: 5, bad: 2, probe: regression(3).probe })).rejects.toThrow(RangeError);
    await expect(bisect({ candidates: ids(8), good: 2, bad: 5, findFix: true, probe: regression(3).probe })).rejects.toThrow(RangeError);
  });
});

describe('bisect: findFix', () => {
  it.each([2, 5, 13, 64])('N=%i: finds the first good candidate after the bad ones', async (n) => {
    for (let fix = 1; fix < n; fix++) {
      const w = world((i) => (i < fix ? 'bad' : 'good'));
      const r = found(await bisect({ candidates: ids(n), bad: 0, good: n - 1, findFix: true, probe: w.probe }), 'fix');
      expect([r.firstGood, r.lastBad]).toEqual([`c${fix}`, `c${fix - 1}`]);
      expect(w.calls.length).toBeLessThanOrEqual(bound(n));
    }
  });

  it('checks its endpoints the other way round', async () => {
    const r = await bisect({ candidates: ids(8), bad: 0, good: 7, findFix: true, probe: world(() => 'good').probe });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'bad', candidate: 'c0', observed: 'good' });
  });
});
