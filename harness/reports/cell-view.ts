/** How reports phrase one cell: which attempt speaks for it, its agreement count, its expectation. */
import type { Attempt, CellResult } from '../model/result.ts';

/** The attempt whose verdict is the cell's verdict (the first such), so summaries match the verdict shown. */
export function shownAttempt(cell: CellResult): Attempt | undefined {
  return cell.attempts.find((a) => a.verdict.kind === cell.verdict) ?? cell.attempts[0];
}

/** `2/3`: attempts that showed the cell's verdict, of all attempts. */
export function agreement(cell: CellResult): string {
  return `${cell.attempts.filter((a) => a.verdict.kind === cell.verdict).length}/${cell.attempts.length}`;
}

/** `BYPASSED ~ 2/3` for flaky cells, the bare verdict otherwise. */
export function verdictText(cell: CellResult): string {
  return cell.flaky ? `${cell.verdict} ~ ${agreement(cell)}` : cell.verdict;
}

/** `BYPASSED`, `HANG or CRASH`, or `no expectation` when none was given. */
export function expectedText(cell: CellResult): string {
  return cell.expected.length ? cell.expected.join(' or ') : 'no expectation';
}

/**
 * Why an unexpected cell is one: `expected PASS`, plus `, also saw HANG` for disallowed attempt
 * verdicts other than the cell's own (a flaky cell can be unexpected while its verdict is allowed).
 */
export function expectationNote(cell: CellResult): string {
  const others = [...new Set(cell.attempts.map((a) => a.verdict.kind))].filter((k) => k !== cell.verdict && !cell.expected.includes(k));
  return `expected ${expectedText(cell)}${others.length ? `, also saw ${others.join(', ')}` : ''}`;
}

/** Collapses whitespace (summaries and evidence are meant to be one line; make sure). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The one-line summary of the attempt that speaks for the cell. */
export function cellSummary(cell: CellResult): string {
  return oneLine(shownAttempt(cell)?.verdict.summary ?? '');
}
