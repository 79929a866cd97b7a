/**
 * The matrix plan: the cross product of subjects x strategies x scenarios x run-as, minus cells
 * that make no sense (a strategy on a subject whose exec hook has no guard), in a stable order.
 */
import { cellId, type CellKey, type Strategy } from '../model/result.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import type { Subject } from '../subjects/subject.ts';
import { UsageError } from '../cli/errors.ts';

export interface PlannedCell {
  id: string;
  key: CellKey;
  subject: Subject;
  scenario: Scenario;
}

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

export function planMatrix(opts: { subjects: Subject[]; strategies: Strategy[]; scenarios: Scenario[]; runners: string[] }): PlannedCell[] {
  const cells: PlannedCell[] = [];
  for (const runner of opts.runners) {
    for (const subject of opts.subjects) {
      const strategies: (Strategy | null)[] = subject.strategies.length
        ? subject.strategies.filter((s) => opts.strategies.includes(s))
        : [null];
      for (const strategy of strategies) {
        for (const scenario of opts.scenarios) {
          for (const runAs of scenario.runAs) {
            const key: CellKey = { subject: subject.id, strategy, scenario: scenario.id, runAs, runner };
            cells.push({ id: cellId(key), key, subject, scenario });
          }
        }
      }
    }
  }
  return cells;
}

/** `--shard i/n`: 1 <= i <= n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`malformed --shard "${text}": expected i/n with 1 <= i <= n, e.g. 2/4`, 'BAD_SHARD');
  }
  return { index, total };
}

/** Round-robin, so slow cells (HANGs) spread over shards. */
export function selectShard<T>(cells: T[], shard: Shard | undefined): T[] {
  return shard ? cells.filter((_, i) => i % shard.total === shard.index - 1) : cells;
}
