/**
 * The posterior over "which candidate is the first bad one", with the detection rate p (how often
 * a bad candidate shows the bug) integrated out under a Beta(alpha, beta) prior.
 *
 * Model: the culprit c is uniform over the positions after the known-good endpoint up to the
 * known-bad one. A candidate before c never shows the bug; a candidate at or after c shows it
 * with probability p on each probe, independently. Given c, an observation at i >= c is a
 * Bernoulli(p) draw; one at i < c is 'good' with certainty, and a 'bad' there rules c out. With k_c
 * bad and m_c good observations at or after c, the marginal likelihood is
 *   B(alpha + k_c, beta + m_c) / B(alpha, beta),
 * so the posterior is exact (no fixed guess of p) and costs O(n) to recompute.
 */
import { logBeta } from './log-beta.ts';

/** Beta prior on the detection rate p. */
export interface DetectionPrior {
  alpha: number;
  beta: number;
}

/** A good or bad answer at a position of the range (skips carry no information). */
export interface Observation {
  /** 0-based position in the range: position k is the candidate right after the good endpoint, plus k. */
  position: number;
  bad: boolean;
}

export interface Posterior {
  /** mass[k]: probability that the candidate at position k is the first bad one. Sums to 1. */
  mass: number[];
  /** detection[k]: posterior mean of p if the culprit is at position k. */
  detection: number[];
}

/** Posterior over `size` positions; observations outside 0..size-1 are ignored. */
export function culpritPosterior(size: number, observations: readonly Observation[], prior: DetectionPrior): Posterior {
  const bad = new Array<number>(size).fill(0);
  const good = new Array<number>(size).fill(0);
  let earliestBad = size - 1;
  for (const o of observations) {
    if (o.position < 0 || o.position >= size) continue;
    if (o.bad) {
      bad[o.position]! += 1;
      earliestBad = Math.min(earliestBad, o.position);
    } else good[o.position]! += 1;
  }

  const logWeight = new Array<number>(size).fill(-Infinity);
  const detection = new Array<number>(size).fill(0);
  let k = 0;
  let m = 0;
  for (let c = size - 1; c >= 0; c--) {
    k += bad[c]!;
    m += good[c]!;
    detection[c] = (prior.alpha + k) / (prior.alpha + prior.beta + k + m);
    // A bad answer before c rules c out: good candidates never show the bug.
    if (c <= earliestBad) logWeight[c] = logBeta(prior.alpha + k, prior.beta + m);
  }

  const top = Math.max(...logWeight);
  const weight = logWeight.map((w) => Math.exp(w - top));
  const total = weight.reduce((a, b) => a + b, 0);
  return { mass: weight.map((w) => w / total), detection };
}
