/**
 * A bisect session's directory (`--out`): session.json (what is being searched, so `--resume`
 * continues the same search), probes.jsonl (the state file: every probe, appended as it ends),
 * probes.log (one human line per probe, with its verdict's evidence), result.json, report.html (the
 * session to look at, written with result.json, and when a session is interrupted), and builds/<sha>/
 * (the lab built from each probed commit, so a commit probed again is not rebuilt).
 *
 * The directory is locked while a bisect uses it (one bisect per session). A session that ends
 * before it holds anything worth resuming is discarded: only the files named here are removed,
 * and only the directories this run created, so a user's existing directory is never emptied.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGIES, type Strategy } from '../model/result.ts';
import { UsageError } from '../cli/errors.ts';
import { errnoOf, fsFault, guardFs } from '../cli/fs-errors.ts';
import { writeAtomic, writeFilesAtomic } from '../files.ts';
import { claimOutputDir, type OutputDir } from '../output-dir.ts';
import { loadProbes } from './state.ts';
import { bisectReportHtml } from '../reports/html/bisect-page.ts';
import type { FlakyResult } from './flaky.ts';
import type { ProbeRecord } from './outcome.ts';
import { reproduceCommand } from './reproduce.ts';
import type { SearchResult } from './search.ts';

export interface SessionSpec {
  scenario: string;
  strategy: Strategy | null;
  good: string;
  bad: string;
  findFix: boolean;
  flaky: boolean;
  confidence: number;
  repeat: number;
  /**
   * Releases of a subject kind (`lab`), or commits of a repository. `artifacts` null: found
   * after each build (a cargo target dir in the checkout, or CARGO_TARGET_DIR).
   */
  source: { kind: 'releases'; subjectKind: string } | { kind: 'commits'; repo: string; build: string; artifacts: string | null; profile: string };
  candidates: string[];
}

export interface ProbeDetail {
  candidate: string;
  verdict: string;
  summary: string;
  evidence: string[];
  t: string;
}

/** result.json: the search's answer and everything it was drawn from. */
export interface SessionResult {
  spec: SessionSpec;
  switchedToFlaky: boolean;
  result: SearchResult | FlakyResult;
  probes: ProbeRecord[];
  details: ProbeDetail[];
}

const OPTION = '--out';

/** What is wrong with a parsed session.json, or undefined. */
function specProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the top level is not an object';
  const s = v as Record<string, unknown>;
  const str = (k: string) => typeof s[k] === 'string' && s[k] !== '';
  for (const k of ['scenario', 'good', 'bad']) if (!str(k)) return `"${k}" is missing or not a string`;
  if (s.strategy !== null && !(STRATEGIES as readonly unknown[]).includes(s.strategy)) return '"strategy" is not a strategy or null';
  for (const k of ['findFix', 'flaky']) if (typeof s[k] !== 'boolean') return `"${k}" is not true or false`;
  if (typeof s.confidence !== 'number' || !(s.confidence > 0 && s.confidence < 1)) return '"confidence" is not between 0 and 1';
  if (!Number.isInteger(s.repeat) || (s.repeat as number) < 1) return '"repeat" is not a positive integer';
  const src = s.source as Record<string, unknown> | null;
  if (typeof src !== 'object' || src === null) return '"source" is missing';
  if (src.kind === 'releases') {
    if (typeof src.subjectKind !== 'string') return '"source.subjectKind" is missing';
  } else if (src.kind === 'commits') {
    for (const k of ['repo', 'build', 'profile']) if (typeof src[k] !== 'string') return `"source.${k}" is missing`;
    if (src.artifacts !== null && typeof src.artifacts !== 'string') return '"source.artifacts" is not a string or null';
  } else return '"source.kind" is neither releases nor commits';
  const candidates = s.candidates as unknown[];
  if (!Array.isArray(candidates) || !candidates.every((c) => typeof c === 'string')) return '"candidates" is not a list of strings';
  if (!(candidates as string[]).includes(s.good as string) || !(candidates as string[]).includes(s.bad as string)) return '"good" or "bad" is not among the candidates';
  return undefined;
}

export class SessionDir {
  private out?: OutputDir;

  constructor(readonly dir: string) {}

  get statePath() {
    return join(this.dir, 'probes.jsonl');
  }
  get specPath() {
    return join(this.dir, 'session.json');
  }
  private get detailPath() {
    return join(this.dir, 'probes.log');
  }
  private get resultPath() {
    return join(this.dir, 'result.json');
  }
  get reportPath() {
    return join(this.dir, 'report.html');
  }
  get buildsDir() {
    return join(this.dir, 'builds');
  }

  hasSpec(): boolean {
    return existsSync(this.specPath);
  }

  /** Creates the directory if needed and locks it against another bisect; refuses one in use. */
  open(): void {
    this.out ??= claimOutputDir(this.dir, { option: OPTION, purpose: 'bisect' });
  }

  /** Unlocks (and removes the directories this run created if nothing is in them). */
  close(): void {
    this.out?.release();
    this.out = undefined;
  }

  loadSpec(): SessionSpec {
    if (!this.hasSpec()) throw new UsageError(`nothing to resume in ${this.dir} (no session.json)`, 'NOTHING_TO_RESUME');
    const path = this.specPath;
    const text = guardFs({ path, action: 'read', option: OPTION }, () => readFileSync(path, 'utf8'));
    const startOver = `remove ${this.dir} to start over`;
    if (text.trim() === '') throw new UsageError(`cannot resume: ${path} is empty (the session was killed while starting?); ${startOver}`, 'BAD_SESSION');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`cannot resume: ${path} is not valid JSON (${(e as Error).message}): it is truncated or damaged; ${startOver}`, 'BAD_SESSION');
    }
    const problem = specProblem(value);
    if (problem) throw new UsageError(`cannot resume: ${path} is not a bisect session: ${problem}; ${startOver}`, 'BAD_SESSION');
    return value as SessionSpec;
  }

  /** Starts a session; refuses to mix a new search into an old session's directory. */
  begin(spec: SessionSpec, describe: (s: SessionSpec) => string): void {
    if (this.hasSpec()) {
      let held = 'another bisect';
      try {
        held = describe(this.loadSpec());
      } catch {
        // damaged: still not ours to overwrite
      }
      throw new UsageError(`${this.dir} already holds a bisect session (${held}): continue it with --resume --out ${this.dir}, or choose another --out`, 'SESSION_EXISTS');
    }
    writeAtomic(this.specPath, JSON.stringify(spec, null, 2) + '\n', OPTION);
  }

  logDetail(d: ProbeDetail): void {
    guardFs({ path: this.detailPath, action: 'write', option: OPTION }, () => appendFileSync(this.detailPath, `${JSON.stringify(d)}\n`));
  }

  details(): ProbeDetail[] {
    let text: string;
    try {
      text = readFileSync(this.detailPath, 'utf8');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return [];
      throw fsFault(e, { path: this.detailPath, action: 'read', option: OPTION });
    }
    return text.split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as ProbeDetail];
      } catch {
        return [];
      }
    });
  }

  /** result.json and report.html, together: both are there and agree, or neither changed. */
  writeResult(result: SessionResult): void {
    writeFilesAtomic([
      { path: this.resultPath, text: JSON.stringify(result, null, 2) + '\n' },
      { path: this.reportPath, text: this.reportOf(result) },
    ], OPTION);
  }

  /** report.html of a session without an answer yet (interrupted): what its probes showed so far. */
  writeReport(spec: SessionSpec): void {
    writeAtomic(this.reportPath, this.reportOf({ spec, switchedToFlaky: false, probes: loadProbes(this.statePath), details: this.details() }), OPTION);
  }

  private reportOf(from: Omit<SessionResult, 'result'> & { result?: SessionResult['result'] }): string {
    const found = from.result?.kind === 'found' ? from.result : undefined;
    const culprit = found && ('firstGood' in found ? found.firstGood : found.firstBad);
    const reproduce = culprit ? reproduceCommand(from.spec, culprit, this.buildsDir) : undefined;
    return bisectReportHtml({ ...from, dir: this.dir, reproduce, writtenAt: new Date().toISOString() });
  }

  /** Removes what a session writes, unlocks, and removes the directories this run created. */
  discard(): void {
    for (const p of [this.specPath, this.statePath, this.detailPath, this.resultPath, this.reportPath, this.buildsDir]) {
      try {
        rmSync(p, { recursive: true, force: true });
      } catch {
        // a read-only directory: it holds nothing we wrote either
      }
    }
    this.close();
  }
}
