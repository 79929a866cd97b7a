/**
 * Verdict rules on real runs of the fixture workloads (tiny programs that each do one bad thing),
 * through the whole pipeline: subject -> host runner -> observation -> verdict.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runAttempt } from '../../harness/pipeline/run-attempt.ts';
import { HostRunner } from '../../harness/runners/host/host-runner.ts';
import { createStage } from '../../harness/stage.ts';
import { LabSubject } from '../../harness/subjects/lab.ts';
import { scenarioById } from '../../scenarios/index.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';

const stage = createStage({ repoRoot: REPO_ROOT });
const subject = new LabSubject('3.112.1', LAB_BUILD_DIR);

async function fixture(id: string) {
  await subject.prepare(stage);
  const scenario = scenarioById(id);
  return runAttempt({ subject, strategy: null, workload: scenario.workload, label: id, runAs: 'unprivileged', timeoutMs: scenario.timeoutMs, runner: new HostRunner(), stage, attempt: 1 });
}

describe.skipIf(skipLabTests)('verdicts of real fixture runs', () => {
  afterAll(() => stage.dispose());

  it('a workload that sleeps forever is a HANG naming the stuck process and the live intproxy', async () => {
    const a = await fixture('fixture-hang');
    expect(a.verdict.kind).toBe('HANG');
    expect(a.verdict.rule).toBe('timeout');
    const stuck = a.verdict.evidence.filter((e) => e.kind === 'stuck-process');
    expect(stuck.some((e) => e.kind === 'stuck-process' && e.comm === 'ruby')).toBe(true);
    expect(a.verdict.evidence).toContainEqual(expect.objectContaining({ kind: 'intproxy', state: 'running' }));
    expect(a.verdict.summary).toMatch(/timed out after 2\.\ds: ruby \(pid \d+\) stuck in/);
  });

  it('a workload that SIGKILLs itself is a CRASH', async () => {
    const a = await fixture('fixture-kill-self');
    expect(a.observation.signal).toBe('SIGKILL');
    expect(a.verdict).toMatchObject({ kind: 'CRASH', rule: 'signal' });
    expect(a.verdict.summary).toMatch(/killed by SIGKILL/);
  });

  it('a workload whose intproxy is killed mid-session is VANISHED', async () => {
    const a = await fixture('fixture-kill-intproxy');
    expect(a.verdict).toMatchObject({ kind: 'VANISHED', rule: 'intproxy-gone' });
    expect(a.verdict.evidence).toContainEqual(expect.objectContaining({ kind: 'intproxy', state: 'vanished' }));
    // The layer, like mirrord's, notices on its next request and kills its own process.
    expect(a.observation.events?.fatal[0]).toMatch(/lost the intproxy session/);
  });
});

afterAll(() => rmSync(stage.root, { recursive: true, force: true }));
