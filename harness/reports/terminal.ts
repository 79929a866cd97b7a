/** The end-of-run table on a terminal or in a CI log: same layout as summary.md, fixed-width text. */
import type { CellResult, ResultsFile } from '../model/result.ts';
import { cellSummary, expectationNote, verdictText } from './cell-view.ts';
import { DEFAULT_RUN_AS, gridOf } from './grid.ts';
import { hasNoExpectation, isUnexpected, tally, tallyLine } from './tally.ts';

const RED = '\x1b[31m';
const RESET = '\x1b[0m';
const GAP = '  ';

function judgement(cell: CellResult): string {
  if (isUnexpected(cell)) return `UNEXPECTED, ${expectationNote(cell)}`;
  return hasNoExpectation(cell) ? 'no expectation' : 'expected';
}

/** `lab@3.112.0/normal spawn-then-resolve: BYPASSED (expected) — getaddrinfo bypassed ...` */
export function formatVerdictLine(cell: CellResult): string {
  const { subject, strategy, scenario, runAs } = cell.key;
  const where = `${subject}${strategy ? `/${strategy}` : ''} ${scenario}${runAs === DEFAULT_RUN_AS ? '' : ` (${runAs})`}`;
  const judged = judgement(cell);
  return `${where}: ${verdictText(cell)} (${judged}) — ${cellSummary(cell)}`;
}

/** `! PASS` for cells whose attempts the table does not allow. */
function cellText(cell: CellResult | undefined): string {
  if (!cell) return '-';
  return `${isUnexpected(cell) ? '! ' : ''}${verdictText(cell)}`;
}

export function toTerminalTable(file: ResultsFile, opts: { color: boolean }): string {
  const grid = gridOf(file.cells);
  const header = ['subject / strategy', ...grid.columns];
  const body = grid.rows.map((r) => [r, ...grid.columns.map((c) => grid.at(r, c))] as const);
  const widths = header.map((h, i) => body.reduce((w, [label, ...cells]) => Math.max(w, (i === 0 ? label : cellText(cells[i - 1])).length), h.length));
  // Colour the text, then pad, so escape codes never count towards a column's width.
  const paint = (text: string, width: number, red: boolean) =>
    (red && opts.color ? `${RED}${text}${RESET}` : text) + ' '.repeat(width - text.length);
  const line = (parts: string[]) => parts.join(GAP).trimEnd();
  const lines = [
    line(header.map((h, i) => h.padEnd(widths[i]!))),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(([label, ...cells]) => line([label.padEnd(widths[0]!), ...cells.map((c, i) => paint(cellText(c), widths[i + 1]!, Boolean(c && isUnexpected(c))))])),
    '',
    tallyLine(tally(file.cells)),
  ];
  const unexpected = file.cells.filter(isUnexpected);
  for (const cell of unexpected) lines.push(opts.color ? `${RED}!${RESET} ${formatVerdictLine(cell)}` : `! ${formatVerdictLine(cell)}`);
  return lines.join('\n');
}
