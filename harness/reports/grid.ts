/**
 * The table layout shared by the markdown and terminal reports, read like the upstream
 * experiments: one row per subject (and strategy), one column per scenario (and who ran it).
 */
import type { CellKey, CellResult } from '../model/result.ts';

/** Who runs workloads unless a scenario says otherwise; other values are named in labels. */
export const DEFAULT_RUN_AS = 'unprivileged';

export interface Grid {
  rows: string[];
  columns: string[];
  /** Cell at a row and column, if the file has one there. */
  at(row: string, column: string): CellResult | undefined;
}

/** `lab@3.112.0 / normal`, or the subject alone when it has no strategy. */
export function rowLabel(key: CellKey): string {
  return key.strategy ? `${key.subject} / ${key.strategy}` : key.subject;
}

/** `spawn-then-resolve`, `spawn-then-resolve (root)`, plus `[runner]` when runners differ in one file. */
export function columnLabel(key: CellKey, withRunner = false): string {
  const as = key.runAs === DEFAULT_RUN_AS ? '' : ` (${key.runAs})`;
  return `${key.scenario}${as}${withRunner ? ` [${key.runner}]` : ''}`;
}

/** Rows and columns in first-seen order, which is plan order for files the harness wrote. */
export function gridOf(cells: CellResult[]): Grid {
  const withRunner = new Set(cells.map((c) => c.key.runner)).size > 1;
  const rows = new Set<string>();
  const columns = new Set<string>();
  const byPlace = new Map<string, CellResult>();
  for (const cell of cells) {
    const row = rowLabel(cell.key);
    const column = columnLabel(cell.key, withRunner);
    rows.add(row);
    columns.add(column);
    byPlace.set(`${row}\u0000${column}`, cell);
  }
  return { rows: [...rows], columns: [...columns], at: (row, column) => byPlace.get(`${row}\u0000${column}`) };
}
