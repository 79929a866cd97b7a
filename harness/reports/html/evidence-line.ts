/**
 * One evidence item as a list entry: its kind as a tag, then the line every report prints for it
 * (reports/evidence.ts). A kind that file does not know yet still shows, field by field.
 */
import type { EvidenceItem } from '../../model/result.ts';
import { formatEvidenceItem } from '../evidence.ts';
import { html, type Html } from './escape.ts';

/** Fields of an item no formatter knows, as `name: value` pairs (nested values as compact JSON). */
function genericLine(item: Record<string, unknown>): string {
  return Object.entries(item)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

/** The line for an item: formatEvidenceItem's, or the generic one for kinds added after it. */
export function evidenceText(item: EvidenceItem): string {
  let line: unknown;
  try {
    line = formatEvidenceItem(item);
  } catch {
    line = undefined;
  }
  return typeof line === 'string' && line !== '' ? line : genericLine(item as unknown as Record<string, unknown>);
}

export function evidenceItem(item: EvidenceItem): Html {
  return html`<li><span class="k">${String(item.kind)}</span> ${evidenceText(item)}</li>`;
}
