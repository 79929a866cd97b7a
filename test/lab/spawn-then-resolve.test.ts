/**
 * The acceptance table: spawn-then-resolve under each profile and strategy, run as
 * `nobody` in a loopback-only network namespace with this machine's Ruby. Assertions are on the
 * lab's events and the workload's report, not only on exit codes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, hookEvents, lookups, runUnderLab, type LabRun } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

const WORKLOAD = { ruby: 'spawn_then_resolve.rb', args: ['--children', '12', '--method', 'system'] };

function lookupSteps(run: LabRun, phase: string) {
  return run.report.filter((s) => s.step === 'lookup' && s.phase === phase);
}

function expectHealthy(run: LabRun) {
  expect(run.observation.harnessError).toBeUndefined();
  expect(run.observation.network).toBe('isolated');
  expect(run.observation.exitCode).toBe(0);
  const gai = lookups(run);
  expect(gai.length).toBe(3); // before, after, and Net::HTTP's own
  expect(gai.every((e) => !e.bypassed && e.remote === true)).toBe(true);
  expect(run.report.find((s) => s.step === 'http')).toMatchObject({ ok: true, status: 200 });
  expect(hookEvents(run, 'socket').some((e) => e.bypassed)).toBe(false);
  expect(hookEvents(run, 'connect').filter((e) => e.redirected === true).length).toBeGreaterThan(0);
}

function expectIntproxyExitedAfterWorkload(run: LabRun) {
  const exit = run.events.find((e) => e.src === 'intproxy' && e.event === 'exit');
  expect(exit?.reason).toBe('idle');
  const lastLayer = Math.max(...run.events.filter((e) => e.src === 'layer').map((e) => e.t_ns));
  expect(exit!.t_ns).toBeGreaterThan(lastLayer);
}

describe.skipIf(skipLabTests)('spawn-then-resolve under the lab', () => {
  afterAll(disposeLabStage);

  it.each(['3.111.0', '3.112.1'] as const)('%s: every lookup hooked, HTTP ok, exit 0, intproxy exits after the workload', async (profile) => {
    const run = await runUnderLab(profile, WORKLOAD, { lingerMs: 4000 });
    expectHealthy(run);
    expectIntproxyExitedAfterWorkload(run);
    const execs = hookEvents(run, 'execv');
    expect(execs.length).toBe(12);
    // 3.111.0 has no Linux exec hooks at all; 3.112.1 hooks exec without ever leaving a guard behind.
    expect(execs.every((e) => e.installed === (profile === '3.112.1') && e.guard_was_set === false)).toBe(true);
  });

  it.each(['normal', 'forget'] as const)('3.112.0 %s: lookups after spawning bypassed, Ruby fails to resolve, exit non-zero', async (strategy) => {
    const run = await runUnderLab('3.112.0', WORKLOAD, { strategy });
    expect(run.observation.exitCode).not.toBe(0);
    expect(run.observation.exitCode).not.toBeNull();
    const [before, after] = lookups(run);
    expect(before).toMatchObject({ bypassed: false, remote: true });
    expect(after).toMatchObject({ bypassed: true, guard_was_set: true, remote: false });
    // The bypass is on the thread that spawned: the workload's own main thread.
    expect(after!.tid).toBe(after!.pid);
    expect(lookupSteps(run, 'after')[0]).toMatchObject({ ok: false });
    expect(String(lookupSteps(run, 'after')[0]!.message)).toMatch(/Temporary failure in name resolution/);
    expect(run.observation.stderrTail).toMatch(/Temporary failure in name resolution/);
    // Fingerprint of the leak: from the 2nd child on, exec hooks in vfork children find the guard set.
    const execs = hookEvents(run, 'execv');
    expect(execs.length).toBe(12);
    expect(execs.every((e) => e.pid !== e.init_pid)).toBe(true);
    expect(execs[0]!.guard_was_set).toBe(false);
    expect(execs.slice(1).every((e) => e.guard_was_set === true)).toBe(true);
  });

  it('3.112.0 none: lookups stay hooked, then the process blocks on the socket table; intproxy stays up; nothing survives', async () => {
    const run = await runUnderLab('3.112.0', WORKLOAD, { strategy: 'none', timeoutMs: 4000 });
    const obs = run.observation;
    // The runner's deadlock watch stops it as soon as every workload thread sits in an untimed wait.
    expect(obs.deadlock).not.toBeNull();
    expect(obs.timedOut).toBe(false);
    expect(lookups(run).every((e) => !e.bypassed && e.remote)).toBe(true);
    expect(lookups(run).length).toBe(3);
    const ruby = obs.stuck.find((p) => p.comm === 'ruby');
    expect(ruby).toBeDefined();
    // Parked on the RwLock's futex inside the socket hook: the last thing the layer logged.
    expect(ruby!.syscallName).toBe('futex');
    const rubyEvents = run.events.filter((e) => e.src === 'layer' && e.pid === ruby!.nsPid);
    expect(rubyEvents.at(-1)).toMatchObject({ hook: 'socket', managed: true, bypassed: false });
    expect(obs.intproxyAliveAtEnd).toBe(true);
    expect(run.events.some((e) => e.src === 'intproxy' && e.event === 'exit')).toBe(false);
    expect(obs.harnessError).toBeUndefined(); // set when any process survived the namespace teardown
  });

  it.each([['3.111.0'], ['3.112.0', 'normal'], ['3.112.0', 'forget'], ['3.112.0', 'none'], ['3.112.1']] as const)(
    'as root %s %s: no bypass (Ruby forks)',
    async (profile, strategy?) => {
      const run = await runUnderLab(profile, WORKLOAD, { strategy, runAs: 'root' });
      expectHealthy(run);
      expect(run.events.some((e) => e.bypassed === true)).toBe(false);
      expect(hookEvents(run, 'execv').every((e) => e.guard_was_set === false)).toBe(true);
    },
  );
});
