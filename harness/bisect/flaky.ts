/**
 * Flaky-aware bisection (the BBChop idea): keep a posterior over which candidate is the first
 * bad one, probe where the expected information gain is largest, stop at a target confidence.
 *
 * Assumption: a good candidate never shows the bug; a bad one shows it on each probe with an
 * unknown probability p (so a 'bad' answer is proof, a 'good' one only evidence).
 *
 * How p is handled: not fixed. p gets a Beta prior (default Beta(1, 1), i.e. "any rate is as
 * likely") and is integrated out exactly for every candidate culprit (posterior.ts), so every
 * observation at or after a hypothesised culprit, the known-bad endpoint's included, teaches the
 * search about p. A fixed guess would be overconfident when the guess is too high (each 'good'
 * would clear a candidate too fast) and the endpoint alone, after one sighting, says little.
 *
 * Endpoints: the known-good one is probed once (a 'bad' there breaks the assumption: failure),
 * the known-bad one until it shows the bug once (never within the run budget: failure).
 * Skipped candidates are never probed again; their mass stays, so a skipped candidate and the
 * one after it can only be answered together (blocks.ts): then `ambiguousBetween` lists them.
 *
 * Deterministic given the probe answers: no randomness, ties go to the older candidate.
 */
import { createRecorder } from './recorder.ts';
import { checkRange } from './range.ts';
import { endpointsFailure, type EndpointsFailure } from './endpoints.ts';
import { culpritPosterior, type DetectionPrior, type Observation, type Posterior } from './posterior.ts';
import { indistinguishableBlocks, type Block } from './blocks.ts';
import { expectedGains } from './information.ts';
import type { Probe, ProbeOutcome, ProbeRecord } from './outcome.ts';

export interface FlakyInput {
  /** Candidate ids, oldest first. */
  candidates: readonly string[];
  /** Index of the known-good candidate (before `bad`). */
  good: number;
  /** Index of the known-bad candidate. */
  bad: number;
  probe: Probe;
  /** Records of earlier sessions: every good/bad answer is data, every skip excludes its candidate. */
  priors?: readonly ProbeRecord[];
  /** Stop once one candidate (or block, see ambiguousBetween) holds this much posterior mass. */
  confidence?: number;
  /** New probes this session may not exceed this, endpoint checks included. */
  maxRuns?: number;
  /** Beta prior on the detection rate p. */
  detection?: DetectionPrior;
  onRecord?: (record: ProbeRecord) => void;
  now?: () => Date;
}

export interface FlakyFound {
  kind: 'found';
  firstBad: string;
  lastGood: string;
  /** Posterior probability that the answer is right (of the whole block when ambiguous). */
  confidence: number;
  /** New probes this session, endpoint checks included. */
  runs: number;
  /** Those probes' records, oldest first. */
  probes: ProbeRecord[];
  /** Candidates in the range that skipped (this session or earlier), oldest first. */
  skipped: string[];
  /** Set when skips make the answer a block: the candidates the culprit could be, oldest first. */
  ambiguousBetween?: string[];
  /**
   * `budget`: maxRuns was spent before the target confidence; the answer is the best so far.
   * `exhausted`: no probe could still tell the remaining answers apart (only possible when
   * rounding leaves less than ~1e-12 bits to gain); the answer is the best so far.
   */
  stoppedBy: 'confidence' | 'budget' | 'exhausted';
  /** Posterior mean of p given the answer: how often the bug showed on a bad candidate. */
  detectionRate: number;
}

export type FlakyResult = FlakyFound | EndpointsFailure;

/** 100 runs: ~20-30 are typical for 32 candidates at p = 0.7; the cap only stops a runaway session. */
export const FLAKY_DEFAULTS = { confidence: 0.99, maxRuns: 100, detection: { alpha: 1, beta: 1 } } as const;

export async function bisectFlaky(input: FlakyInput): Promise<FlakyResult> {
  const { candidates, good, bad } = input;
  checkRange(candidates, ['good', good], ['bad', bad]);
  const confidence = input.confidence ?? FLAKY_DEFAULTS.confidence;
  const maxRuns = input.maxRuns ?? FLAKY_DEFAULTS.maxRuns;
  const prior = input.detection ?? FLAKY_DEFAULTS.detection;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence} must be between 0 and 1`);
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns ${maxRuns} must be a positive integer`);
  if (!(prior.alpha > 0 && prior.beta > 0)) throw new RangeError('detection prior needs alpha > 0 and beta > 0');

  // Position k is candidate good + 1 + k; the known-bad endpoint is the last position.
  const size = bad - good;
  const index = new Map(candidates.map((id, i) => [id, i]));
  const seenAt = new Map<number, Set<ProbeOutcome>>();
  const observations: Observation[] = [];
  const skips = new Set<number>();
  const learn = (record: ProbeRecord): void => {
    const i = index.get(record.candidate);
    if (i === undefined || i < good || i > bad) return;
    seenAt.set(i, (seenAt.get(i) ?? new Set()).add(record.outcome));
    if (i === good) return;
    if (record.outcome === 'skip') skips.add(i - good - 1);
    else observations.push({ position: i - good - 1, bad: record.outcome === 'bad' });
  };
  const priors = input.priors ?? [];
  priors.forEach(learn);
  const recorder = createRecorder({ probe: input.probe, priors, onRecord: input.onRecord, now: input.now });
  const run = async (i: number): Promise<ProbeOutcome> => {
    const record = await recorder.run(candidates[i]!);
    learn(record);
    return record.outcome;
  };
  const seen = (i: number, outcome: ProbeOutcome): boolean => seenAt.get(i)?.has(outcome) ?? false;

  if (seen(good, 'bad')) return endpointsFailure('good', candidates[good]!, 'bad', recorder.records);
  if (!seen(good, 'good')) {
    if (seen(good, 'skip')) return endpointsFailure('good', candidates[good]!, 'skip', recorder.records);
    const outcome = await run(good);
    if (outcome !== 'good') return endpointsFailure('good', candidates[good]!, outcome, recorder.records);
  }
  while (!seen(bad, 'bad')) {
    if (seen(bad, 'skip')) return endpointsFailure('bad', candidates[bad]!, 'skip', recorder.records);
    if (recorder.records.length >= maxRuns) {
      const tries = observations.filter((o) => o.position === size - 1).length;
      const message = `known-bad ${candidates[bad]} showed no bug in ${tries} probes (maxRuns ${maxRuns} spent): not confirmed bad`;
      return endpointsFailure('bad', candidates[bad]!, 'good', recorder.records, message);
    }
    await run(bad);
  }

  // The confirmed bad endpoint stays probeable even if it once skipped.
  const probeable = (k: number): boolean => k === size - 1 || !skips.has(k);
  for (;;) {
    const posterior = culpritPosterior(size, observations, prior);
    const blocks = indistinguishableBlocks(size, probeable);
    const best = heaviest(blocks, posterior);
    const next = mostInformative(posterior, probeable);
    const done = best.mass >= confidence;
    if (done || next === undefined || recorder.records.length >= maxRuns) {
      const [start, end] = best.block;
      const found: FlakyFound = {
        kind: 'found',
        firstBad: candidates[good + 1 + end]!,
        lastGood: candidates[good + start]!,
        confidence: best.mass,
        runs: recorder.records.length,
        probes: [...recorder.records],
        skipped: [...skips].filter((k) => k < size - 1).sort((a, b) => a - b).map((k) => candidates[good + 1 + k]!),
        stoppedBy: done ? 'confidence' : next === undefined ? 'exhausted' : 'budget',
        detectionRate: blockDetection(best.block, posterior),
      };
      if (end > start) found.ambiguousBetween = candidates.slice(good + 1 + start, good + 2 + end);
      return found;
    }
    await run(good + 1 + next);
  }
}

/** The block with the most posterior mass (the older one on a tie). */
function heaviest(blocks: readonly Block[], posterior: Posterior): { block: Block; mass: number } {
  let best = { block: blocks[0]!, mass: -1 };
  for (const block of blocks) {
    const mass = posterior.mass.slice(block[0], block[1] + 1).reduce((a, b) => a + b, 0);
    if (mass > best.mass) best = { block, mass };
  }
  return best;
}

/** The probeable position with the largest positive expected gain (the older one on a tie). */
function mostInformative(posterior: Posterior, probeable: (k: number) => boolean): number | undefined {
  let best: number | undefined;
  let bestGain = 0;
  expectedGains(posterior).forEach((gain, k) => {
    if (probeable(k) && gain > bestGain + 1e-12) {
      best = k;
      bestGain = gain;
    }
  });
  return best;
}

/** Posterior mean of p given that the culprit is in the block. */
function blockDetection([start, end]: Block, posterior: Posterior): number {
  let mass = 0;
  let weighted = 0;
  for (let k = start; k <= end; k++) {
    mass += posterior.mass[k]!;
    weighted += posterior.mass[k]! * posterior.detection[k]!;
  }
  return mass > 0 ? weighted / mass : posterior.detection[end]!;
}
