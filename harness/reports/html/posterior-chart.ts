/**
 * The flaky search's posterior after each probe, as a small inline SVG: one row per probe, one
 * column per candidate of the range (the known-good endpoint first), darker where more mass sits;
 * a dot marks the candidate that probe ran on, coloured by its verdict; the bar on the right is
 * the leading candidate's mass against the target confidence.
 */
import type { PosteriorStep } from '../../bisect/posterior-history.ts';
import { html, type Html } from './escape.ts';
import type { ProbeView } from './bisect-view.ts';
import { VERDICT_COLORS } from './style.ts';

export interface ChartInput {
  /** Column labels, oldest first; the first is the known-good endpoint (never a culprit). */
  labels: string[];
  steps: PosteriorStep[];
  probes: ProbeView[];
  /** Column of each probe's candidate (undefined: outside the range). */
  columnOf: (candidate: string) => number | undefined;
  /** Column of the answer, outlined. */
  culprit?: number;
  target: number;
}

const MASS = '#0969da';
/** Rects with per-cell tooltips only up to this many cells, to keep big sessions small. */
const TITLED_CELLS = 1500;

const fixed = (n: number, digits = 1) => Number(n.toFixed(digits));
const percent = (p: number) => `${(p * 100).toFixed(p > 0.999 && p < 1 ? 2 : 1)}%`;

/** Sized to the session: cells shrink with the range, rows with the number of probes. */
export function posteriorChart(input: ChartInput): Html {
  const cols = input.labels.length;
  const rows = input.steps.length;
  if (!rows || cols < 2) return html``;
  const cw = Math.max(6, Math.min(56, Math.floor(600 / cols)));
  const rh = rows <= 20 ? 16 : rows <= 50 ? 10 : 6;
  const left = 46;
  const rotate = input.labels.some((l) => l.length * 6.5 > cw);
  const top = rotate ? 74 : 26;
  const gridW = cols * cw;
  const barX = left + gridW + 14;
  const barW = 120;
  const width = barX + barW + 50;
  const height = top + rows * rh + 26;
  const labelEvery = Math.max(1, Math.ceil((rotate ? 12 : 40) / cw));
  const rowLabelEvery = rh >= 14 ? 1 : 5;
  const titled = rows * cols <= TITLED_CELLS;

  const columnLabels = input.labels.map((l, c) => {
    if (c % labelEvery !== 0 && c !== input.culprit) return '';
    const x = left + c * cw + cw / 2;
    return rotate
      ? html`<text class="cl" x="${fixed(x)}" y="${top - 6}" transform="rotate(-40 ${fixed(x)} ${top - 6})">${l}</text>`
      : html`<text class="cl" x="${fixed(x)}" y="${top - 8}" text-anchor="middle">${l}</text>`;
  });

  const rowsSvg = input.steps.map((step, r) => {
    const y = top + r * rh;
    const probe = input.probes[step.probe];
    const cells = step.mass.map((m, k) => {
      if (m < 0.002) return '';
      const x = left + (k + 1) * cw;
      return html`<rect x="${x}" y="${y}" width="${cw}" height="${rh}" fill="${MASS}" fill-opacity="${fixed(Math.sqrt(m), 2)}">${titled ? html`<title>after probe ${r + 1}: ${input.labels[k + 1] ?? ''} ${percent(m)}</title>` : ''}</rect>`;
    });
    const at = probe ? input.columnOf(probe.record.candidate) : undefined;
    const dot =
      probe && at !== undefined
        ? html`<circle cx="${fixed(left + at * cw + cw / 2)}" cy="${fixed(y + rh / 2)}" r="${fixed(Math.max(2, Math.min(5, rh / 2 - 1)))}" fill="${VERDICT_COLORS[probe.record.verdict ?? 'SKIP'].solid}" stroke="#fff" stroke-width="1"><title>probe ${probe.n}: ${probe.record.candidate} ${probe.record.verdict ?? 'SKIP'}</title></circle>`
        : '';
    const lead = Math.max(...step.mass);
    const bar = html`<rect x="${barX}" y="${y + 1}" width="${fixed(barW * lead)}" height="${Math.max(1, rh - 2)}" fill="${lead >= input.target ? '#2da44e' : '#8c959f'}"/>`;
    const label = r % rowLabelEvery === 0 || r === rows - 1 ? html`<text class="rl" x="${left - 6}" y="${fixed(y + rh / 2 + 4)}" text-anchor="end">${probe?.n ?? r + 1}</text>` : '';
    return html`<g>${cells}${dot}${bar}${label}</g>`;
  });

  const lastLead = Math.max(...input.steps[rows - 1]!.mass);
  const targetX = fixed(barX + barW * input.target);
  const bottom = top + rows * rh;
  const culprit =
    input.culprit !== undefined ? html`<rect x="${left + input.culprit * cw}" y="${top}" width="${cw}" height="${rows * rh}" fill="none" stroke="#cf222e" stroke-width="2"/>` : '';
  return html`<svg class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<title>Posterior over the first bad candidate after each probe</title>
<rect x="${left}" y="${top}" width="${gridW}" height="${rows * rh}" fill="#f6f8fa"/>
<rect x="${left}" y="${top}" width="${cw}" height="${rows * rh}" fill="#dcf5e3"/>
${columnLabels}${rowsSvg}${culprit}
<rect x="${left}" y="${top}" width="${gridW}" height="${rows * rh}" fill="none" stroke="#d1d9e0"/>
<line x1="${targetX}" x2="${targetX}" y1="${top - 4}" y2="${bottom + 4}" stroke="#1f2328" stroke-dasharray="3 2"/>
<text class="cl" x="${targetX}" y="${top - 8}" text-anchor="middle">target ${percent(input.target)}</text>
<text class="rl" x="${barX + barW + 6}" y="${fixed(bottom - rh / 2 + 4)}">${percent(lastLead)}</text>
<text class="rl" x="${left - 6}" y="${bottom + 18}" text-anchor="end">probe</text>
<text class="rl" x="${left}" y="${bottom + 18}">known good</text>
<text class="rl" x="${barX}" y="${bottom + 18}">leading candidate</text>
</svg>`;
}
