/**
 * How much the lab adds: spawn-then-resolve under `mirrord-lab exec --profile 3.112.1` vs the same
 * Ruby workload run bare, both as `nobody` in a loopback-only namespace, interleaved, medians.
 * (Bare, cluster lookups fail fast and HTTP is skipped by the failure; under the lab they succeed.)
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSandbox } from '../runners/host/sandbox.ts';
import { HostRunner } from '../runners/host/host-runner.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../cli/context.ts';
import { createStage } from '../stage.ts';
import { LabSubject } from '../subjects/lab.ts';
import { fmt, median, timeCommand } from './measure.ts';

export async function benchLabOverhead(runs = 15): Promise<{ bare: number; lab: number; ratio: number }> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  chmodSync(dir, 0o777);
  try {
    const subject = new LabSubject('3.112.1', LAB_BUILD_DIR);
    await subject.prepare(stage);
    const runner = new HostRunner();
    const layout = runner.layout(stage);
    const workload = ['ruby', join(stage.rubyDir, 'spawn_then_resolve.rb'), '--children', '20'];
    const sandbox = (argv: string[]) =>
      planSandbox(argv, { runAs: 'unprivileged', unprivilegedUser: 'nobody', unprivilegedGroup: 'nogroup', harnessIsRoot: process.getuid?.() === 0, harnessUser: 'bench' }).argv;
    const bare = sandbox(workload);
    const lab = sandbox(subject.wrap(workload, { strategy: null, labCli: layout.labCli, eventsPath: join(dir, 'events.jsonl'), dir }).argv);
    const env = { TMPDIR: dir, MIRRORD_LAB_EVENTS: join(dir, 'events.jsonl') };
    const bareMs: number[] = [];
    const labMs: number[] = [];
    await timeCommand(lab, env); // warm caches
    for (let i = 0; i < runs; i++) {
      bareMs.push((await timeCommand(bare, env)).ms);
      labMs.push((await timeCommand(lab, env)).ms);
    }
    return { bare: median(bareMs), lab: median(labMs), ratio: median(labMs) / median(bareMs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    stage.dispose();
  }
}

