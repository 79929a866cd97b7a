/** Turns a cell's attempts into its CellResult: one verdict, flakiness, and the comparison to the table. */
import { cellId, type Attempt, type CellKey, type CellResult, type Platform, type VerdictKind } from './result.ts';

export interface CellInput {
  key: CellKey;
  /** Empty: no expectation (an `--exec` run without `--expect`). */
  expected: VerdictKind[];
  expectedBecause: string;
  attempts: Attempt[];
  platform: Platform;
}

/** The attempts' verdict when they agree; else the most frequent non-PASS one (ties: first seen). */
export function cellVerdict(kinds: VerdictKind[]): VerdictKind {
  const first = kinds[0];
  if (first === undefined) throw new Error('a cell needs at least one attempt to have a verdict');
  if (kinds.every((k) => k === first)) return first;
  const counts = new Map<VerdictKind, number>();
  for (const k of kinds) if (k !== 'PASS') counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: VerdictKind = first;
  let bestCount = 0;
  // Map iteration follows insertion (= attempt) order, so `>` keeps the first of equals.
  for (const [k, n] of counts) {
    if (n > bestCount) [best, bestCount] = [k, n];
  }
  return best;
}

export function aggregateCell(input: CellInput): CellResult {
  const kinds = input.attempts.map((a) => a.verdict.kind);
  const verdict = cellVerdict(kinds);
  return {
    id: cellId(input.key),
    key: input.key,
    expected: input.expected,
    expectedBecause: input.expectedBecause,
    attempts: input.attempts,
    verdict,
    flaky: kinds.some((k) => k !== verdict),
    // No expectation is neither a match nor a mismatch: nothing was claimed, so nothing can fail.
    matchesExpectation: input.expected.length === 0 ? null : kinds.every((k) => input.expected.includes(k)),
    platform: input.platform,
  };
}
