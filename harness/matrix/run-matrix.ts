/**
 * Runs planned cells with `jobs` in parallel, storing each finished cell at once. On abort
 * (Ctrl-C) it stops scheduling, lets the runners kill what is in flight, and returns what finished.
 */
import type { CellResult } from '../model/result.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Runner } from '../runners/runner.ts';
import type { Stage } from '../stage.ts';
import type { PlannedCell } from './plan.ts';
import type { Progress } from './progress.ts';
import { runCell } from '../pipeline/run-cell.ts';
import type { ResultStore } from './store.ts';

export interface MatrixRun {
  cells: PlannedCell[];
  store: ResultStore;
  /** By runner name (a cell's key.runner). */
  runners: Map<string, Runner>;
  stage: Stage;
  jobs: number;
  repeat: number;
  timeoutMs?: number;
  progress: Progress;
  signal: AbortSignal;
  /** The cluster release subjects run against. */
  cluster?: Cluster;
  /** `--evidence black-box`: judge every cell from outside. @default each subject's own */
  evidenceSource?: 'layer' | 'black-box';
}

export async function runMatrix(m: MatrixRun): Promise<{ completed: CellResult[]; interrupted: boolean }> {
  const todo = m.cells.filter((c) => !m.store.has(c.id));
  m.progress.start(m.cells.length, m.cells.length - todo.length);
  const completed: CellResult[] = [];
  let next = 0;
  // A worker that fails stops the others before anything is cleaned up under their feet.
  const local = new AbortController();
  const onAbort = () => local.abort();
  m.signal.addEventListener('abort', onAbort, { once: true });
  // Ctrl-C while the cluster or the runners were starting: the listener above will never fire.
  if (m.signal.aborted) local.abort();
  const worker = async () => {
    while (!local.signal.aborted && next < todo.length) {
      const cell = todo[next++]!;
      m.progress.cellStarted(cell.id);
      const result = await runCell(cell, { runner: m.runners.get(cell.key.runner)!, stage: m.stage, repeat: m.repeat, timeoutMs: m.timeoutMs, signal: local.signal, cluster: m.cluster, evidenceSource: m.evidenceSource });
      if (!result) break;
      m.store.add(result);
      completed.push(result);
      m.progress.cellDone(result);
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(m.jobs, todo.length)) }, () => worker().catch((e: unknown) => {
      local.abort();
      throw e;
    })),
  );
  m.signal.removeEventListener('abort', onAbort);
  m.progress.end();
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return { completed, interrupted: m.signal.aborted };
}
