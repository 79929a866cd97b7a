/**
 * Resume: a search stopped mid-way (the probe throws, as a killed process would stop) and a torn
 * line in the state file, then the same search again with the file's records as priors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bisect } from '../../harness/bisect/search.ts';
import { bisectFlaky } from '../../harness/bisect/flaky.ts';
import { appendProbe, loadProbes } from '../../harness/bisect/state.ts';
import type { Probe, ProbeOutcome } from '../../harness/bisect/outcome.ts';
import { at, ids, regression } from './world.ts';
import { mulberry32 } from './mulberry32.ts';

/** Passes the first `k` calls through, then throws: the session "crashes". */
function crashingAfter(k: number, probe: Probe): Probe {
  let calls = 0;
  return async (id) => {
    if (++calls > k) throw new Error('crash');
    return probe(id);
  };
}

describe('bisect resume from the state file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bisect-resume-'));
    path = join(dir, 'bisect.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deterministic: same answer, nothing with a good/bad record probed again', async () => {
    const n = 100;
    const culprit = 37;
    const fresh = regression(culprit);
    const reference = await bisect({ candidates: ids(n), good: 0, bad: n - 1, probe: fresh.probe });
    expect(fresh.calls.length).toBeGreaterThan(6);

    const half = Math.floor(fresh.calls.length / 2);
    const first = regression(culprit);
    const onRecord = (r: Parameters<typeof appendProbe>[1]) => appendProbe(path, r);
    await expect(bisect({ candidates: ids(n), good: 0, bad: n - 1, probe: crashingAfter(half, first.probe), onRecord })).rejects.toThrow('crash');
    appendFileSync(path, '{"candidate":"c50","outcome":"b');

    const priors = loadProbes(path);
    expect(priors.map((p) => p.candidate)).toEqual(first.calls.slice(0, half));
    const second = regression(culprit);
    const resumed = await bisect({ candidates: ids(n), good: 0, bad: n - 1, probe: second.probe, priors, onRecord });

    expect(resumed).toMatchObject({ kind: 'found', firstBad: `c${culprit}`, lastGood: `c${culprit - 1}` });
    expect({ ...resumed, probes: [] }).toEqual({ ...reference, probes: [] });
    const settled = priors.filter((p) => p.outcome !== 'skip').map((p) => p.candidate);
    expect(second.calls.filter((id) => settled.includes(id))).toEqual([]);
    expect([...priors.map((p) => p.candidate), ...second.calls]).toEqual(fresh.calls);
    expect(loadProbes(path)).toHaveLength(fresh.calls.length);
  });

  it('flaky: prior observations are data, so the resumed search ends where an uninterrupted one does', async () => {
    const n = 32;
    const culprit = 11;
    // Each candidate's k-th probe has a fixed answer, so both sessions see the same world.
    const rng = mulberry32(42);
    const answers = ids(n).map((_, i) => Array.from({ length: 200 }, (): ProbeOutcome => (i >= culprit && rng() < 0.7 ? 'bad' : 'good')));
    const replay = () => {
      const seen = new Map<string, number>();
      const calls: string[] = [];
      const probe: Probe = async (id) => {
        calls.push(id);
        const k = seen.get(id) ?? 0;
        seen.set(id, k + 1);
        return answers[at(id)]![k]!;
      };
      return { calls, probe, seen };
    };

    const fresh = replay();
    const reference = await bisectFlaky({ candidates: ids(n), good: 0, bad: n - 1, probe: fresh.probe });
    expect(reference).toMatchObject({ kind: 'found', firstBad: `c${culprit}` });

    const world = replay();
    const half = Math.floor(fresh.calls.length / 2);
    const onRecord = (r: Parameters<typeof appendProbe>[1]) => appendProbe(path, r);
    await expect(bisectFlaky({ candidates: ids(n), good: 0, bad: n - 1, probe: crashingAfter(half, world.probe), onRecord })).rejects.toThrow('crash');
    appendFileSync(path, '{"candid');
    const priors = loadProbes(path);
    const resumed = await bisectFlaky({ candidates: ids(n), good: 0, bad: n - 1, probe: world.probe, priors, onRecord });

    expect({ ...resumed, probes: [], runs: 0 }).toEqual({ ...reference, probes: [], runs: 0 });
    // The good endpoint was checked before the crash: not again.
    expect(world.calls.filter((id) => id === 'c0')).toHaveLength(1);
    // The crashing call never reached the world, so its calls are both sessions back to back.
    expect(world.calls).toEqual(fresh.calls);
    expect(loadProbes(path).map((p) => `${p.candidate}#${p.attempt}`)).toEqual(
      fresh.calls.map((id, i) => `${id}#${fresh.calls.slice(0, i + 1).filter((c) => c === id).length}`),
    );
  });
});
