/**
 * Every probe of the session as a table row (its verdict, what that made of the candidate, and
 * the verdict's evidence one click away in a plain <details>), and the candidates that skipped,
 * with why (the build's last line, the verdict that says nothing).
 */
import type { SessionSpec } from '../../bisect/session.ts';
import { oneLine } from '../cell-view.ts';
import { html, type Html } from './escape.ts';
import { shortId, type BisectView, type ProbeView } from './bisect-view.ts';
import { verdictClass } from './style.ts';
import { when } from './when.ts';

/** The evidence sits in a plain <details>, so it opens without any script. */
function row(spec: SessionSpec, p: ProbeView): Html {
  const verdict = p.record.verdict ?? 'SKIP';
  const evidence = p.detail?.evidence ?? [];
  const summary = oneLine(p.detail?.summary ?? (p.record.verdict ? '' : 'no verdict (the candidate did not build)'));
  const said = evidence.length
    ? html`<details><summary>${summary}</summary><ul class="evl">${evidence.map((e) => html`<li>${e}</li>`)}</ul></details>`
    : html`${summary}`;
  return html`<tr id="p${p.n}" class="o-${p.record.outcome}"><td class="num">${p.n}</td><td class="mono" title="${p.record.candidate}">${shortId(spec, p.record.candidate)}</td><td class="num">${p.record.attempt}</td><td><span class="pill ${verdictClass(verdict)}">${verdict}</span></td><td class="out">${p.record.outcome}</td><td>${said}</td><td class="t">${when(p.record.t)}</td></tr>`;
}

/** Every probe, earlier sessions' included, in the order they ran. */
export function probeTable(spec: SessionSpec, view: BisectView): Html {
  if (!view.probes.length) return html`<p class="note">No probe finished yet.</p>`;
  return html`<table class="plain probes"><thead><tr><th>#</th><th>candidate</th><th title="how many times this candidate has been probed">try</th><th>verdict</th><th>answer</th><th>summary (click for the evidence)</th><th>finished</th></tr></thead>
<tbody>${view.probes.map((p) => row(spec, p))}</tbody></table>`;
}

/** The skipped candidates with the reason their (last) probe gave. */
export function skippedList(spec: SessionSpec, view: BisectView): Html {
  const skipped = view.range.filter((c) => c.known === 'skip');
  if (!skipped.length) return html``;
  return html`<h2>Skipped <span class="note">a failed build or a verdict that says nothing about the bug: the search steps around it</span></h2>
<ul class="skipped">${skipped.map((c) => {
    const last = c.probes.at(-1);
    return html`<li><span class="mono" title="${c.id}">${shortId(spec, c.id)}</span> ${last?.record.verdict ? html`<span class="pill ${verdictClass(last.record.verdict)}">${last.record.verdict}</span> ` : ''}${oneLine(last?.detail?.summary ?? 'skipped')}</li>`;
  })}</ul>`;
}
