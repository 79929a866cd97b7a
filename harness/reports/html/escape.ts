/**
 * HTML built only through the `html` tag: every interpolated value is escaped unless it is already
 * `Html` (made by this tag), so text from workloads (stderr, summaries, command lines, names) can
 * never become markup. Escaped text is also safe inside double-quoted attributes.
 */

/** Markup that is known to be safe: only `html`, `join` and `raw` make one. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), markup, numbers, lists of those; null/false/undefined render nothing. */
export type Part = Html | string | number | null | undefined | false | readonly Part[];

// Colour codes from workload output would show up as `[31m` noise.
const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]/g;
// C0 controls other than tab/LF/CR, DEL, lone surrogates and non-characters: invisible or invalid in HTML.
const NOT_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g;
const SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: markup characters escaped, terminal noise dropped. */
export function escapeHtml(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(NOT_TEXT, '').replace(/[&<>"']/g, (c) => SPECIAL[c]!);
}

/** The one place values become markup: only Html passes unescaped. */
function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** The template tag: literal parts are trusted (they are our source code), values are escaped. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Our own constant markup, CSS or script (never anything derived from a result). */
export function raw(trusted: string): Html {
  return new Html(trusted);
}

/** Parts joined by a separator (itself escaped unless Html). */
export function join(parts: readonly Part[], separator: Part = ''): Html {
  return new Html(parts.map(render).join(render(separator)));
}
