/**
 * report.html for a matrix: the tally, the grid, a legend, then every cell's evidence (unexpected
 * first), as one self-contained page. Reads the result model only, like every other report.
 */
import { VERDICT_MEANINGS, type CellResult, type ResultsFile, type VerdictKind } from '../../model/result.ts';
import { collectCells, type Collected } from '../collect.ts';
import { hasNoExpectation, isUnexpected, tally } from '../tally.ts';
import { html, join, type Html } from './escape.ts';
import { cellEvidence } from './cell-evidence.ts';
import { gridTable } from './matrix-grid.ts';
import { layoutGrid } from './matrix-layout.ts';
import { MATRIX_CSS } from './matrix-style.ts';
import { MATRIX_SCRIPT } from './matrix-script.ts';
import { htmlPage } from './page.ts';
import { verdictClass } from './style.ts';
import { when } from './when.ts';

const SHOWN_MISSING = 10;

/** The count every report leads with, the unexpected part in red when there is one. */
function tallyLine(cells: CellResult[]): Html {
  const t = tally(cells);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return html`<p class="tally"><b>${plural(t.cells, 'cell')}</b>, ${t.asExpected} as expected, <span class="${t.unexpected ? 'bad' : ''}">${t.unexpected} unexpected</span>${t.noExpectation ? `, ${t.noExpectation} without expectation` : ''}, ${t.flaky} flaky</p>`;
}

/** Which files and run the page shows, so a page from an artifact can be traced back. */
function provenance(data: Collected, platform: string | undefined): Html {
  const [only] = data.sources;
  const from =
    data.sources.length === 1 && only
      ? `written ${when(only.createdAt)} by ${only.tool}${only.shard ? `, shard ${only.shard}` : ''}`
      : `from ${data.sources.length} files: ${data.sources.map((s) => `${s.name} (${s.cells} cells${s.shard ? `, shard ${s.shard}` : ''}, ${when(s.createdAt)})`).join(', ')}`;
  const missing = data.missing.length
    ? html`<p class="meta bad">${data.missing.length} planned cells are in none of these files (a shard not given, or a run not finished): ${data.missing.slice(0, SHOWN_MISSING).join(', ')}${data.missing.length > SHOWN_MISSING ? ', ...' : ''}</p>`
    : '';
  return html`<p class="meta">${from}${platform ? ` · ${platform}` : ''}</p>${missing}`;
}

/** Hidden until the script runs: without it they could not do anything. */
function filters(cells: CellResult[]): Html {
  const subjects = [...new Set(cells.map((c) => c.key.subject))];
  const unexpected = cells.filter(isUnexpected).length;
  return html`<form id="filters" class="filters" hidden>
<label><input type="checkbox" id="only-unexpected"> unexpected only (${unexpected})</label>
<label>subject <select id="subject"><option value="">all subjects</option>${subjects.map((s) => html`<option>${s}</option>`)}</select></label>
<output id="shown"></output></form>`;
}

/** The verdicts on the page (their meaning on hover) and what the marks mean. */
function legend(cells: CellResult[]): Html {
  const present = new Set<VerdictKind>(cells.flatMap((c) => [c.verdict, ...c.attempts.map((a) => a.verdict.kind)]));
  const kinds = (Object.keys(VERDICT_MEANINGS) as VerdictKind[]).filter((k) => present.has(k));
  return html`<p class="legend">${kinds.map((k) => html`<span class="pill ${verdictClass(k)}" title="${VERDICT_MEANINGS[k]}">${k}</span> `)}<span class="key u-key">unexpected</span> <span class="key f-key">flaky: attempts that showed the verdict / attempts</span></p>`;
}

const GROUPS: ((c: CellResult) => boolean)[] = [isUnexpected, (c) => !isUnexpected(c) && !hasNoExpectation(c), hasNoExpectation];

/** The page of any set of cells (one file, or several through collectCells). */
export function matrixReportHtml(data: Collected): string {
  const { cells } = data;
  const layout = layoutGrid(cells);
  const ordered = GROUPS.flatMap((inGroup) => cells.map((c, i) => [c, i] as const).filter(([c]) => inGroup(c)));
  const body = html`<header class="top">
<h1>mirrord-regress matrix</h1>
${tallyLine(cells)}
${provenance(data, layout.platform)}
</header>
${filters(cells)}
${cells.length ? html`<div class="gridwrap">${gridTable(cells, layout)}</div>${legend(cells)}` : html`<p>No cells.</p>`}
<h2 id="evidence">Evidence <span class="note">unexpected cells first; a cell in the grid opens its own</span></h2>
${join(ordered.map(([c, i]) => cellEvidence(c, i, { platform: layout.platform === undefined })))}
<footer class="note">One self-contained file: no network, no server. The script only filters and opens evidence; everything reads without it. results.json holds every field.</footer>`;
  return htmlPage({ title: `mirrord-regress matrix: ${tally(cells).unexpected} unexpected of ${cells.length}`, css: MATRIX_CSS, body, script: MATRIX_SCRIPT });
}

/** The report of one results file (what `matrix --out` and `report merge` write). */
export function toHtmlReport(file: ResultsFile, name = 'results.json'): string {
  return matrixReportHtml(collectCells([file], [name]));
}
