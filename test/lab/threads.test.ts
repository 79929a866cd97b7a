/** The leak is per thread: only the thread that spawned loses its hooks. */
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, lookups, runUnderLab } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

describe.skipIf(skipLabTests)('spawning from a thread under 3.112.0 normal', () => {
  afterAll(disposeLabStage);

  it('bypasses lookups on the spawning thread only', async () => {
    const run = await runUnderLab('3.112.0', { ruby: 'spawn_threads.rb', args: ['--children', '8'] }, { strategy: 'normal' });
    const byThread = new Map(run.report.filter((s) => s.step === 'lookup').map((s) => [`${s.thread}/${s.phase}`, s]));
    const spawnerTid = byThread.get('spawner/before')!.tid;
    expect(byThread.get('spawner/before')).toMatchObject({ ok: true });
    expect(byThread.get('spawner/after')).toMatchObject({ ok: false });
    expect(byThread.get('fresh/after')).toMatchObject({ ok: true });
    expect(byThread.get('main/after')).toMatchObject({ ok: true });
    expect(byThread.get('fresh/after')!.tid).not.toBe(spawnerTid);

    const bypassed = lookups(run).filter((e) => e.bypassed);
    expect(bypassed.length).toBe(1);
    expect(bypassed.every((e) => e.tid === spawnerTid)).toBe(true);
    expect(lookups(run).filter((e) => !e.bypassed).every((e) => e.tid !== spawnerTid || e.t_ns < bypassed[0]!.t_ns)).toBe(true);
    expect(run.observation.exitCode).toBe(1);
  });
});
