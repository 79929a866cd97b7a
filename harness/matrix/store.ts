/**
 * Where a matrix keeps its results while it runs: `results.json` in the output directory,
 * rewritten atomically (temp file + rename) after every finished cell, so a killed run loses at
 * most the cells in flight and `--resume` finishes only what is missing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, type CellResult, type ResultsFile } from '../model/result.ts';
import { parseResultsFile } from '../reports/json.ts';
import { UsageError } from '../cli/errors.ts';
import type { Shard } from './plan.ts';
import { TOOL_VERSION } from '../version.ts';

export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export class ResultStore {
  readonly path: string;
  private readonly cells = new Map<string, CellResult>();

  constructor(
    readonly outDir: string,
    private readonly plan: string[],
    private readonly shard: Shard | undefined,
  ) {
    mkdirSync(outDir, { recursive: true });
    this.path = join(outDir, 'results.json');
  }

  /** Loads finished cells of an earlier run of the same plan (`--resume`). */
  resume(): number {
    if (!existsSync(this.path)) return 0;
    let file: ResultsFile;
    try {
      file = parseResultsFile(readFileSync(this.path, 'utf8'), this.path);
    } catch (e) {
      throw new UsageError(`cannot resume: ${(e as Error).message}`, 'BAD_RESULTS');
    }
    const same = file.plan.cells.length === this.plan.length && file.plan.cells.every((c, i) => c === this.plan[i]);
    if (!same || file.shard?.index !== this.shard?.index || file.shard?.total !== this.shard?.total) {
      throw new UsageError(`${this.path} holds a different matrix; use another --out or drop --resume`, 'RESUME_MISMATCH');
    }
    for (const cell of file.cells) this.cells.set(cell.id, cell);
    return this.cells.size;
  }

  has(id: string): boolean {
    return this.cells.has(id);
  }

  add(cell: CellResult): void {
    this.cells.set(cell.id, cell);
    writeAtomic(this.path, JSON.stringify(this.snapshot(), null, 2) + '\n');
  }

  snapshot(): ResultsFile {
    const order = new Map(this.plan.map((id, i) => [id, i]));
    const cells = [...this.cells.values()].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return {
      schema: RESULT_SCHEMA,
      version: RESULT_SCHEMA_VERSION,
      tool: { name: 'mirrord-regress', version: TOOL_VERSION },
      createdAt: new Date().toISOString(),
      ...(this.shard ? { shard: { index: this.shard.index, total: this.shard.total } } : {}),
      plan: { cells: this.plan },
      cells,
    };
  }
}
