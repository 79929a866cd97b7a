/**
 * Deterministic bisection, git-bisect style: binary search over the open interval between a
 * known-good and a known-bad candidate, stepping around skipped candidates.
 *
 * Assumes probes are reliable. For intermittent bugs use flaky.ts, which assumes only that a
 * good candidate never shows the bug (a bad one may look good).
 *
 * Probe budget: the two endpoint checks plus at most ceil(log2(bad - good)) probes between them,
 * so at most ceil(log2 N) + 2 new probes for N candidates when nothing skips. Endpoints and
 * candidates that already have a good/bad record in `priors` are never probed again.
 *
 * `findFix` searches the other way (bad first, then good: which candidate fixed it?) with the
 * same algorithm: outcomes are mapped to `old`/`new` sides and the search finds the first `new`.
 */
import { createRecorder } from './recorder.ts';
import { checkRange } from './range.ts';
import { endpointsFailure, type EndpointsFailure } from './endpoints.ts';
import type { Probe, ProbeOutcome, ProbeRecord } from './outcome.ts';

export interface SearchInput {
  /** Candidate ids, oldest first. */
  candidates: readonly string[];
  /** Index of the known-good candidate. */
  good: number;
  /** Index of the known-bad candidate: after `good`, or before it with `findFix`. */
  bad: number;
  probe: Probe;
  /** Records of earlier sessions (resume): their good/bad/skip answers are reused, not re-probed. */
  priors?: readonly ProbeRecord[];
  /** Find the first good candidate after a bad one (the fix) instead of the first bad one. */
  findFix?: boolean;
  /** Sees each new record as it is made (e.g. `appendProbe`). */
  onRecord?: (record: ProbeRecord) => void;
  now?: () => Date;
}

interface Found {
  kind: 'found';
  /** Probes run in this session (priors excluded), oldest first. */
  probes: ProbeRecord[];
  /** Candidates in the range that were skipped (this session or earlier), oldest first. */
  skipped: string[];
  /**
   * Set when skips left more than one possibility: every candidate the answer could be (the
   * skipped ones, then the first confirmed one). The first/last fields are then the confirmed bounds.
   */
  ambiguousBetween?: string[];
}

export interface RegressionFound extends Found {
  mode: 'regression';
  firstBad: string;
  lastGood: string;
}

export interface FixFound extends Found {
  mode: 'fix';
  /** The first candidate without the bug after the bad range: the fix. */
  firstGood: string;
  lastBad: string;
}

export type SearchResult = RegressionFound | FixFound | EndpointsFailure;

/** Which side of the transition an outcome puts a candidate on. */
type Side = 'old' | 'new';

// The mapping that lets one algorithm serve both directions.
const SIDE_OF: Record<'regression' | 'fix', Record<'good' | 'bad', Side>> = {
  regression: { good: 'old', bad: 'new' },
  fix: { good: 'new', bad: 'old' },
};

export async function bisect(input: SearchInput): Promise<SearchResult> {
  const { candidates } = input;
  const mode = input.findFix ? 'fix' : 'regression';
  const oldName = mode === 'fix' ? 'bad' : 'good';
  const newName = mode === 'fix' ? 'good' : 'bad';
  const first = input[oldName];
  const last = input[newName];
  checkRange(candidates, [oldName, first], [newName, last]);

  const index = new Map(candidates.map((id, i) => [id, i]));
  const known = new Map<number, Side>();
  const skips = new Set<number>();
  // A 'bad' is trusted over a 'good' when records disagree: good candidates never show the bug.
  const learn = (record: ProbeRecord): void => {
    const i = index.get(record.candidate);
    if (i === undefined) return;
    if (record.outcome === 'skip') skips.add(i);
    else if (record.outcome === 'bad' || !known.has(i)) known.set(i, SIDE_OF[mode][record.outcome]);
  };
  const priors = input.priors ?? [];
  priors.forEach(learn);

  const recorder = createRecorder({ probe: input.probe, priors, onRecord: input.onRecord, now: input.now });
  const look = async (i: number): Promise<Side | 'skip'> => {
    const had = known.get(i) ?? (skips.has(i) ? 'skip' : undefined);
    if (had !== undefined) return had;
    learn(await recorder.run(candidates[i]!));
    return known.get(i) ?? 'skip';
  };
  const observed = (i: number): ProbeOutcome => {
    const side = known.get(i);
    if (side === undefined) return 'skip';
    return SIDE_OF[mode].good === side ? 'good' : 'bad';
  };

  for (const [name, i, side] of [[oldName, first, 'old'], [newName, last, 'new']] as const) {
    if ((await look(i)) !== side) return endpointsFailure(name, candidates[i]!, observed(i), recorder.records);
  }

  // Start from what earlier sessions already established, so resume never re-probes.
  let hi = last;
  for (let i = first + 1; i < last; i++) if (known.get(i) === 'new') { hi = i; break; }
  let lo = first;
  for (let i = hi - 1; i > first; i--) if (known.get(i) === 'old') { lo = i; break; }

  for (let i = nextToProbe(lo, hi, known, skips); i !== undefined; i = nextToProbe(lo, hi, known, skips)) {
    const side = await look(i);
    if (side === 'new') hi = i;
    else if (side === 'old') lo = i;
  }

  const skipped = [...skips].filter((i) => !known.has(i) && i > first && i < last).sort((a, b) => a - b);
  const found: Found = { kind: 'found', probes: [...recorder.records], skipped: skipped.map((i) => candidates[i]!) };
  if (hi - lo > 1) found.ambiguousBetween = candidates.slice(lo + 1, hi + 1);
  return mode === 'fix'
    ? { ...found, mode, firstGood: candidates[hi]!, lastBad: candidates[lo]! }
    : { ...found, mode, firstBad: candidates[hi]!, lastGood: candidates[lo]! };
}

/** The untested candidate nearest the midpoint of (lo, hi), trying mid, mid+1, mid-1, mid+2, ... */
function nextToProbe(lo: number, hi: number, known: ReadonlyMap<number, Side>, skips: ReadonlySet<number>): number | undefined {
  const mid = Math.floor((lo + hi) / 2);
  const open = (i: number): boolean => i > lo && i < hi && !known.has(i) && !skips.has(i);
  for (let d = 0; mid - d > lo || mid + d < hi; d++) {
    if (open(mid + d)) return mid + d;
    if (d > 0 && open(mid - d)) return mid - d;
  }
  return undefined;
}
