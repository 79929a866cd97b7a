/** The posterior's arithmetic: ln Γ, and what one observation does to the culprit's mass. */
import { describe, expect, it } from 'vitest';
import { logBeta, logGamma } from '../../harness/bisect/log-beta.ts';
import { culpritPosterior } from '../../harness/bisect/posterior.ts';
import { expectedGains } from '../../harness/bisect/information.ts';

describe('culprit posterior', () => {
  it('ln Γ and ln B match known values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logBeta(3, 4)).toBeCloseTo(Math.log(1 / 60), 12);
  });

  it('starts uniform; a bad answer rules out later culprits, a good one only lowers earlier ones', () => {
    const flat = { alpha: 1, beta: 1 };
    expect(culpritPosterior(4, [], flat).mass).toEqual([0.25, 0.25, 0.25, 0.25]);
    const afterBad = culpritPosterior(4, [{ position: 1, bad: true }], flat).mass;
    expect(afterBad.slice(2)).toEqual([0, 0]);
    expect(afterBad[0]).toBeCloseTo(0.5, 12);
    // With p ~ Beta(1,1), a good answer weighs culprits at or before it by E[1 - p] = 1/2.
    const afterGood = culpritPosterior(4, [{ position: 1, bad: false }], flat).mass;
    expect(afterGood.map((m) => m * 6)).toEqual([1, 1, 2, 2].map((x) => expect.closeTo(x, 12)));
  });

  it('gains most from probing the middle when nothing is known', () => {
    const gains = expectedGains(culpritPosterior(8, [], { alpha: 1, beta: 1 }));
    expect(gains.indexOf(Math.max(...gains))).toBeGreaterThan(1);
    expect(gains.indexOf(Math.max(...gains))).toBeLessThan(7);
  });
});
