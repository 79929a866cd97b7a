/** The matrix page's look: a grid with sticky headers, marked cells, and evidence that opens beside it. */

// Unexpected: a red inset frame and a red corner; flaky: white stripes over the verdict colour.
const CORNER = 'linear-gradient(225deg,var(--bad) 0 10px,transparent 10px)';
const STRIPES = 'repeating-linear-gradient(135deg,rgba(255,255,255,.6) 0 4px,transparent 4px 9px)';

export const MATRIX_CSS = `
.filters{display:flex;flex-wrap:wrap;gap:8px 22px;align-items:center;margin:14px 0 10px;padding:8px 12px;background:var(--soft);border:1px solid var(--line);border-radius:8px;position:sticky;top:0;z-index:4}
.filters[hidden]{display:none}
.filters output{color:var(--mute);margin-left:auto}
.filters input{vertical-align:-2px;margin-right:4px}
.gridwrap{overflow:auto;width:fit-content;max-width:100%;max-height:82vh;border:1px solid var(--line);border-radius:8px;margin-top:10px}
table.grid{border-collapse:separate;border-spacing:0;font-size:12.5px}
table.grid thead{position:sticky;top:0;z-index:2}
table.grid th{background:#f6f8fa;font-weight:600;padding:6px 10px;border-right:1px solid var(--line);border-bottom:1px solid var(--line);white-space:nowrap;text-align:center}
table.grid th.as{font-weight:500;color:var(--mute)}
table.grid th.rn{font-weight:500}
table.grid th.rn span{display:block;font-weight:400;color:var(--mute);font-size:11px}
table.grid th.corner{text-align:left;vertical-align:bottom;position:sticky;left:0;z-index:3;color:var(--mute)}
table.grid th.row{position:sticky;left:0;z-index:1;text-align:left;font-weight:600;background:#fff}
table.grid th.row .st{display:inline-block;margin-left:6px;padding:0 7px;border-radius:4px;background:#eef1f4;color:#424a53;font-weight:500;font-size:12px}
table.grid th.rep .sj{color:#8c959f;font-weight:500}
table.grid td{padding:0;border-right:2px solid #fff;border-bottom:2px solid #fff}
table.grid td.none{color:#b0b8c1;text-align:center;background:#fafbfc}
table.grid td.c a{display:block;min-width:104px;padding:8px 12px;text-align:center;color:inherit;text-decoration:none;font-weight:650;letter-spacing:.01em}
table.grid td.c a small{font-weight:500;margin-left:5px}
table.grid td.c a:hover,table.grid td.c a:focus-visible{filter:brightness(.93);outline:2px solid var(--link);outline-offset:-2px}
table.grid td.f{background-image:${STRIPES}}
table.grid td.u{box-shadow:inset 0 0 0 3px var(--bad);background-image:${CORNER}}
table.grid td.u.f{background-image:${CORNER},${STRIPES}}
table.grid td.sel{outline:3px solid var(--link);outline-offset:-3px}
.only-u table.grid td.c:not(.u){visibility:hidden}
.legend{margin:10px 0 0;color:var(--mute);font-size:12.5px;line-height:2}
.legend .key{display:inline-block;padding:0 8px;margin-left:10px;border-radius:4px;background:#eef1f4;color:#424a53}
.legend .u-key{box-shadow:inset 0 0 0 2px var(--bad);background-image:${CORNER}}
.legend .f-key{background-image:${STRIPES},linear-gradient(#d5dbe1,#d5dbe1)}
section.ev{content-visibility:auto;contain-intrinsic-size:auto 420px;border:1px solid var(--line);border-left:6px solid var(--vc,#999);border-radius:8px;padding:10px 16px 12px;margin:10px 0;background:#fff}
section.ev:target{outline:3px solid var(--link)}
section.ev header{margin-bottom:6px}
section.ev h3 .pill{margin-right:6px;vertical-align:1px}
section.ev .sum{margin:4px 0 0;color:#32383f}
section.ev .close{float:right;font-size:12px;margin-left:12px}
.judge{margin:8px 0;padding:6px 10px;border-radius:6px;background:var(--soft);border:1px solid var(--line)}
.judge.bad{background:#fff1f0;border-color:#ffcecb;color:#82071e}
.judge.ok{background:#effbf2;border-color:#b8e6c4;color:#135d2a}
.judge .why{color:var(--mute)}
ul.evl{margin:0;padding:0;list-style:none}
ul.evl li{padding:4px 0;border-bottom:1px dashed #e6e9ec;word-break:break-word}
ul.evl li:last-child{border-bottom:0}
.k{display:inline-block;font:11px/1.6 ui-monospace,SFMono-Regular,"DejaVu Sans Mono",monospace;background:#eef1f4;color:#424a53;border-radius:4px;padding:0 6px;margin-right:6px}
table.att td.num{text-align:right;font-variant-numeric:tabular-nums}
.js.has-open{padding-right:calc(min(700px,52vw) + 24px)}
.js section.ev.open{position:fixed;top:0;right:0;bottom:0;width:min(700px,52vw);margin:0;border-radius:0;overflow:auto;z-index:10;box-shadow:-10px 0 28px rgba(31,35,40,.22);outline:0;padding-top:14px}
.js section.ev.open .close{position:sticky;top:0;padding:3px 10px;border-radius:6px;background:#1f2328;color:#fff;text-decoration:none}
`;
