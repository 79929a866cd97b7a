/**
 * One cell's evidence, as a section the grid links to: the verdict and its rule, what was
 * expected and why, every evidence item, each attempt when there were several, excerpts of the
 * workload's stdout and stderr, and the command that runs the cell again.
 */
import type { Attempt, CellResult, Observation } from '../../model/result.ts';
import { agreement, cellSummary, expectationNote, expectedText, oneLine, shownAttempt } from '../cell-view.ts';
import { DEFAULT_RUN_AS } from '../grid.ts';
import { runCommandFor } from '../reproduce.ts';
import { hasNoExpectation, isUnexpected } from '../tally.ts';
import { html, type Html } from './escape.ts';
import { evidenceItem } from './evidence-line.ts';
import { cellMarks, evidenceId } from './matrix-grid.ts';
import { platformText } from './matrix-layout.ts';
import { verdictBorderClass, verdictClass } from './style.ts';

/** Output tails are bounded already; the page keeps their last lines only, to stay small. */
export const EXCERPT = { lines: 20, chars: 2000 } as const;

/** The end of an output tail, and how much of it was left out. */
export function excerpt(text: string): { text: string; cut: number } {
  const trimmed = text.replace(/\s+$/, '');
  let lines = trimmed.split('\n');
  let cut = 0;
  if (lines.length > EXCERPT.lines) {
    cut = lines.length - EXCERPT.lines;
    lines = lines.slice(-EXCERPT.lines);
  }
  let out = lines.join('\n');
  if (out.length > EXCERPT.chars) {
    out = out.slice(-EXCERPT.chars);
    out = out.slice(out.indexOf('\n') + 1 || 0);
    cut = trimmed.split('\n').length - out.split('\n').length;
  }
  return { text: out, cut };
}

/** A stream's excerpt, saying how much was left out; nothing for an empty stream. */
function output(name: string, text: string): Html {
  if (!text.trim()) return html``;
  const { text: shown, cut } = excerpt(text);
  return html`<h4>${name}${cut ? html` <span class="note">(last ${shown.split('\n').length} lines; ${cut} earlier in results.json)</span>` : ''}</h4><pre class="out">${shown}</pre>`;
}

/** `lab@3.112.0 / normal · spawn-then-resolve · root · docker:ruby3.3` */
export function cellTitle(cell: CellResult): string {
  const { subject, strategy, scenario, runAs, runner } = cell.key;
  return [strategy ? `${subject} / ${strategy}` : subject, scenario, ...(runAs === DEFAULT_RUN_AS ? [] : [runAs]), runner].join(' · ');
}

/** Why the cell is (un)expected, with the table's reason, before any detail. */
function judgement(cell: CellResult): Html {
  if (isUnexpected(cell)) return html`<p class="judge bad"><b>Unexpected</b>: ${expectationNote(cell)}. <span class="why">Table: ${oneLine(cell.expectedBecause)}</span></p>`;
  if (hasNoExpectation(cell)) return html`<p class="judge"><b>No expectation</b>: the verdict was not compared to anything. <span class="why">${oneLine(cell.expectedBecause)}</span></p>`;
  return html`<p class="judge ok"><b>As expected</b>: ${expectedText(cell)}. <span class="why">${oneLine(cell.expectedBecause)}</span></p>`;
}

/** Every attempt of a repeated cell, so a flaky cell's other verdicts are visible too. */
function attemptsTable(cell: CellResult): Html {
  if (cell.attempts.length < 2) return html``;
  const row = (a: Attempt) =>
    html`<tr><td>${a.attempt}</td><td><span class="pill ${verdictClass(a.verdict.kind)}">${a.verdict.kind}</span></td><td><code>${a.verdict.rule}</code></td><td>${oneLine(a.verdict.summary)}</td><td class="num">${Math.round(a.observation.durationMs)}</td></tr>`;
  return html`<h4>Attempts</h4><table class="plain att"><thead><tr><th>#</th><th>verdict</th><th>rule</th><th>summary</th><th>ms</th></tr></thead><tbody>${cell.attempts.map(row)}</tbody></table>`;
}

/** `exit 1`, `killed by SIGSEGV`, or `stopped by the harness` (a timeout or a deadlock). */
function ending(obs: Observation): string {
  if (obs.signal) return `killed by ${obs.signal}`;
  return obs.exitCode === null ? 'stopped by the harness' : `exit ${obs.exitCode}`;
}

export interface EvidenceOptions {
  /** Name the cell's platform (when the page's cells ran on more than one; else the page header does). @default true */
  platform?: boolean;
}

/** The section a grid cell links to (the script shows it beside the grid). */
export function cellEvidence(cell: CellResult, index: number, opts: EvidenceOptions = {}): Html {
  const shown = shownAttempt(cell);
  const obs = shown?.observation;
  const command = runCommandFor(cell);
  const facts: [string, Html | string][] = [
    ['rule', html`<code>${shown?.verdict.rule ?? '?'}</code>${cell.attempts.length > 1 && shown ? ` (attempt ${shown.attempt} of ${cell.attempts.length})` : ''}`],
    ...(opts.platform === false ? [] : [['platform', `${platformText(cell.platform)} · runner ${cell.platform.runner}`] as [string, string]]),
    ...(obs ? [['run', `as ${obs.user}, network ${obs.network}${obs.networkNote ? ` (${obs.networkNote})` : ''}, ${Math.round(obs.durationMs)} ms, ${ending(obs)}`] as [string, string]] : []),
  ];
  const classes = ['ev', verdictBorderClass(cell.verdict), cellMarks(cell)].filter(Boolean).join(' ');
  return html`<section class="${classes}" id="${evidenceId(index)}" data-s="${cell.key.subject}">
<header><a class="close" href="#grid">back to the grid</a>
<h3><span class="pill ${verdictClass(cell.verdict)}">${cell.verdict}${cell.flaky ? html`<small>${agreement(cell)}</small>` : ''}</span> ${cellTitle(cell)}</h3>
<p class="sum">${cellSummary(cell)}</p></header>
${judgement(cell)}
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<h4>Evidence</h4>
<ul class="evl">${(shown?.verdict.evidence ?? []).map(evidenceItem)}</ul>
${attemptsTable(cell)}${obs ? [output('stderr', obs.stderrTail), output('stdout', obs.stdoutTail)] : ''}
<h4>Reproduce</h4>${command ? html`<pre class="cmd">${command}</pre>` : html`<p class="note">an --exec run: results.json does not keep its command line</p>`}
</section>
`;
}
