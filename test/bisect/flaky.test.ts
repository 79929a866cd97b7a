/**
 * Flaky-aware bisection in a simulated world: a bad candidate shows the bug with p = 0.7, a good
 * one never. The engine must be as right as it claims, for fewer runs than repeating each probe.
 */
import { describe, expect, it } from 'vitest';
import { bisectFlaky, FLAKY_DEFAULTS, type FlakyResult } from '../../harness/bisect/flaky.ts';
import { bisect } from '../../harness/bisect/search.ts';
import { flakyRegression, ids, regression, world } from './world.ts';
import { mulberry32 } from './mulberry32.ts';

const N = 32;
const P = 0.7;
const TRIALS = 300;
const REPEATS = 10;

function found(result: FlakyResult): Extract<FlakyResult, { kind: 'found' }> {
  if (result.kind !== 'found') throw new Error(`expected an answer, got ${result.message}`);
  return result;
}

describe('bisectFlaky: calibrated and cheaper than repeating probes', () => {
  it(`N=${N}, p=${P}, ${TRIALS} seeded trials`, async () => {
    const rng = mulberry32(20250112);
    let right = 0;
    let runs = 0;
    let baselineRight = 0;
    let baselineRuns = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const culprit = 1 + Math.floor(rng() * (N - 1));
      const w = flakyRegression(culprit, P, rng);
      const r = found(await bisectFlaky({ candidates: ids(N), good: 0, bad: N - 1, probe: w.probe }));
      expect(r.stoppedBy).toBe('confidence');
      if (r.firstBad === `c${culprit}`) right++;
      runs += r.runs;

      // Baseline: plain binary search, each probe run REPEATS times, bad if any run was bad.
      const once = flakyRegression(culprit, P, rng);
      const repeated = async (id: string) => {
        const outcomes = [];
        for (let k = 0; k < REPEATS; k++) outcomes.push(await once.probe(id));
        return outcomes.includes('bad') ? 'bad' : 'good';
      };
      const b = await bisect({ candidates: ids(N), good: 0, bad: N - 1, probe: repeated });
      if (b.kind === 'found' && b.mode === 'regression' && b.firstBad === `c${culprit}`) baselineRight++;
      baselineRuns += once.calls.length;
    }
    const accuracy = right / TRIALS;
    const target = FLAKY_DEFAULTS.confidence;
    // 3 standard errors of a binomial proportion at the target confidence.
    const margin = 3 * Math.sqrt((target * (1 - target)) / TRIALS);
    console.log(
      `flaky bisect N=${N} p=${P} trials=${TRIALS}: accuracy ${accuracy.toFixed(4)} (target ${target}, margin ${margin.toFixed(4)}), ` +
        `mean runs ${(runs / TRIALS).toFixed(2)}; baseline x${REPEATS}: accuracy ${(baselineRight / TRIALS).toFixed(4)}, mean runs ${(baselineRuns / TRIALS).toFixed(2)}`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(target - margin);
    expect(runs / TRIALS).toBeLessThan(baselineRuns / TRIALS);
  });
});

describe('bisectFlaky: endpoints, skips, determinism', () => {
  it('finds the culprit of a reliable bug with few runs', async () => {
    const w = regression(20);
    const r = found(await bisectFlaky({ candidates: ids(N), good: 0, bad: N - 1, probe: w.probe }));
    expect([r.firstBad, r.lastGood, r.ambiguousBetween]).toEqual(['c20', 'c19', undefined]);
    expect(r.confidence).toBeGreaterThanOrEqual(0.99);
    expect(r.runs).toBe(w.calls.length);
  });

  it('a good endpoint that shows the bug fails, probed once', async () => {
    const w = regression(0);
    const r = await bisectFlaky({ candidates: ids(8), good: 0, bad: 7, probe: w.probe });
    expect(r).toMatchObject({ kind: 'endpoints', endpoint: 'good', observed: 'bad' });
    expect(w.calls).toEqual(['c0']);
  });

  it('probes the bad endpoint until it shows the bug, and fails when it never does', async () => {
    let left = 3;
    const shy = world((i) => (i >= 4 && i === 7 && left-- > 0 ? 'good' : i >= 4 ? 'bad' : 'good'));
    const r = found(await bisectFlaky({ candidates: ids(8), good: 0, bad: 7, probe: shy.probe }));
    expect(shy.calls.slice(0, 5)).toEqual(['c0', 'c7', 'c7', 'c7', 'c7']);
    expect(r.firstBad).toBe('c4');

    const never = await bisectFlaky({ candidates: ids(8), good: 0, bad: 7, probe: regression(99).probe, maxRuns: 12 });
    expect(never).toMatchObject({ kind: 'endpoints', endpoint: 'bad', observed: 'good' });
    if (never.kind === 'endpoints') expect(never.message).toMatch(/^known-bad c7 showed no bug in 11 probes \(maxRuns 12 spent\)[^\n]*$/);
  });

  it('a skipped candidate next to the culprit makes an honest ambiguous answer', async () => {
    const w = regression(10, new Set([9]));
    const r = found(await bisectFlaky({ candidates: ids(16), good: 0, bad: 15, probe: w.probe }));
    expect(r).toMatchObject({ firstBad: 'c10', lastGood: 'c8', ambiguousBetween: ['c9', 'c10'], skipped: ['c9'] });
    expect(r.confidence).toBeGreaterThanOrEqual(0.99);
    expect(w.calls.filter((id) => id === 'c9')).toHaveLength(1);
  });

  it('a skip away from the culprit does not blur the answer', async () => {
    const w = regression(10, new Set([4, 11, 12]));
    const r = found(await bisectFlaky({ candidates: ids(16), good: 0, bad: 15, probe: w.probe }));
    expect([r.firstBad, r.lastGood, r.ambiguousBetween]).toEqual(['c10', 'c9', undefined]);
    expect(r.skipped).toEqual(['c4', 'c11', 'c12'].filter((id) => w.calls.includes(id)));
    expect(r.skipped.length).toBeGreaterThan(0);
  });

  it('stops at the run budget with the best answer so far', async () => {
    const rng = mulberry32(7);
    const r = found(await bisectFlaky({ candidates: ids(N), good: 0, bad: N - 1, maxRuns: 6, probe: flakyRegression(13, 0.3, rng).probe }));
    expect(r.stoppedBy).toBe('budget');
    expect(r.runs).toBe(6);
    expect(r.confidence).toBeLessThan(0.99);
  });

  it('is deterministic given the probe answers', async () => {
    const runOnce = async () => found(await bisectFlaky({ candidates: ids(N), good: 0, bad: N - 1, probe: flakyRegression(17, P, mulberry32(3)).probe }));
    const [a, b] = [await runOnce(), await runOnce()];
    expect(b.probes.map((p) => [p.candidate, p.outcome])).toEqual(a.probes.map((p) => [p.candidate, p.outcome]));
    expect(b.confidence).toBe(a.confidence);
  });
});
