/** One cell: `repeat` attempts of a scenario on a subject, aggregated and compared to the expectation. */
import { release } from 'node:os';
import type { Attempt, CellResult, Platform, VerdictKind } from '../model/result.ts';
import { aggregateCell } from '../model/aggregate.ts';
import { expectationFor } from '../../scenarios/expectations.ts';
import { rubyVersionOf } from '../observe/report.ts';
import { runAttempt } from './run-attempt.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Runner } from '../runners/runner.ts';
import type { Stage } from '../stage.ts';
import type { PlannedCell } from '../matrix/plan.ts';

export interface CellRun {
  runner: Runner;
  stage: Stage;
  repeat: number;
  /** Overrides the scenario's timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called after each attempt (progress). */
  onAttempt?: (cell: PlannedCell, attempt: Attempt) => void;
  /**
   * What the user expects, overriding the table; `null` means no expectation at all (an `--exec`
   * run without `--expect`). @default the table's row
   */
  expect?: VerdictKind[] | null;
  /** On Ctrl-C, return the finished attempts instead of nothing (`run`; a matrix reruns the cell). @default false */
  keepPartial?: boolean;
  /** Extra directories for the workload's PATH. @default [] */
  pathDirs?: string[];
  /** @default the subject's own */
  evidenceSource?: 'layer' | 'black-box';
  /** @default true */
  detectDeadlock?: boolean;
  /** The cluster release subjects run against. */
  cluster?: Cluster;
}

export function platformOf(runner: Runner, attempts: Attempt[]): Platform {
  const ruby = attempts.map((a) => rubyVersionOf(a.observation.report)).find(Boolean);
  const image = (runner as { image?: string }).image;
  return { os: process.platform, arch: process.arch, kernel: release(), runner: runner.name, ...(ruby ? { ruby } : {}), ...(image ? { image } : {}) };
}

/**
 * Runs a cell; returns `undefined` when it was interrupted (so `--resume` runs it again), or, with
 * `keepPartial`, the finished attempts with `interrupted` set.
 */
export async function runCell(cell: PlannedCell, run: CellRun): Promise<(CellResult & { interrupted?: boolean }) | undefined> {
  const attempts: Attempt[] = [];
  let interrupted = false;
  for (let i = 1; i <= run.repeat; i++) {
    const attempt = await runAttempt({
      subject: cell.subject,
      strategy: cell.key.strategy,
      workload: cell.scenario.workload,
      label: cell.id,
      runAs: cell.key.runAs,
      timeoutMs: run.timeoutMs ?? cell.scenario.timeoutMs,
      runner: run.runner,
      stage: run.stage,
      attempt: i,
      signal: run.signal,
      pathDirs: run.pathDirs,
      evidenceSource: run.evidenceSource,
      detectDeadlock: run.detectDeadlock,
      cluster: run.cluster,
    });
    if (run.signal?.aborted) {
      interrupted = true;
      break;
    }
    attempts.push(attempt);
    run.onAttempt?.(cell, attempt);
  }
  if (interrupted && (!run.keepPartial || attempts.length === 0)) return undefined;
  const platform = platformOf(run.runner, attempts);
  const exp =
    run.expect === null
      ? { expect: [], because: 'no expectation: give one with --expect' }
      : run.expect
        ? { expect: run.expect, because: 'given with --expect' }
        : expectationFor({ ...cell.key, release: cell.subject.release, ruby: platform.ruby, platform: platform.os as NodeJS.Platform });
  const result = aggregateCell({ key: cell.key, expected: exp.expect, expectedBecause: exp.because, attempts, platform });
  return interrupted ? { ...result, interrupted } : result;
}
