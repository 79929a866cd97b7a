/**
 * What the bisect page shows, read from the session's own state: the range oldest first, every
 * probe with its detail line (probes.log) matched to its record (probes.jsonl), what is known of
 * each candidate, and the answer when there is one.
 */
import type { FlakyResult } from '../../bisect/flaky.ts';
import type { ProbeRecord } from '../../bisect/outcome.ts';
import type { SearchResult } from '../../bisect/search.ts';
import type { ProbeDetail, SessionSpec } from '../../bisect/session.ts';

/** What the session directory holds when report.html is written. */
export interface BisectReportInput {
  spec: SessionSpec;
  /** The deterministic search saw attempts disagree and went on flaky-aware. */
  switchedToFlaky: boolean;
  /** Absent while the session has no answer (interrupted; continue with --resume). */
  result?: SearchResult | FlakyResult;
  /** Every record of probes.jsonl, earlier sessions' included, in order. */
  probes: ProbeRecord[];
  details: ProbeDetail[];
  /** The session directory. */
  dir: string;
  /** The culprit's "Reproduce with" command, when there is a culprit. */
  reproduce?: string;
  writtenAt: string;
}

export interface ProbeView {
  /** 1-based, across sessions. */
  n: number;
  record: ProbeRecord;
  detail?: ProbeDetail;
}

export type Knowledge = 'good' | 'bad' | 'skip' | 'untested';

export interface CandidateView {
  id: string;
  /** Index in spec.candidates. */
  index: number;
  probes: ProbeView[];
  known: Knowledge;
  endpoint?: 'good' | 'bad';
  culprit: boolean;
  /** One of several candidates the culprit could be (skips left them apart). */
  maybe: boolean;
}

export interface BisectView {
  mode: 'regression' | 'fix';
  /** The range, oldest first (good..bad, or bad..good with --find-fix). */
  range: CandidateView[];
  probes: ProbeView[];
  /** The first bad candidate (the first good one with --find-fix), when found. */
  culprit?: string;
  /** The other side of the transition: last good (last bad with --find-fix). */
  other?: string;
  /** The search's confidence; undefined for the deterministic search. */
  confidence?: number;
}

/** Commits by 12 hex digits (as the CLI prints them), releases as they are. */
export function shortId(spec: SessionSpec, id: string, length = 12): string {
  return spec.source.kind === 'commits' ? id.slice(0, length) : id;
}

/** Pairs each record with the next unused detail of its candidate (a failed build's detail says SKIP). */
function matchDetails(records: readonly ProbeRecord[], details: readonly ProbeDetail[]): ProbeView[] {
  const used = new Set<number>();
  return records.map((record, i) => {
    const fits = (d: ProbeDetail) => d.candidate === record.candidate && (d.verdict === (record.verdict ?? 'SKIP'));
    let at = details.findIndex((d, j) => !used.has(j) && fits(d));
    if (at < 0) at = details.findIndex((d, j) => !used.has(j) && d.candidate === record.candidate);
    if (at >= 0) used.add(at);
    return { n: i + 1, record, detail: at >= 0 ? details[at] : undefined };
  });
}

/** What the probes of one candidate add up to. */
function knowledge(probes: readonly ProbeView[]): Knowledge {
  // A bad answer is proof (a good candidate never shows the bug); a good one only evidence.
  if (probes.some((p) => p.record.outcome === 'bad')) return 'bad';
  if (probes.some((p) => p.record.outcome === 'good')) return 'good';
  return probes.length ? 'skip' : 'untested';
}

/** Everything the page draws, computed once. */
export function bisectView(input: BisectReportInput): BisectView {
  const { spec, result } = input;
  const mode = spec.findFix ? 'fix' : 'regression';
  const goodAt = spec.candidates.indexOf(spec.good);
  const badAt = spec.candidates.indexOf(spec.bad);
  const [from, to] = goodAt <= badAt ? [goodAt, badAt] : [badAt, goodAt];
  const probes = matchDetails(input.probes, input.details);
  const found = result?.kind === 'found' ? result : undefined;
  const culprit = found ? ('firstGood' in found ? found.firstGood : found.firstBad) : undefined;
  const other = found ? ('lastBad' in found ? found.lastBad : found.lastGood) : undefined;
  const maybe = new Set(found?.ambiguousBetween ?? []);
  const range = spec.candidates.slice(from, to + 1).map((id, k): CandidateView => {
    const mine = probes.filter((p) => p.record.candidate === id);
    const index = from + k;
    return {
      id,
      index,
      probes: mine,
      known: knowledge(mine),
      ...(index === goodAt ? { endpoint: 'good' as const } : index === badAt ? { endpoint: 'bad' as const } : {}),
      culprit: id === culprit,
      maybe: maybe.has(id),
    };
  });
  return { mode, range, probes, culprit, other, confidence: found && 'confidence' in found ? found.confidence : undefined };
}
