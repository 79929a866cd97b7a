/** The look both reports share: type, verdict colours (one palette for cells, pills and charts), code and tables. */
import { VERDICT_KINDS, type VerdictKind } from '../../model/result.ts';

/** Background and text colour per verdict; `SKIP` is a probe that gave none (a failed build). */
export const VERDICT_COLORS: Readonly<Record<VerdictKind | 'SKIP', { bg: string; fg: string; solid: string }>> = {
  PASS: { bg: '#dcf5e3', fg: '#135d2a', solid: '#2da44e' },
  BYPASSED: { bg: '#ffdcd7', fg: '#8c1a10', solid: '#cf222e' },
  HANG: { bg: '#ffe3b8', fg: '#7a3e00', solid: '#e16f00' },
  VANISHED: { bg: '#ecdcff', fg: '#5a2a9c', solid: '#8250df' },
  CRASH: { bg: '#ffd8ec', fg: '#8a1151', solid: '#bf3989' },
  FAIL: { bg: '#eee0d2', fg: '#66391a', solid: '#9a6233' },
  INCONCLUSIVE: { bg: '#dfe9f5', fg: '#2f4a6b', solid: '#5a7ca6' },
  TIMEOUT: { bg: '#fff3b0', fg: '#6b5600', solid: '#bf9b00' },
  ERROR: { bg: '#e4e4e4', fg: '#3b3b3b', solid: '#767676' },
  SKIP: { bg: '#ececec', fg: '#555555', solid: '#9a9a9a' },
};

/** The CSS class of a verdict's colours (`v-PASS`); anything unknown gets the ERROR grey. */
export function verdictClass(kind: string): string {
  return `v-${kind in VERDICT_COLORS ? kind : 'ERROR'}`;
}

/** The class that sets `--vc` to a verdict's strong colour (the left border of evidence sections, chart marks). */
export function verdictBorderClass(kind: string): string {
  return `b-${kind in VERDICT_COLORS ? kind : 'ERROR'}`;
}

const palette = [...VERDICT_KINDS, 'SKIP' as const]
  .map((k) => `.v-${k}{background:${VERDICT_COLORS[k].bg};color:${VERDICT_COLORS[k].fg}}.b-${k}{--vc:${VERDICT_COLORS[k].solid}}`)
  .join('\n');

export const BASE_CSS = `
:root{--ink:#1f2328;--mute:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--link:#0969da;--bad:#cf222e}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:24px 28px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",sans-serif;color:var(--ink);background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:0}
h4{font-size:12px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--mute)}
a{color:var(--link)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
pre{margin:0;padding:8px 10px;background:var(--soft);border:1px solid var(--line);border-radius:6px;white-space:pre-wrap;word-break:break-word;max-height:24em;overflow:auto}
.meta{color:var(--mute);margin:2px 0}
.tally{font-size:15px;margin:8px 0 2px}
.tally b{font-weight:600}
.tally .bad{color:var(--bad)}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-weight:600;font-size:12px;white-space:nowrap}
.pill small{font-weight:500;margin-left:4px}
table.plain{border-collapse:collapse;margin:4px 0}
table.plain th,table.plain td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.plain th{font-size:12px;color:var(--mute);font-weight:600}
.cmd{background:#0d1117;color:#e6edf3;border-color:#0d1117;user-select:all}
.note{color:var(--mute);font-size:12.5px}
h2 .note{font-weight:400;margin-left:6px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:8px 0}
dl.facts dt{color:var(--mute)}
dl.facts dd{margin:0;word-break:break-word}
footer{margin-top:28px}
${palette}
`;
