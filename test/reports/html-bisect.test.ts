/**
 * report.html of a bisect session, written by SessionDir next to result.json (and alone when the
 * session is interrupted), from sessions the real search engines ran on simulated probes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tmpPkg from 'tmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { posteriorHistory } from '../../harness/bisect/posterior-history.ts';
import { COMMITS, CULPRIT, UNBUILDABLE, simulateSession, type SimulatedSession } from './support/bisect-session.ts';

const EVIL = '</pre><script>window.__pwned = 1</script><img src=x onerror=alert(1)>';
const text = (s: string) => s.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
const short = (sha: string) => sha.slice(0, 12);

let tmp = '';
let removeTmp = () => {};
let flaky: SimulatedSession;
let deterministic: SimulatedSession;
let stopped: SimulatedSession;
const page = (s: SimulatedSession) => readFileSync(join(s.dir, 'report.html'), 'utf8');

beforeAll(async () => {
  const t = tmpPkg.dirSync({ prefix: 'html-bisect-', unsafeCleanup: true });
  [tmp, removeTmp] = [t.name, t.removeCallback];
  flaky = await simulateSession(join(tmp, 'flaky'), { flaky: true, stderr: EVIL });
  deterministic = await simulateSession(join(tmp, 'det'), { flaky: false });
  stopped = await simulateSession(join(tmp, 'stopped'), { flaky: true, stopAfter: 5 });
});
afterAll(() => removeTmp());

describe('bisect report.html', () => {
  it('the answer: culprit, the other side, the confidence and why the search stopped', () => {
    const r = flaky.result.result;
    if (r.kind !== 'found' || !('confidence' in r)) throw new Error('expected a flaky answer');
    expect(r.firstBad).toBe(COMMITS[CULPRIT]);
    const answer = text(page(flaky).match(/<div class="answer found">[\s\S]*?<\/div>/)![0]);
    expect(answer).toContain(`first bad: ${short(COMMITS[CULPRIT]!)} last good: ${short(COMMITS[CULPRIT - 1]!)}`);
    expect(answer).toContain(`confidence ${(r.confidence * 100).toFixed(1)}% (target 95.0%)`);
    expect(answer).toContain(`${r.runs} probes this session, stopped at the target confidence`);
  });

  it('the range as a line: one entry per candidate (long unprobed stretches folded), each probe a chip on its candidate', () => {
    const p = page(deterministic);
    const items = [...p.matchAll(/<li class="(cand|gap)[^"]*"/g)];
    const cands = [...p.matchAll(/<li class="cand ([^"]*)" title="([0-9a-f]{40}):/g)].map((m) => ({ classes: m[1]!, sha: m[2]! }));
    const gap = p.match(/<li class="gap"[^>]*>… (\d+) not probed …<\/li>/);
    expect(cands.length + Number(gap?.[1] ?? 0)).toBe(COMMITS.length);
    expect(items.length).toBe(cands.length + (gap ? 1 : 0));
    const chips = [...p.matchAll(/<a class="chip v-(\w+)" href="#p(\d+)"/g)].map((m) => Number(m[2]));
    expect(chips.sort((a, b) => a - b)).toEqual(deterministic.result.probes.map((_, i) => i + 1));
    expect(cands.find((c) => c.sha === COMMITS[CULPRIT])!.classes).toBe('k-bad culprit');
    expect(cands.find((c) => c.sha === COMMITS[UNBUILDABLE])!.classes).toBe('k-skip');
    expect(cands[0]!.classes).toBe('k-good');
  });

  it('every probe is a row with its verdict and the evidence from probes.log; skipped builds say why', () => {
    const p = page(deterministic);
    const rows = [...p.matchAll(/<tr id="p(\d+)" class="o-(\w+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => r[2])).toEqual(deterministic.result.probes.map((r) => r.outcome));
    const skipped = text(p.match(/<ul class="skipped">[\s\S]*?<\/ul>/)![0]);
    expect(skipped).toBe(`${short(COMMITS[UNBUILDABLE]!)} build failed: error[E0425]: cannot find value \`MAX_ENV\` in this scope`);
    expect(text(rows.find((r) => r[2] === 'bad')![3]!)).toContain('getaddrinfo bypassed 2x on tid 3 (pid 3) for db.default.svc.cluster.local');
  });

  it('the deterministic search has no posterior chart; the flaky one has a row per probe, the culprit outlined', () => {
    expect(page(deterministic)).not.toContain('<svg');
    const svg = page(flaky).match(/<svg class="chart"[\s\S]*?<\/svg>/)![0];
    expect(svg.match(/<g>/g)).toHaveLength(flaky.result.probes.length);
    expect(svg.match(/<circle /g)).toHaveLength(flaky.result.probes.length);
    expect(svg).toContain('stroke="#cf222e"');
  });

  it('the Reproduce with line is the one the CLI prints (a worktree of the culprit, its build, a run of what it built)', () => {
    expect(text(page(flaky).match(/<pre class="cmd">[\s\S]*?<\/pre>/)![0])).toBe(
      `git -C /src/lab-src worktree add /tmp/culprit ${short(COMMITS[CULPRIT]!)} && (cd /tmp/culprit && cargo build --release) && npx mirrord-regress run --subject lab@3.112.1 --lab-build /tmp/culprit/target/release --scenario spawn-random-thread`,
    );
  });

  it('escapes what workloads wrote, and has no script at all', () => {
    const p = page(flaky);
    expect(p).not.toMatch(/<script|<img/);
    expect(p).toContain('&lt;/pre&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(p).toContain("script-src &#39;none&#39;");
  });

  it('an interrupted session gets a report too: its probes so far, the posterior so far, and how to continue', () => {
    const p = page(stopped);
    expect(text(p)).toContain(`No answer yet The session stopped after 5 probes (interrupted). Continue it with: npx mirrord-regress bisect --resume --out ${stopped.dir}`);
    expect(p.match(/<tr id="p\d+"/g)).toHaveLength(5);
    expect(p).toContain('<svg class="chart"');
    expect(p).not.toContain('Reproduce with');
  });
});

describe('posteriorHistory', () => {
  it("ends where the flaky search ended: its last step's leading mass is the reported confidence", () => {
    const r = flaky.result.result;
    if (r.kind !== 'found' || !('confidence' in r)) throw new Error('expected a flaky answer');
    const steps = posteriorHistory(COMMITS, 0, COMMITS.length - 1, flaky.result.probes);
    expect(steps).toHaveLength(flaky.result.probes.length);
    const last = steps.at(-1)!.mass;
    expect(last.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.max(...last)).toBeCloseTo(r.confidence, 12);
    expect(last.indexOf(Math.max(...last))).toBe(CULPRIT - 1);
  });

  it('starts uniform: the known-good endpoint is no position, and a skip teaches nothing', () => {
    const records = [
      { candidate: COMMITS[0]!, outcome: 'good' as const, verdict: 'PASS' as const, attempt: 1, t: '' },
      { candidate: COMMITS[3]!, outcome: 'skip' as const, verdict: null, attempt: 1, t: '' },
    ];
    for (const step of posteriorHistory(COMMITS, 0, COMMITS.length - 1, records)) {
      for (const m of step.mass) expect(m).toBeCloseTo(1 / (COMMITS.length - 1), 12);
    }
  });
});
