/**
 * The range as a line of releases or commits, oldest first: each candidate's dot says what is
 * known of it, its chips are its probes (numbered, coloured by verdict, linked to the probe's
 * row), and the culprit is ringed. Long stretches nobody probed fold into one gap.
 */
import type { SessionSpec } from '../../bisect/session.ts';
import { html, type Html } from './escape.ts';
import { shortId, type BisectView, type CandidateView, type ProbeView } from './bisect-view.ts';
import { verdictClass } from './style.ts';

/** Untested candidates in a row beyond this fold into a gap. */
const FOLD = 3;

const KNOWN_TEXT = { good: 'good', bad: 'bad', skip: 'skipped', untested: 'not probed' } as const;

/** A probe on its candidate, linked to its row in the probe table. */
function chip(p: ProbeView): Html {
  const verdict = p.record.verdict ?? 'SKIP';
  return html`<a class="chip ${verdictClass(verdict)}" href="#p${p.n}" title="probe ${p.n}: ${verdict} (${p.record.outcome})">${p.n}</a>`;
}

/** The word under a candidate that matters most: the answer first, then the endpoints. */
function tag(c: CandidateView, view: BisectView): string {
  if (c.culprit) return view.mode === 'fix' ? 'first good' : 'first bad';
  if (c.maybe) return 'maybe';
  if (c.endpoint) return `known ${c.endpoint}`;
  return '';
}

/** A dot for what is known, the short id, the tag and the probes; the full id on hover. */
function candidate(spec: SessionSpec, c: CandidateView, view: BisectView): Html {
  const label = tag(c, view);
  const cls = ['cand', `k-${c.known}`, c.culprit ? 'culprit' : '', c.maybe ? 'maybe' : ''].filter(Boolean).join(' ');
  return html`<li class="${cls}" title="${c.id}: ${KNOWN_TEXT[c.known]}${c.probes.length ? `, ${c.probes.length} probe${c.probes.length === 1 ? '' : 's'}` : ''}">
<span class="dot"></span><span class="name mono">${shortId(spec, c.id, 8)}</span>${label ? html`<span class="tag">${label}</span>` : ''}<span class="chips">${c.probes.map(chip)}</span></li>`;
}

/** The whole range, oldest first, folded where nobody probed. */
export function rangeLine(spec: SessionSpec, view: BisectView): Html {
  const items: Html[] = [];
  const quiet = (c: CandidateView) => c.known === 'untested' && !c.endpoint && !c.culprit && !c.maybe;
  for (let i = 0; i < view.range.length; ) {
    let n = 0;
    while (i + n < view.range.length && quiet(view.range[i + n]!)) n++;
    if (n > FOLD) {
      items.push(html`<li class="gap" title="${n} candidates nobody probed">… ${n} not probed …</li>`);
      i += n;
      continue;
    }
    items.push(candidate(spec, view.range[i]!, view));
    i++;
  }
  const what = spec.source.kind === 'commits' ? 'commits' : 'releases';
  return html`<ol class="range" aria-label="${view.range.length} ${what}, oldest first">${items}</ol>`;
}
