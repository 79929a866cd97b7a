/**
 * Several results files as one set of cells to look at: shards of one matrix, or matrices run on
 * different runners or machines. Unlike `report merge` nothing has to be complete or of one plan;
 * a cell that two files both hold is refused, since a report could show only one of them.
 */
import type { CellResult, ResultsFile } from '../model/result.ts';

export interface Source {
  /** The file's path as given. */
  name: string;
  createdAt: string;
  tool: string;
  shard?: string;
  cells: number;
}

export interface Collected {
  cells: CellResult[];
  sources: Source[];
  /** Cells some file's plan asked for that no file holds (an unfinished run, a shard not given). */
  missing: string[];
}

/** The cells of every file, in the order given; names are the paths, for messages. */
export function collectCells(files: readonly ResultsFile[], names: readonly string[]): Collected {
  const nameOf = (i: number) => names[i] ?? `file ${i + 1}`;
  const owner = new Map<string, number>();
  const cells: CellResult[] = [];
  files.forEach((f, i) => {
    const again = names.indexOf(nameOf(i));
    if (again >= 0 && again < i) throw new Error(`${nameOf(i)} is given twice`);
    for (const cell of f.cells) {
      const seen = owner.get(cell.id);
      if (seen === i) throw new Error(`cell ${cell.id} appears twice in ${nameOf(i)}`);
      if (seen !== undefined) throw new Error(`cell ${cell.id} is in both ${nameOf(seen)} and ${nameOf(i)}: give each cell once (one file per shard or runner)`);
      owner.set(cell.id, i);
      cells.push(cell);
    }
  });
  const planned = [...new Set(files.flatMap((f) => f.plan.cells))];
  return {
    cells,
    sources: files.map((f, i) => ({
      name: nameOf(i),
      createdAt: f.createdAt,
      tool: `${f.tool.name} ${f.tool.version}`,
      ...(f.shard ? { shard: `${f.shard.index}/${f.shard.total}` } : {}),
      cells: f.cells.length,
    })),
    missing: planned.filter((id) => !owner.has(id)),
  };
}
