/** One cell: `repeat` attempts of a scenario on a subject, aggregated and compared to the table. */
import { release } from 'node:os';
import type { Attempt, CellResult, Platform } from '../model/result.ts';
import { aggregateCell } from '../model/aggregate.ts';
import { expectationFor } from '../../scenarios/expectations.ts';
import { rubyVersionOf } from '../observe/report.ts';
import { runAttempt } from '../pipeline/run-attempt.ts';
import type { Runner } from '../runners/runner.ts';
import type { Stage } from '../stage.ts';
import type { PlannedCell } from './plan.ts';

export interface CellRun {
  runner: Runner;
  stage: Stage;
  repeat: number;
  /** Overrides the scenario's timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called after each attempt (progress). */
  onAttempt?: (cell: PlannedCell, attempt: Attempt) => void;
}

export function platformOf(runner: Runner, attempts: Attempt[]): Platform {
  const ruby = attempts.map((a) => rubyVersionOf(a.observation.report)).find(Boolean);
  const image = (runner as { image?: string }).image;
  return { os: process.platform, arch: process.arch, kernel: release(), runner: runner.name, ...(ruby ? { ruby } : {}), ...(image ? { image } : {}) };
}

/** Runs a cell; returns `undefined` when it was interrupted (so `--resume` runs it again). */
export async function runCell(cell: PlannedCell, run: CellRun): Promise<CellResult | undefined> {
  const attempts: Attempt[] = [];
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
    });
    if (run.signal?.aborted) return undefined;
    attempts.push(attempt);
    run.onAttempt?.(cell, attempt);
  }
  const platform = platformOf(run.runner, attempts);
  const exp = expectationFor({ ...cell.key, ruby: platform.ruby });
  return aggregateCell({ key: cell.key, expected: exp.expect, expectedBecause: exp.because, attempts, platform });
}
