/** The one-line count every report leads with, so CI logs, step summaries and terminals agree. */
import type { CellResult } from '../model/result.ts';

/** Some attempt showed a verdict the expectation does not allow; a cell with no expectation never is. */
export function isUnexpected(cell: CellResult): boolean {
  return cell.matchesExpectation === false;
}

/** No expectation was given (an `--exec` run without `--expect`): neither expected nor unexpected. */
export function hasNoExpectation(cell: CellResult): boolean {
  return cell.matchesExpectation === null;
}

export interface Tally {
  cells: number;
  asExpected: number;
  unexpected: number;
  noExpectation: number;
  flaky: number;
}

export function tally(cells: CellResult[]): Tally {
  return {
    cells: cells.length,
    asExpected: cells.filter((c) => c.matchesExpectation === true).length,
    unexpected: cells.filter(isUnexpected).length,
    noExpectation: cells.filter(hasNoExpectation).length,
    flaky: cells.filter((c) => c.flaky).length,
  };
}

/** `20 cells, 18 as expected, 2 unexpected, 1 flaky`, plus `, 3 without expectation` when there are any. */
export function tallyLine(t: Tally): string {
  const unjudged = t.noExpectation ? `, ${t.noExpectation} without expectation` : '';
  return `${t.cells} cells, ${t.asExpected} as expected, ${t.unexpected} unexpected${unjudged}, ${t.flaky} flaky`;
}
