/**
 * The flaky search's posterior as it stood after each probe of a session, recomputed from the
 * state file exactly the way bisectFlaky learns (flaky.ts): good/bad answers after the known-good
 * endpoint are observations, skips carry no information, the good endpoint itself is no position.
 * For the report's chart; it decides nothing.
 */
import { FLAKY_DEFAULTS } from './flaky.ts';
import type { ProbeRecord } from './outcome.ts';
import { culpritPosterior, type DetectionPrior, type Observation } from './posterior.ts';

export interface PosteriorStep {
  /** The probe after which this holds (index into the records given). */
  probe: number;
  /** mass[k]: probability that the candidate at good + 1 + k is the first bad one. */
  mass: number[];
}

export function posteriorHistory(
  candidates: readonly string[],
  good: number,
  bad: number,
  records: readonly ProbeRecord[],
  prior: DetectionPrior = FLAKY_DEFAULTS.detection,
): PosteriorStep[] {
  const size = bad - good;
  if (!(size > 0)) return [];
  const index = new Map(candidates.map((id, i) => [id, i]));
  const observations: Observation[] = [];
  return records.map((r, probe) => {
    const i = index.get(r.candidate);
    if (i !== undefined && i > good && i <= bad && r.outcome !== 'skip') observations.push({ position: i - good - 1, bad: r.outcome === 'bad' });
    return { probe, mass: culpritPosterior(size, observations, prior).mass };
  });
}
