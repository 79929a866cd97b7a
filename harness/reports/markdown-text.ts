/** Escaping for text placed in GitHub-flavoured markdown, table cells and inline HTML. */

/** For `<summary>` and other inline HTML. */
export function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text in markdown: one line, no accidental emphasis, links, code or HTML; `|` safe inside tables. */
export function markdownText(text: string): string {
  return htmlText(text.replace(/\s+/g, ' ').trim()).replace(/[\\`*_[\]|]/g, (c) => `\\${c}`);
}

/** Identifiers such as `lab@3.112.0`, which GitHub would otherwise autolink as an e-mail address. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  const fence = flat.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${flat}${fence.length > 1 ? ' ' : ''}${fence}`;
}
