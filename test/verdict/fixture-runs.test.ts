/**
 * Verdict rules on real runs of the fixture workloads (tiny programs that each do one bad thing),
 * through the whole pipeline: subject -> host runner (and its deadlock watch) -> observation -> verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAttempt } from '../../harness/pipeline/run-attempt.ts';
import { HostRunner } from '../../harness/runners/host/host-runner.ts';
import { createStage, type Stage } from '../../harness/stage.ts';
import { LabSubject } from '../../harness/subjects/lab.ts';
import { scenarioById } from '../../scenarios/index.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';

const subject = new LabSubject('3.112.1', LAB_BUILD_DIR);

describe.skipIf(skipLabTests)('verdicts of real fixture runs', () => {
  let stage: Stage;
  beforeAll(async () => {
    stage = createStage({ repoRoot: REPO_ROOT });
    await subject.prepare(stage);
  });
  afterAll(() => stage?.dispose());

  const fixture = (id: string, timeoutMs?: number) => {
    const scenario = scenarioById(id);
    return runAttempt({ subject, strategy: null, workload: scenario.workload, label: id, runAs: 'unprivileged', timeoutMs: timeoutMs ?? scenario.timeoutMs, runner: new HostRunner(), stage, attempt: 1 });
  };

  it('a workload waiting for a lock it holds is a HANG called long before the timeout, with /proc evidence', async () => {
    const a = await fixture('fixture-deadlock', 20_000);
    expect(a.verdict).toMatchObject({ kind: 'HANG', rule: 'deadlock' });
    expect(a.observation.timedOut).toBe(false);
    expect(a.observation.durationMs).toBeLessThan(5_000);
    expect(a.verdict.summary).toMatch(/^deadlocked after \d\.\ds: ruby \(pid \d+\) in flock \(73\), wchan locks_lock_inode_wait, last layer event: hook freeaddrinfo; intproxy \d+ still running with 1 open session$/);
    const helpers = a.verdict.evidence.filter((e) => e.kind === 'stuck-process' && e.helper);
    expect(helpers.length).toBeGreaterThan(0); // the intproxy was seen, and not counted as the workload
  });

  it('MIRRORD_REGRESS_DEADLOCK_WATCH=off (the bench\'s old-behaviour baseline): the same deadlock waits for its timeout', async () => {
    process.env.MIRRORD_REGRESS_DEADLOCK_WATCH = 'off';
    try {
      const a = await fixture('fixture-deadlock', 2_000);
      expect(a.observation.timedOut).toBe(true);
      expect(a.observation.durationMs).toBeGreaterThanOrEqual(2_000);
      expect(a.observation.deadlock).toBeNull();
    } finally {
      delete process.env.MIRRORD_REGRESS_DEADLOCK_WATCH;
    }
  });

  it('a workload asleep in poll is a TIMEOUT, not a HANG, and says why', async () => {
    const a = await fixture('fixture-sleep-forever');
    expect(a.verdict).toMatchObject({ kind: 'TIMEOUT', rule: 'timeout' });
    expect(a.observation.notDeadlocked).toMatch(/^ruby \(pid \d+\) tid \d+ is waiting on I\/O in syscall 271/);
    expect(a.verdict.evidence).toContainEqual(expect.objectContaining({ kind: 'intproxy', state: 'running' }));
  });

  it('threads that wait on a busy thread, and a parent waiting for a sleeping child, are not deadlocked', async () => {
    const a = await fixture('fixture-wait-busy');
    expect(a.verdict.kind).toBe('PASS');
    expect(a.observation.report.map((s) => [s.step, s.ok])).toEqual([['queue', true], ['wait-child', true], ['lookup', true]]);
  });

  it('a workload that SIGKILLs itself, with no fatal event from the layer, is a CRASH', async () => {
    const a = await fixture('fixture-kill-self');
    expect(a.observation.signal).toBe('SIGKILL');
    expect(a.verdict).toMatchObject({ kind: 'CRASH', rule: 'signal' });
  });

  it('a workload whose intproxy is killed mid-session is VANISHED', async () => {
    const a = await fixture('fixture-kill-intproxy');
    expect(a.verdict).toMatchObject({ kind: 'VANISHED', rule: 'intproxy-gone' });
    expect(a.verdict.evidence).toContainEqual(expect.objectContaining({ kind: 'intproxy', state: 'vanished' }));
    // The layer, like mirrord's, notices on its next request and kills its own process.
    expect(a.observation.events?.fatal[0]).toMatch(/lost the intproxy session/);
  });
});
