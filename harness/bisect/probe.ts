/**
 * A probe: run the scenario against one candidate (a release, or a commit built in a scratch
 * worktree) and turn the verdict into good / bad / skip. A failed build is a skip, as in git's 125.
 */
import { join } from 'node:path';
import { cellId, type CellResult, type Strategy } from '../model/result.ts';
import { runCell } from '../pipeline/run-cell.ts';
import type { Runner } from '../runners/runner.ts';
import { createStage } from '../stage.ts';
import type { LabProfile } from '../subjects/lab.ts';
import { resolveSubject } from '../subjects/registry.ts';
import type { Subject } from '../subjects/subject.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import { formatEvidence } from '../reports/evidence.ts';
import { ARTIFACTS_FROM, buildCommit, Interrupted } from '../subjects/source/build.ts';
import { builtSubject } from '../subjects/source/built-subject.ts';
import { cargoVersion } from '../subjects/source/source-subject.ts';
import { fetchRelease } from '../subjects/release/fetch-release.ts';
import { formatProgress } from '../subjects/release/progress.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { outcomeOfVerdict, type ProbeReport } from './outcome.ts';
import type { ProbeDetail, SessionSpec } from './session.ts';

export { ARTIFACTS_FROM, Interrupted };

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
  /** The cluster release-shaped subjects run against (started once per bisect). */
  cluster?: Cluster;
}

function strategyFor(subject: Subject, wanted: Strategy | null): Strategy | null {
  return wanted && subject.strategies.includes(wanted) ? wanted : null;
}

async function runOn(ctx: ProbeContext, candidate: string, subject: Subject): Promise<ProbeReport> {
  const stage = createStage({ repoRoot: ctx.repoRoot, ruby: ctx.ruby });
  try {
    await subject.prepare(stage);
    const key = { subject: subject.id, strategy: strategyFor(subject, ctx.spec.strategy), scenario: ctx.scenario.id, runAs: ctx.scenario.runAs[0] ?? 'unprivileged', runner: ctx.runner.name } as const;
    const cell = await runCell({ id: cellId(key), key, subject, scenario: ctx.scenario }, { runner: ctx.runner, stage, repeat: ctx.repeat, signal: ctx.signal, cluster: ctx.cluster });
    if (!cell || ctx.signal.aborted) throw new Interrupted();
    const shown = cell.attempts.find((a) => a.verdict.kind === cell.verdict) ?? cell.attempts[0]!;
    ctx.onDetail({ candidate, verdict: cell.verdict, summary: shown.verdict.summary, evidence: formatEvidence(shown.verdict.evidence), t: new Date().toISOString() });
    if (cell.flaky) ctx.onDisagreement?.(candidate, cell);
    return { outcome: outcomeOfVerdict(cell.verdict), verdict: cell.verdict };
  } finally {
    stage.dispose();
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
    const built = await buildCommit({ repo: src.repo, sha, command: src.build, artifacts: src.artifacts, entry: join(ctx.buildCache, sha), signal: ctx.signal });
    if ('failed' in built) {
      ctx.onDetail({ candidate: sha, verdict: 'SKIP', summary: built.failed, evidence: [], t: new Date().toISOString() });
      return { outcome: 'skip', verdict: null };
    }
    // A mirrord build of the layer alone runs with the CLI and agent of the release its Cargo.toml names.
    return runOn(ctx, sha, builtSubject(built.dir, {
      id: `${sha.slice(0, 12)}`,
      profile: src.profile as LabProfile,
      version: cargoVersion(src.repo, sha),
      releaseFiles: (v) => fetchRelease(v, { onProgress: (e) => process.stderr.write(`${formatProgress(e)}\n`) }),
    }));
  };
}
