/**
 * The grid: subjects and strategies down, scenarios (run-as, runner) across, one link per cell,
 * coloured by verdict, outlined when unexpected, striped with its ratio when flaky. Each cell links
 * to its evidence section, so the grid works as plain HTML; the script only filters.
 */
import type { CellResult } from '../../model/result.ts';
import { agreement, expectationNote } from '../cell-view.ts';
import { hasNoExpectation, isUnexpected } from '../tally.ts';
import { html, join, type Html } from './escape.ts';
import type { GridColumn, GridLayout } from './matrix-layout.ts';
import { verdictClass } from './style.ts';

/** The id of a cell's evidence section. */
export const evidenceId = (index: number): string => `c${index}`;

/** What a cell says about itself in its classes: `u` unexpected, `f` flaky, `n` no expectation. */
export function cellMarks(cell: CellResult): string {
  return [isUnexpected(cell) ? 'u' : '', cell.flaky ? 'f' : '', hasNoExpectation(cell) ? 'n' : ''].filter(Boolean).join(' ');
}

/**
 * Header cells over consecutive columns with the same group (which includes the groups above it,
 * so a span never crosses a scenario boundary), as one cell with a colspan.
 */
function spans(columns: GridColumn[], group: (c: GridColumn) => string, text: (c: GridColumn) => string, cls: string): Html[] {
  const out: Html[] = [];
  for (let i = 0; i < columns.length; ) {
    const g = group(columns[i]!);
    let n = 1;
    while (i + n < columns.length && group(columns[i + n]!) === g) n++;
    out.push(html`<th class="${cls}"${n > 1 ? html` colspan="${n}"` : ''} scope="col">${text(columns[i]!)}</th>`);
    i += n;
  }
  return out;
}

/** `ruby 3.3.8`, or how many platforms the column's cells ran on when they differ (all of them in its title). */
function rubiesOf(c: GridColumn): string {
  return c.platforms.length === 1 ? c.platforms[0]!.split(' · ')[0]! : `${c.platforms.length} platforms`;
}

/** Scenario, then run-as and runner lines only when the page has more than one of them. */
function header(layout: GridLayout): Html {
  const { columns } = layout;
  const lines = 1 + Number(layout.showRunAs) + Number(layout.showRunner);
  const rows: Html[] = [
    html`<tr><th class="corner" rowspan="${lines}" scope="col">subject / strategy</th>${spans(columns, (c) => c.scenario, (c) => c.scenario, 'scn')}</tr>`,
  ];
  if (layout.showRunAs) rows.push(html`<tr>${spans(columns, (c) => `${c.scenario}\u0000${c.runAs}`, (c) => c.runAs, 'as')}</tr>`);
  if (layout.showRunner) {
    rows.push(html`<tr>${columns.map((c) => html`<th class="rn" scope="col" title="${c.platforms.join('\n')}">${c.runner}<span>${rubiesOf(c)}</span></th>`)}</tr>`);
  }
  return html`<thead>${rows}</thead>`;
}

/** A link, so the grid works without the script; the title says why an unexpected cell is one. */
function cellHtml(cell: CellResult, index: number): Html {
  const note = isUnexpected(cell) ? `unexpected: ${expectationNote(cell)}` : undefined;
  const classes = ['c', verdictClass(cell.verdict), cellMarks(cell)].filter(Boolean).join(' ');
  return html`<td class="${classes}"${note ? html` title="${note}"` : ''}><a href="#${evidenceId(index)}">${cell.verdict}${cell.flaky ? html`<small>${agreement(cell)}</small>` : ''}</a></td>`;
}

/** One row per subject and strategy; a place without a result says so with a dash. */
export function gridTable(cells: readonly CellResult[], layout: GridLayout): Html {
  const body = layout.rows.map((row, r) => {
    const repeat = r > 0 && layout.rows[r - 1]!.subject === row.subject;
    const strategy = row.strategy ? html` <span class="st">${row.strategy}</span>` : '';
    const tds = layout.columns.map((_, col) => {
      const i = layout.at(r, col);
      return i === undefined ? html`<td class="none">–</td>` : cellHtml(cells[i]!, i);
    });
    return html`<tr data-s="${row.subject}"><th class="row${repeat ? ' rep' : ''}" scope="row"><span class="sj">${row.subject}</span>${strategy}</th>${tds}</tr>\n`;
  });
  return html`<table class="grid" id="grid">${header(layout)}<tbody>\n${join(body)}</tbody></table>`;
}
