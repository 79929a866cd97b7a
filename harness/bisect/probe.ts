/**
 * A probe: run the scenario against one candidate (a release, or a commit built in a scratch
 * worktree) and turn the verdict into good / bad / skip. A failed build is a skip, as in git's 125.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { cellId, type CellResult, type Strategy } from '../model/result.ts';
import { runCell } from '../pipeline/run-cell.ts';
import type { Runner } from '../runners/runner.ts';
import { createStage } from '../stage.ts';
import { LabSubject, type LabProfile } from '../subjects/lab.ts';
import { resolveSubject } from '../subjects/registry.ts';
import type { Subject } from '../subjects/subject.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import { formatEvidence } from '../reports/evidence.ts';
import { guardFs } from '../cli/fs-errors.ts';
import { LAB_FILES, locateArtifacts, type LocatedArtifacts } from './artifacts.ts';
import { shellArgv } from './contain.ts';
import { withWorktree } from './git.ts';
import { outcomeOfVerdict, type ProbeReport } from './outcome.ts';
import type { ProbeDetail, SessionSpec } from './session.ts';

/** Ctrl-C during a probe: nothing may be recorded for it (a cancelled build is not a failed one). */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface ProbeContext {
  spec: SessionSpec;
  /** Where built artifacts are kept per commit, so repeated probes of a commit build it once. */
  buildCache: string;
  scenario: Scenario;
  runner: Runner;
  repoRoot: string;
  labBuildDir: string;
  ruby: string;
  signal: AbortSignal;
  /** Attempts per probe call. */
  repeat: number;
  onDetail: (d: ProbeDetail) => void;
  /** Told when a probe's attempts disagree (the bug is intermittent). */
  onDisagreement?: (candidate: string, cell: CellResult) => void;
}

function strategyFor(subject: Subject, wanted: Strategy | null): Strategy | null {
  return wanted && subject.strategies.includes(wanted) ? wanted : null;
}

async function runOn(ctx: ProbeContext, candidate: string, subject: Subject): Promise<ProbeReport> {
  const stage = createStage({ repoRoot: ctx.repoRoot, ruby: ctx.ruby });
  try {
    await subject.prepare(stage);
    const key = { subject: subject.id, strategy: strategyFor(subject, ctx.spec.strategy), scenario: ctx.scenario.id, runAs: ctx.scenario.runAs[0] ?? 'unprivileged', runner: ctx.runner.name } as const;
    const cell = await runCell({ id: cellId(key), key, subject, scenario: ctx.scenario }, { runner: ctx.runner, stage, repeat: ctx.repeat, signal: ctx.signal });
    if (!cell || ctx.signal.aborted) throw new Interrupted();
    const shown = cell.attempts.find((a) => a.verdict.kind === cell.verdict) ?? cell.attempts[0]!;
    ctx.onDetail({ candidate, verdict: cell.verdict, summary: shown.verdict.summary, evidence: formatEvidence(shown.verdict.evidence), t: new Date().toISOString() });
    if (cell.flaky) ctx.onDisagreement?.(candidate, cell);
    return { outcome: outcomeOfVerdict(cell.verdict), verdict: cell.verdict };
  } finally {
    stage.dispose();
  }
}

/** The name, in a build cache entry, of the file recording where the build left the lab. */
export const ARTIFACTS_FROM = 'from.txt';

// Each probe builds in a fresh worktree, so every source file is newer than any earlier output:
// cargo (mtime-based freshness) always rebuilds, even with a CARGO_TARGET_DIR shared across probes.
async function buildCommit(ctx: ProbeContext, sha: string, dir: string): Promise<LocatedArtifacts | undefined> {
  const src = ctx.spec.source;
  if (src.kind !== 'commits') return undefined;
  const skip = (summary: string): undefined => {
    ctx.onDetail({ candidate: sha, verdict: 'SKIP', summary, evidence: [], t: new Date().toISOString() });
    return undefined;
  };
  const { file, args } = await shellArgv(src.build);
  // Own process group, so a Ctrl-C stops the whole build (cargo and its rustc), not just `sh`;
  // as root also its own PID namespace, which dies with the harness (contain.ts).
  const build = execa(file, args, { cwd: dir, reject: false, all: true, detached: true });
  const cancel = () => {
    try {
      process.kill(-build.pid!, 'SIGKILL');
    } catch {
      // already done
    }
  };
  ctx.signal.addEventListener('abort', cancel, { once: true });
  const r = await build.finally(() => ctx.signal.removeEventListener('abort', cancel));
  if (ctx.signal.aborted) throw new Interrupted();
  if (r.failed) return skip(`build failed: ${(r.all ?? '').trim().split('\n').pop() || `exit ${r.exitCode}`}`);
  const located = locateArtifacts(dir, src.build, src.artifacts);
  return located.dir ? located : skip(located.problem!);
}

/**
 * Copies a build's lab into the session's cache. The layer is renamed into place last: its
 * presence marks a complete entry, so a copy cut short (disk full, kill) is never taken for one.
 */
function cacheBuild(cached: string, located: LocatedArtifacts): void {
  const [cli, layer] = LAB_FILES;
  try {
    guardFs({ path: cached, action: 'write', option: '--out' }, () => {
      mkdirSync(cached, { recursive: true });
      writeFileSync(join(cached, ARTIFACTS_FROM), `${located.shown}\n`);
      copyFileSync(join(located.dir!, cli), join(cached, cli));
      copyFileSync(join(located.dir!, layer), join(cached, `${layer}.tmp`));
      renameSync(join(cached, `${layer}.tmp`), join(cached, layer));
    });
  } catch (e) {
    rmSync(cached, { recursive: true, force: true });
    throw e;
  }
}

/** The probe function the search engines call. */
export function makeProbe(ctx: ProbeContext): (candidate: string) => Promise<ProbeReport> {
  const src = ctx.spec.source;
  if (src.kind === 'releases') {
    return (candidate) => runOn(ctx, candidate, resolveSubject(`${src.subjectKind}@${candidate}`, { labBuildDir: ctx.labBuildDir }));
  }
  return async (sha) => {
    if (ctx.signal.aborted) throw new Interrupted();
    const cached = join(ctx.buildCache, sha);
    if (!existsSync(join(cached, LAB_FILES[1]))) {
      const built = await withWorktree(src.repo, sha, async (dir) => {
        const located = await buildCommit(ctx, sha, dir);
        if (!located) return false;
        cacheBuild(cached, located);
        return true;
      });
      if (!built) return { outcome: 'skip', verdict: null };
    }
    return runOn(ctx, sha, new LabSubject(src.profile as LabProfile, cached));
  };
}
