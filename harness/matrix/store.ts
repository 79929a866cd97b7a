/**
 * Where a matrix keeps its results while it runs: `results.json` in the output directory,
 * rewritten atomically (temp file, flush, rename) after every finished cell, so a killed run loses
 * at most the cells in flight, a failed write (disk full, read-only) leaves the previous complete
 * file, and `--resume` finishes only what is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, type CellResult, type ResultsFile } from '../model/result.ts';
import { parseResultsFile } from '../reports/json.ts';
import { UsageError } from '../cli/errors.ts';
import { errnoOf, fsFault } from '../cli/fs-errors.ts';
import { writeAtomic } from '../files.ts';
import type { Shard } from './plan.ts';
import { TOOL_VERSION } from '../version.ts';

export { writeAtomic };

export class ResultStore {
  readonly path: string;
  private readonly cells = new Map<string, CellResult>();

  /** `outDir` must exist (claimOutputDir); `option` names it in error lines. */
  constructor(
    readonly outDir: string,
    private readonly plan: string[],
    private readonly shard: Shard | undefined,
    private readonly option = '--out',
  ) {
    this.path = join(outDir, 'results.json');
  }

  /** Loads finished cells of an earlier run of the same plan (`--resume`). */
  resume(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return 0;
      throw fsFault(e, { path: this.path, action: 'read', option: this.option });
    }
    let file: ResultsFile;
    try {
      file = parseResultsFile(text, this.path);
    } catch (e) {
      throw new UsageError(`cannot resume: ${(e as Error).message}; remove it to start over, or choose another ${this.option}`, 'BAD_RESULTS');
    }
    const same = file.plan.cells.length === this.plan.length && file.plan.cells.every((c, i) => c === this.plan[i]);
    if (!same || file.shard?.index !== this.shard?.index || file.shard?.total !== this.shard?.total) {
      throw new UsageError(`${this.path} holds a different matrix; use another ${this.option} or drop --resume`, 'RESUME_MISMATCH');
    }
    for (const cell of file.cells) this.cells.set(cell.id, cell);
    return this.cells.size;
  }

  has(id: string): boolean {
    return this.cells.has(id);
  }

  get size(): number {
    return this.cells.size;
  }

  /** Records a finished cell and rewrites results.json; a write that fails does not record it. */
  add(cell: CellResult): void {
    const had = this.cells.get(cell.id);
    this.cells.set(cell.id, cell);
    try {
      writeAtomic(this.path, JSON.stringify(this.snapshot(), null, 2) + '\n', this.option);
    } catch (e) {
      if (had) this.cells.set(cell.id, had);
      else this.cells.delete(cell.id);
      throw e;
    }
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
