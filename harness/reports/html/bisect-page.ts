/**
 * report.html of a bisect session: the answer (culprit and confidence, or why there is none yet),
 * the range as a line with every probe on it, the flaky search's posterior after each probe,
 * every probe's verdict and evidence, the skipped candidates, and the "Reproduce with" line.
 * Static HTML and SVG: no script at all.
 */
import type { FlakyFound } from '../../bisect/flaky.ts';
import { posteriorHistory } from '../../bisect/posterior-history.ts';
import { shellWord } from '../reproduce.ts';
import { html, type Html } from './escape.ts';
import { BISECT_CSS } from './bisect-style.ts';
import { probeTable, skippedList } from './bisect-probes.ts';
import { rangeLine } from './bisect-range.ts';
import { bisectView, shortId, type BisectReportInput, type BisectView } from './bisect-view.ts';
import { htmlPage } from './page.ts';
import { posteriorChart } from './posterior-chart.ts';
import { when } from './when.ts';

export type { BisectReportInput } from './bisect-view.ts';

const STOPPED: Record<FlakyFound['stoppedBy'], string> = {
  confidence: 'stopped at the target confidence',
  budget: 'stopped because the probe budget was spent: the best answer so far',
  exhausted: 'stopped because no probe could tell the rest apart: the best answer so far',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/** The first thing a reader wants: the culprit and how sure, or why there is none (yet). */
function answer(input: BisectReportInput, view: BisectView): Html {
  const { spec, result } = input;
  const id = (c: string) => html`<code title="${c}">${shortId(spec, c)}</code>`;
  const resume = `npx mirrord-regress bisect --resume --out ${shellWord(input.dir)}`;
  if (!result) {
    return html`<div class="answer open"><p class="big">No answer yet</p><p>The session stopped after ${plural(input.probes.length, 'probe')} (interrupted). Continue it with:</p><pre class="cmd">${resume}</pre></div>`;
  }
  if (result.kind === 'endpoints') {
    return html`<div class="answer broken"><p class="big">The range does not hold</p><p>${result.message}.</p></div>`;
  }
  const [first, other] = view.mode === 'fix' ? ['first good', 'last bad'] : ['first bad', 'last good'];
  const flaky = 'confidence' in result ? result : undefined;
  const how = flaky
    ? html`confidence <b>${percent(flaky.confidence)}</b> (target ${percent(spec.confidence)}) · the bug showed in about ${Math.round(flaky.detectionRate * 100)}% of the runs of a bad candidate · ${plural(flaky.runs, 'probe')} this session, ${STOPPED[flaky.stoppedBy]}`
    : html`deterministic: every probe is trusted · ${plural(result.probes.length, 'probe')} this session`;
  const ambiguous = result.ambiguousBetween
    ? html`<p class="warn">Skips leave ${plural(result.ambiguousBetween.length, 'candidate')} apart: the culprit is one of ${result.ambiguousBetween.map((c, i) => html`${i ? ', ' : ''}${id(c)}`)}.</p>`
    : '';
  const switched = input.switchedToFlaky ? html`<p class="note">Attempts of one probe disagreed, so the search went on flaky-aware.</p>` : '';
  return html`<div class="answer found"><p class="big">${first}: ${id(view.culprit!)} <span>${other}: ${id(view.other!)}</span></p><p>${how}</p>${ambiguous}${switched}</div>`;
}

/** Only the flaky search has a posterior; the deterministic one trusts every probe. */
function chart(input: BisectReportInput, view: BisectView): Html {
  if (!input.spec.flaky || view.mode !== 'regression' || view.range.length < 2) return html``;
  const first = view.range[0]!.index;
  const steps = posteriorHistory(input.spec.candidates, first, view.range.at(-1)!.index, input.probes);
  const columns = new Map(view.range.map((c, k) => [c.id, k]));
  const culprit = view.culprit !== undefined ? columns.get(view.culprit) : undefined;
  return html`<h2>Posterior after each probe <span class="note">where the first bad candidate is, as the flaky-aware search believed after each probe (darker: more likely)</span></h2>
<div class="chartwrap">${posteriorChart({ labels: view.range.map((c) => shortId(input.spec, c.id, 8)), steps, probes: view.probes, columnOf: (c) => columns.get(c), culprit, target: input.spec.confidence })}</div>`;
}

/** What was searched and where its files are, to resume or dig into them. */
function session(input: BisectReportInput, view: BisectView): Html {
  const { spec } = input;
  const src = spec.source;
  const source =
    src.kind === 'releases'
      ? `${src.subjectKind} releases`
      : html`commits of <code>${src.repo}</code>, built with <code>${src.build}</code>${src.artifacts ? html` (lab from <code>${src.artifacts}</code>)` : ''}, run as profile ${src.profile}`;
  const facts: [string, Html | string][] = [
    ['scenario', html`<code>${spec.scenario}</code>${spec.strategy ? html`, strategy <code>${spec.strategy}</code>` : ''}`],
    ['source', source],
    ['range', html`${plural(view.range.length, src.kind === 'commits' ? 'commit' : 'release')}, good <code title="${spec.good}">${shortId(spec, spec.good)}</code>, bad <code title="${spec.bad}">${shortId(spec, spec.bad)}</code>${spec.findFix ? ' (--find-fix)' : ''}`],
    ['search', spec.flaky ? `flaky-aware, to confidence ${percent(spec.confidence)}` : `deterministic, ${plural(spec.repeat, 'attempt')} per probe`],
    ['directory', html`<code>${input.dir}</code>: <a href="session.json">session.json</a>, <a href="probes.jsonl">probes.jsonl</a> (state), <a href="probes.log">probes.log</a>${input.result ? html`, <a href="result.json">result.json</a>` : ''}`],
    ['written', when(input.writtenAt)],
  ];
  return html`<h2>Session</h2><dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

const LEGEND = html`<p class="legend"><span class="dot k-good"></span> good <span class="dot k-bad"></span> bad <span class="dot k-skip"></span> skipped <span class="dot k-untested"></span> not probed <span class="ring"></span> the answer · numbered chips: the probes of that candidate, coloured by verdict</p>`;

/** The whole page, from the session's own state (SessionDir writes it). */
export function bisectReportHtml(input: BisectReportInput): string {
  const view = bisectView(input);
  const { spec } = input;
  const what = spec.source.kind === 'commits' ? 'commits' : `${spec.source.subjectKind} releases`;
  const title = view.culprit ? `bisect ${spec.scenario}: ${view.mode === 'fix' ? 'first good' : 'first bad'} ${shortId(spec, view.culprit)}` : `bisect ${spec.scenario}`;
  const body = html`<header class="top">
<h1>bisect <code>${spec.scenario}</code> <span class="sub">${what} ${shortId(spec, view.range[0]?.id ?? spec.good)} → ${shortId(spec, view.range.at(-1)?.id ?? spec.bad)}</span></h1>
${answer(input, view)}
${input.reproduce ? html`<h2>Reproduce with</h2><pre class="cmd">${input.reproduce}</pre>` : ''}
</header>
<h2>Range <span class="note">oldest first</span></h2>
${rangeLine(spec, view)}
${LEGEND}
${chart(input, view)}
<h2>Probes <span class="note">${plural(view.probes.length, 'probe')}, in the order they ran (earlier sessions included)</span></h2>
${probeTable(spec, view)}
${skippedList(spec, view)}
${session(input, view)}
<footer class="note">One self-contained file: no network, no script. probes.jsonl and probes.log hold everything shown here.</footer>`;
  return htmlPage({ title, css: BISECT_CSS, body });
}
