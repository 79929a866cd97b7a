/**
 * Where each cell goes in the HTML grid: one row per subject and strategy, one column per
 * scenario, run-as and runner, so every cell id has exactly one place. Columns of one scenario are
 * kept together (scenarios, then run-as, then runners, each in first-seen order).
 */
import type { CellResult, Platform, RunAs, Strategy } from '../../model/result.ts';

export interface GridRow {
  subject: string;
  strategy: Strategy | null;
}

export interface GridColumn {
  scenario: string;
  runAs: RunAs;
  runner: string;
  /** Platforms the column's cells ran on (`platformText`), in first-seen order. */
  platforms: string[];
}

export interface GridLayout {
  rows: GridRow[];
  columns: GridColumn[];
  /** The cell (index into the cells given) at a row and column. */
  at(row: number, column: number): number | undefined;
  /** One platform shared by every cell, if there is just one. */
  platform?: string;
  /** Whether the header needs a run-as line (some column is not the default) and a runner line. */
  showRunAs: boolean;
  showRunner: boolean;
}

/** `ruby 3.1.2 · linux/x64 · kernel 6.8.0` (and the image, for containers). */
export function platformText(p: Platform): string {
  return [p.ruby ? `ruby ${p.ruby}` : 'ruby ?', `${p.os}/${p.arch}`, `kernel ${p.kernel}`, ...(p.image ? [p.image] : [])].join(' · ');
}

const rowKey = (c: CellResult) => `${c.key.subject}\u0000${c.key.strategy ?? ''}`;
const columnKey = (c: CellResult) => `${c.key.scenario}\u0000${c.key.runAs}\u0000${c.key.runner}`;

/** Index of each value in first-seen order. */
function firstSeen(values: string[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const v of values) if (!order.has(v)) order.set(v, order.size);
  return order;
}

/** Places every cell, and says which header lines the page needs. */
export function layoutGrid(cells: readonly CellResult[]): GridLayout {
  const rowIndex = firstSeen(cells.map(rowKey));
  const scenarioOrder = firstSeen(cells.map((c) => c.key.scenario));
  const runAsOrder = firstSeen(cells.map((c) => c.key.runAs));
  const runnerOrder = firstSeen(cells.map((c) => c.key.runner));
  const columnCells = new Map<string, CellResult>();
  for (const c of cells) if (!columnCells.has(columnKey(c))) columnCells.set(columnKey(c), c);
  const rank = (c: CellResult) => [scenarioOrder.get(c.key.scenario)!, runAsOrder.get(c.key.runAs)!, runnerOrder.get(c.key.runner)!];
  const sorted = [...columnCells.entries()].sort(([, a], [, b]) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });
  const columnIndex = new Map(sorted.map(([k], i) => [k, i]));

  const rows: GridRow[] = [...rowIndex.keys()].map((k) => {
    const c = cells.find((x) => rowKey(x) === k)!;
    return { subject: c.key.subject, strategy: c.key.strategy };
  });
  const columns: GridColumn[] = sorted.map(([, c]) => ({ scenario: c.key.scenario, runAs: c.key.runAs, runner: c.key.runner, platforms: [] }));
  const place = new Map<string, number>();
  cells.forEach((c, i) => {
    const r = rowIndex.get(rowKey(c))!;
    const col = columnIndex.get(columnKey(c))!;
    place.set(`${r},${col}`, i);
    const platforms = columns[col]!.platforms;
    const p = platformText(c.platform);
    if (!platforms.includes(p)) platforms.push(p);
  });
  const allPlatforms = new Set(columns.flatMap((c) => c.platforms));
  return {
    rows,
    columns,
    at: (r, col) => place.get(`${r},${col}`),
    platform: allPlatforms.size === 1 ? [...allPlatforms][0] : undefined,
    showRunAs: columns.some((c) => c.runAs !== 'unprivileged') || runAsOrder.size > 1,
    showRunner: runnerOrder.size > 1 || allPlatforms.size > 1,
  };
}
