/** What one probe of one candidate says about the bug, and the record kept of it. */
import type { VerdictKind } from '../model/result.ts';

/** `good`: no bug seen; `bad`: a bug verdict; `skip`: the probe says nothing (ERROR, or no build). */
export type ProbeOutcome = 'good' | 'bad' | 'skip';
export const PROBE_OUTCOMES: readonly ProbeOutcome[] = ['good', 'bad', 'skip'];

/** A probe may also name the verdict behind its outcome, so the state file can keep it. */
export interface ProbeReport {
  outcome: ProbeOutcome;
  verdict: VerdictKind | null;
}

/** Runs the scenario against one candidate (a release or a commit id). */
export type Probe = (candidate: string) => Promise<ProbeOutcome | ProbeReport>;

/** One probe that ran: a line of the state file. */
export interface ProbeRecord {
  candidate: string;
  outcome: ProbeOutcome;
  /** `null` when the probe gave no verdict (e.g. the candidate failed to build). */
  verdict: VerdictKind | null;
  /** 1-based: how many times this candidate has been probed, earlier sessions included. */
  attempt: number;
  /** ISO-8601 time the probe finished. */
  t: string;
}

/**
 * The `git bisect run` contract, as `exitCodeFor` in the result model states it: PASS is good,
 * a verdict that shows the bug is bad, anything else (a crash, a timeout without a deadlock, an
 * inconclusive run, an error) says nothing about the candidate and is a skip. A verdict kind added
 * later is a skip until it is listed here as the bug.
 */
const BUG_VERDICTS: readonly string[] = ['BYPASSED', 'HANG', 'VANISHED'];

/** The outcome a verdict stands for; `null` (nothing ran, e.g. build failure) is a skip. */
export function outcomeOfVerdict(verdict: VerdictKind | null): ProbeOutcome {
  if (verdict === 'PASS') return 'good';
  return verdict !== null && BUG_VERDICTS.includes(verdict) ? 'bad' : 'skip';
}
