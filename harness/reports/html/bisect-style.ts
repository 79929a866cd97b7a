/** The bisect page's look: the answer box, the range line with its dots and chips, the chart, the probe table. */
import { VERDICT_COLORS } from './style.ts';

const { PASS, BYPASSED, SKIP } = VERDICT_COLORS;

export const BISECT_CSS = `
h1 code{font-size:20px}
h1 .sub{font-weight:400;color:var(--mute);font-size:16px;margin-left:6px}
.answer{margin:12px 0 4px;padding:12px 16px;border-radius:8px;border:1px solid var(--line);background:var(--soft);max-width:1100px}
.answer p{margin:4px 0}
.answer .big{font-size:20px;font-weight:650}
.answer .big code{font-size:19px}
.answer .big span{font-size:15px;font-weight:400;color:var(--mute);margin-left:12px}
.answer.found{border-color:#ffcecb;background:#fff8f7}
.answer.broken{border-color:#d4a72c;background:#fff8c5}
.answer .warn{color:#7a3e00}
ol.range{list-style:none;display:flex;flex-wrap:nowrap;overflow-x:auto;margin:8px 0 0;padding:6px 0 8px}
ol.range li{position:relative;flex:none;display:flex;flex-direction:column;align-items:center;min-width:86px;padding:0 6px}
ol.range li::before{content:"";position:absolute;top:11px;left:0;right:0;border-top:2px solid #d1d9e0;z-index:0}
ol.range li:first-child::before{left:50%}
ol.range li:last-child::before{right:50%}
ol.range .dot,.legend .dot{display:inline-block;box-sizing:border-box;width:20px;height:20px;border-radius:50%;border:2px solid #8c959f;background:#fff;position:relative;z-index:1}
.range .k-good .dot,.legend .dot.k-good{background:${PASS.solid};border-color:${PASS.solid}}
.range .k-bad .dot,.legend .dot.k-bad{background:${BYPASSED.solid};border-color:${BYPASSED.solid}}
.range .k-skip .dot,.legend .dot.k-skip{background:repeating-linear-gradient(135deg,${SKIP.solid} 0 3px,#fff 3px 6px);border-color:${SKIP.solid}}
ol.range li.culprit .dot,.legend .ring{box-shadow:0 0 0 3px #fff,0 0 0 6px #1f2328}
ol.range li.maybe .dot{box-shadow:0 0 0 3px #fff,0 0 0 5px #d4a72c}
.legend .ring{display:inline-block;width:12px;height:12px;border-radius:50%;margin:0 10px 0 16px;vertical-align:-1px}
ol.range .name{margin-top:6px;font-weight:600}
ol.range .tag{font-size:11px;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
ol.range li.culprit .tag{color:#1f2328;font-weight:700}
ol.range .chips{display:flex;flex-wrap:wrap;justify-content:center;gap:3px;margin-top:5px;max-width:150px}
.chip{display:inline-block;min-width:20px;padding:0 4px;border-radius:4px;font-size:11px;font-weight:600;line-height:18px;text-align:center;text-decoration:none}
.chip:hover{outline:2px solid var(--link)}
ol.range li.gap{justify-content:flex-start;color:var(--mute);font-size:12px;padding-top:27px;min-width:110px}
ol.range li.gap::before{border-top-style:dashed}
.legend{color:var(--mute);font-size:12.5px;margin:12px 0 0}
.legend .dot{width:12px;height:12px;vertical-align:-1px;margin:0 3px 0 10px}
.legend .dot:first-child{margin-left:0}
.chartwrap{overflow-x:auto}
svg.chart{display:block;margin:4px 0}
svg.chart text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",sans-serif;fill:#59636e}
svg.chart text.cl{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",monospace;font-size:10.5px}
table.probes{width:100%;max-width:1300px}
table.probes td.num{text-align:right;font-variant-numeric:tabular-nums}
table.probes td.out{color:var(--mute)}
table.probes td.t{white-space:nowrap;color:var(--mute);font-size:12px}
table.probes tr:target{outline:3px solid var(--link)}
table.probes details summary{cursor:pointer}
table.probes ul.evl{margin:6px 0 2px;padding-left:18px;list-style:disc}
table.probes ul.evl li{padding:1px 0}
ul.skipped{padding-left:18px}
`;
