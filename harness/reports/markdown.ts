/**
 * summary.md for $GITHUB_STEP_SUMMARY: tally, the verdict table, then per-cell details with the
 * evidence, unexpected cells first, then expected ones, then those without expectation. GitHub
 * rejects a step summary over 1 MiB, so the output is capped: details are cut from the end (the
 * least interesting first), then table rows, and the last line says what was left out.
 */
import type { CellResult, ResultsFile } from '../model/result.ts';
import { cellSummary, expectationNote, expectedText, oneLine, shownAttempt, verdictText } from './cell-view.ts';
import { formatEvidence } from './evidence.ts';
import { gridOf } from './grid.ts';
import { codeSpan, htmlText, markdownText } from './markdown-text.ts';
import { hasNoExpectation, isUnexpected, tally, tallyLine } from './tally.ts';

export const DEFAULT_MAX_BYTES = 1_000_000;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** What a table cell says: the verdict, with ❌ and the expectation when the table did not allow it. */
export function tableCellText(cell: CellResult): string {
  const text = verdictText(cell);
  return isUnexpected(cell) ? `❌ ${text} (${expectationNote(cell)})` : text;
}

function table(cells: CellResult[]): string[] {
  const grid = gridOf(cells);
  const row = (items: string[]) => `| ${items.join(' | ')} |`;
  return [
    row(['subject / strategy', ...grid.columns.map(markdownText)]),
    row(['---', ...grid.columns.map(() => '---')]),
    ...grid.rows.map((r) => row([codeSpan(r), ...grid.columns.map((c) => {
      const cell = grid.at(r, c);
      return cell ? markdownText(tableCellText(cell)) : '–';
    })])),
  ];
}

function judgement(cell: CellResult): string {
  if (isUnexpected(cell)) return `❌ **unexpected**: ${markdownText(expectationNote(cell))}`;
  if (hasNoExpectation(cell)) return 'no expectation: the verdict was not compared to anything';
  return `as expected: ${markdownText(expectedText(cell))}`;
}

function details(cell: CellResult): string {
  const shown = shownAttempt(cell);
  const lines = [
    `<details><summary>${htmlText(oneLine(`${cell.id}: ${cell.verdict} — ${cellSummary(cell)}`))}</summary>`,
    '',
    `${judgement(cell)} — ${markdownText(cell.expectedBecause)}`,
    '',
    ...formatEvidence(shown?.verdict.evidence ?? []).map((l) => `- ${markdownText(l)}`),
  ];
  if (cell.attempts.length > 1) {
    lines.push('', `Attempts (${verdictText(cell)}):`, '');
    for (const a of cell.attempts) lines.push(`${a.attempt}. ${a.verdict.kind} — ${markdownText(a.verdict.summary)}`);
  }
  const p = cell.platform;
  lines.push('', `<sub>ruby ${htmlText(p.ruby ?? '?')} on ${htmlText(`${p.os}/${p.arch} ${p.kernel}`)}, runner ${htmlText(p.runner)}; as ${htmlText(shown?.observation.user ?? '?')}, network ${htmlText(shown?.observation.network ?? '?')}</sub>`, '', '</details>', '');
  return lines.join('\n') + '\n';
}

/** Details blocks are dropped in reverse order of this, and the notice counts them by it. */
type Group = 'unexpected' | 'expected' | 'without expectation';
const GROUPS: readonly Group[] = ['unexpected', 'expected', 'without expectation'];

const groupOf = (cell: CellResult): Group => (isUnexpected(cell) ? 'unexpected' : hasNoExpectation(cell) ? 'without expectation' : 'expected');

interface Left {
  rows: number;
  details: Record<Group, number>;
}

function notice(left: Left): string {
  const parts = [];
  if (left.rows) parts.push(`${left.rows} table rows`);
  for (const g of GROUPS) {
    const n = left.details[g];
    const cells = n === 1 ? 'cell' : 'cells';
    if (n) parts.push(g === 'without expectation' ? `details of ${n} ${cells} without expectation` : `details of ${n} ${g} ${cells}`);
  }
  return `\n_Truncated to fit the step summary limit: ${parts.join(', ')} left out. results.json and junit.xml hold every cell._\n`;
}

/**
 * The head, then the longest prefix of table rows and detail blocks (unexpected first) that fits
 * with a notice of what was left out; cut at a UTF-8 boundary when not even that fits.
 */
function fit(head: string, rows: string[], blocks: { text: string; group: Group }[], maxBytes: number): string {
  const pieces = [...rows.map((r) => r + '\n'), '\n', ...blocks.map((b) => b.text)];
  const full = head + pieces.join('');
  if (bytes(full) <= maxBytes) return full;
  const countBy = (list: { group: Group }[]) => Object.fromEntries(GROUPS.map((g) => [g, list.filter((b) => b.group === g).length])) as Record<Group, number>;
  const leftAfter = (kept: number): Left => {
    const blocksKept = Math.max(0, kept - rows.length - 1);
    return { rows: Math.max(0, rows.length - Math.max(kept, 2)), details: countBy(blocks.slice(blocksKept)) };
  };
  const all = Object.fromEntries(GROUPS.map((g) => [g, blocks.length])) as Record<Group, number>;
  const worst = bytes(notice({ rows: rows.length, details: all }));
  let used = bytes(head);
  let kept = 0;
  while (kept < pieces.length && used + bytes(pieces[kept]!) + worst <= maxBytes) used += bytes(pieces[kept++]!);
  const text = head + pieces.slice(0, kept).join('') + notice(leftAfter(kept));
  return bytes(text) <= maxBytes ? text : Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/, '');
}

export function toMarkdown(file: ResultsFile, opts: { maxBytes?: number } = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const shard = file.shard ? ` (shard ${file.shard.index}/${file.shard.total})` : '';
  const head = `## mirrord-regress results${shard}\n\n${tallyLine(tally(file.cells))}\n\n`;
  const ordered = GROUPS.flatMap((g) => file.cells.filter((c) => groupOf(c) === g));
  const rows = table(file.cells);
  return fit(head, rows, ordered.map((c) => ({ text: details(c), group: groupOf(c) })), maxBytes);
}
