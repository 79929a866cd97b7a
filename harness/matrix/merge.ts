/**
 * `report merge`: the results of every shard of one matrix, as if it had run unsharded. Refuses
 * anything that would make the merged file lie: different plans, a cell twice, a cell missing.
 */
import type { CellResult, ResultsFile } from '../model/result.ts';

export interface MergeOptions {
  /** The merged file's createdAt. */
  now?: () => Date;
  /** Names of the files (paths), for error messages; default: their shard, else their position. */
  names?: string[];
}

const SHOWN_MISSING = 5;

function nameOf(file: ResultsFile, i: number, names: string[] | undefined): string {
  return names?.[i] ?? (file.shard ? `shard ${file.shard.index}/${file.shard.total}` : `file ${i + 1}`);
}

function samePlan(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export function mergeResults(files: ResultsFile[], opts: MergeOptions = {}): ResultsFile {
  const first = files[0];
  if (!first) throw new Error('nothing to merge: no results files given');
  const name = (i: number) => nameOf(files[i]!, i, opts.names);
  const plan = first.plan.cells;

  files.forEach((f, i) => {
    if (!samePlan(f.plan.cells, plan)) {
      throw new Error(`${name(i)} was run from a different matrix than ${name(0)} (${f.plan.cells.length} planned cells vs ${plan.length}); merge shards of one matrix only`);
    }
    if (f.tool.version !== first.tool.version) {
      throw new Error(`${name(i)} was written by mirrord-regress ${f.tool.version}, ${name(0)} by ${first.tool.version}; run every shard with one version`);
    }
  });

  const order = new Map(plan.map((id, i) => [id, i]));
  const owner = new Map<string, number>();
  const cells: CellResult[] = [];
  files.forEach((f, i) => {
    for (const cell of f.cells) {
      if (!order.has(cell.id)) throw new Error(`cell ${cell.id} in ${name(i)} is not in the matrix's plan`);
      const seen = owner.get(cell.id);
      if (seen !== undefined) {
        throw new Error(seen === i ? `cell ${cell.id} appears twice in ${name(i)}` : `cell ${cell.id} appears in ${name(seen)} and ${name(i)}`);
      }
      owner.set(cell.id, i);
      cells.push(cell);
    }
  });

  const missing = plan.filter((id) => !owner.has(id));
  if (missing.length) {
    const shown = missing.slice(0, SHOWN_MISSING).join(', ');
    throw new Error(`${missing.length} of ${plan.length} planned cells are in no file (a shard missing or unfinished?): ${shown}${missing.length > SHOWN_MISSING ? ', ...' : ''}`);
  }

  cells.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return {
    schema: first.schema,
    version: first.version,
    tool: first.tool,
    createdAt: (opts.now ?? (() => new Date()))().toISOString(),
    plan: { cells: [...plan] },
    cells,
  };
}
