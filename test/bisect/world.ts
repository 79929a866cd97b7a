/** Simulated candidate histories for the bisect tests: ids `c0..c{n-1}`, a culprit, a probe. */
import type { ProbeOutcome } from '../../harness/bisect/outcome.ts';

export const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);
export const at = (id: string): number => Number(id.slice(1));

export interface World {
  /** Candidates probed, in order. */
  calls: string[];
  probe: (id: string) => Promise<ProbeOutcome>;
}

/** A world where `answer(i)` decides each probe; records every call. */
export function world(answer: (i: number) => ProbeOutcome): World {
  const calls: string[] = [];
  return {
    calls,
    probe: async (id) => {
      calls.push(id);
      return answer(at(id));
    },
  };
}

/** Reliable regression: candidates at or after `culprit` are bad; `skipping` ones never build. */
export function regression(culprit: number, skipping: ReadonlySet<number> = new Set()): World {
  return world((i) => (skipping.has(i) ? 'skip' : i >= culprit ? 'bad' : 'good'));
}

/** Intermittent regression: a bad candidate shows the bug with probability `p`, a good one never. */
export function flakyRegression(culprit: number, p: number, rng: () => number): World {
  return world((i) => (i >= culprit && rng() < p ? 'bad' : 'good'));
}
