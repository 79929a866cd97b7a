/**
 * A bisect session's directory (`--out`): session.json (what is being searched, so `--resume`
 * continues the same search), probes.jsonl (the state file: every probe, appended as it ends),
 * probes.log (one human line per probe, with its verdict's evidence), result.json, and builds/<sha>/
 * (the lab built from each probed commit, so a commit probed again is not rebuilt).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Strategy } from '../model/result.ts';
import { UsageError } from '../cli/errors.ts';
import { writeAtomic } from '../matrix/store.ts';

export interface SessionSpec {
  scenario: string;
  strategy: Strategy | null;
  good: string;
  bad: string;
  findFix: boolean;
  flaky: boolean;
  confidence: number;
  repeat: number;
  /** Releases of a subject kind (`lab`), or commits of a repository. */
  source: { kind: 'releases'; subjectKind: string } | { kind: 'commits'; repo: string; build: string; artifacts: string; profile: string };
  candidates: string[];
}

export interface ProbeDetail {
  candidate: string;
  verdict: string;
  summary: string;
  evidence: string[];
  t: string;
}

export class SessionDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  get statePath() {
    return join(this.dir, 'probes.jsonl');
  }
  private get specPath() {
    return join(this.dir, 'session.json');
  }
  private get detailPath() {
    return join(this.dir, 'probes.log');
  }

  loadSpec(): SessionSpec {
    if (!existsSync(this.specPath)) throw new UsageError(`nothing to resume in ${this.dir} (no session.json)`, 'NOTHING_TO_RESUME');
    return JSON.parse(readFileSync(this.specPath, 'utf8')) as SessionSpec;
  }

  /** Starts a session; refuses to mix a new search into an old session's directory. */
  begin(spec: SessionSpec): void {
    if (existsSync(this.specPath)) throw new UsageError(`${this.dir} already holds a bisect session: use --resume, or another --out`, 'SESSION_EXISTS');
    writeAtomic(this.specPath, JSON.stringify(spec, null, 2) + '\n');
  }

  logDetail(d: ProbeDetail): void {
    appendFileSync(this.detailPath, `${JSON.stringify(d)}\n`);
  }

  details(): ProbeDetail[] {
    if (!existsSync(this.detailPath)) return [];
    return readFileSync(this.detailPath, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as ProbeDetail];
      } catch {
        return [];
      }
    });
  }

  writeResult(result: unknown): void {
    writeFileSync(join(this.dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  }
}
