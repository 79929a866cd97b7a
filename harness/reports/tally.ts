/** The one-line count every report leads with, so CI logs, step summaries and terminals agree. */
import { isUnexpected } from '../model/aggregate.ts';
import type { CellResult } from '../model/result.ts';

export interface Tally {
  cells: number;
  asExpected: number;
  unexpected: number;
  flaky: number;
}

export function tally(cells: CellResult[]): Tally {
  const unexpected = cells.filter(isUnexpected).length;
  return { cells: cells.length, asExpected: cells.length - unexpected, unexpected, flaky: cells.filter((c) => c.flaky).length };
}

export function tallyLine(t: Tally): string {
  return `${t.cells} cells, ${t.asExpected} as expected, ${t.unexpected} unexpected, ${t.flaky} flaky`;
}
