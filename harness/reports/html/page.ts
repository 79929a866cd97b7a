/**
 * The shell of a one-file report: inline CSS and script only, and a Content-Security-Policy that
 * allows exactly those (by hash) and nothing else, so the page can fetch nothing from anywhere and
 * no markup that slipped past escaping could run. Opened from disk or a CI artifact, no server.
 */
import { createHash } from 'node:crypto';
import { html, raw, type Html } from './escape.ts';
import { BASE_CSS } from './style.ts';

export interface PageOptions {
  title: string;
  /** The page's own CSS, after the shared base. */
  css: string;
  body: Html;
  /** Inline script (our own constant code, never data); the page must read fine without it. */
  script?: string;
}

/** A CSP source for exactly this inline text. */
const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// A `</script` or `</style` inside would end the element early; only our own constants go here.
function checkInline(text: string, tag: string): string {
  if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`inline ${tag} contains </${tag}`);
  return text;
}

/** The document around a body: the policy is computed from the exact CSS and script it allows. */
export function htmlPage(opts: PageOptions): string {
  const css = checkInline(BASE_CSS + opts.css, 'style');
  const script = opts.script === undefined ? undefined : checkInline(opts.script, 'script');
  const policy = [
    "default-src 'none'",
    `style-src ${sha256(css)}`,
    `script-src ${script === undefined ? "'none'" : sha256(script)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${opts.title}</title>
<link rel="icon" href="data:,">
<style>${raw(css)}</style>
</head>
<body>
${opts.body}
${script === undefined ? '' : html`<script>${raw(script)}</script>`}
</body>
</html>
`.value;
}
