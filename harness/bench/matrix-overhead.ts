/**
 * The harness's cost: wall time of the default matrix through `mirrord-regress matrix` vs the same
 * subject commands run directly (same sandbox wrapper, same 2-way parallelism, same timeouts, a
 * plain kill at the timeout, no evidence, no reports). And the time from a hang's timeout to its
 * verdict with every process gone.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { defaultScenarios } from '../../scenarios/index.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../cli/context.ts';
import { planMatrix } from '../matrix/plan.ts';
import { workloadArgv } from '../pipeline/run-attempt.ts';
import { HostRunner } from '../runners/host/host-runner.ts';
import { planSandbox } from '../runners/host/sandbox.ts';
import { createStage } from '../stage.ts';
import { DEFAULT_SUBJECTS, resolveSubject } from '../subjects/registry.ts';
import { STRATEGIES } from '../model/result.ts';
import { fmt, median } from './measure.ts';

const BIN = join(REPO_ROOT, 'bin', 'mirrord-regress.js');

async function harnessOnce(out: string): Promise<number> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [BIN, 'matrix', '--jobs', '2', '--out', out], { reject: false });
  if (r.exitCode !== 0) throw new Error(`matrix exited ${r.exitCode}: ${r.stderr.split('\n').pop()}`);
  return performance.now() - t0;
}

async function directOnce(): Promise<number> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const runner = new HostRunner();
  const layout = runner.layout(stage);
  const subjects = DEFAULT_SUBJECTS.map((id) => resolveSubject(id, { labBuildDir: LAB_BUILD_DIR }));
  for (const s of subjects) await s.prepare(stage);
  const cells = planMatrix({ subjects, strategies: [...STRATEGIES], scenarios: defaultScenarios(), runners: ['host'] });
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const cell = cells[next++]!;
      const dir = join(stage.root, 'direct', String(next));
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      const { argv, env } = cell.subject.wrap(workloadArgv(cell.scenario.workload, layout), { strategy: cell.key.strategy, labCli: layout.labCli, eventsPath: join(dir, 'e.jsonl'), dir });
      const sandboxed = planSandbox(argv, { runAs: cell.key.runAs, unprivilegedUser: 'nobody', unprivilegedGroup: 'nogroup', harnessIsRoot: true, harnessUser: 'root' }).argv;
      await execa(sandboxed[0]!, sandboxed.slice(1), { reject: false, timeout: cell.scenario.timeoutMs, killSignal: 'SIGKILL', env: { ...env, TMPDIR: dir, MIRRORD_REGRESS_REPORT: join(dir, 'r.jsonl') } });
    }
  };
  await Promise.all([worker(), worker()]);
  const ms = performance.now() - t0;
  stage.dispose();
  return ms;
}

/** Time from the timeout firing to run() returning, with the namespace verified empty. */
async function hangToVerdict(): Promise<number> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const runner = new HostRunner();
  const layout = runner.layout(stage);
  const subject = resolveSubject('lab@3.112.0', { labBuildDir: LAB_BUILD_DIR });
  await subject.prepare(stage);
  const dir = stage.attemptDir('hang');
  const timeoutMs = 1500;
  const { argv, env } = subject.wrap(workloadArgv({ ruby: 'spawn_then_resolve.rb', args: ['--children', '5'] }, layout), { strategy: 'none', labCli: layout.labCli, eventsPath: join(dir, 'events.jsonl'), dir });
  const t0 = performance.now();
  const obs = await runner.run({ argv, env, runAs: 'unprivileged', timeoutMs, lingerMs: 0, dir, eventsPath: join(dir, 'events.jsonl'), reportPath: join(dir, 'report.jsonl') });
  const after = performance.now() - t0 - timeoutMs;
  stage.dispose();
  if (!obs.timedOut || obs.harnessError) throw new Error(`expected a clean timeout, got ${obs.harnessError ?? 'no timeout'}`);
  return after;
}

export async function benchMatrixOverhead(rounds = 3): Promise<void> {
  const outBase = mkdtempSync(join(tmpdir(), 'bench-matrix-'));
  try {
    const harness: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < rounds; i++) {
      direct.push(await directOnce());
      harness.push(await harnessOnce(join(outBase, String(i))));
    }
    const h = median(harness);
    const d = median(direct);
    console.log(`default matrix (30 cells, jobs 2, median of ${rounds}): harness ${fmt(h)}, direct ${fmt(d)}, ratio ${(h / d).toFixed(3)}x (goal <= 1.15x)`);
    const hangs: number[] = [];
    for (let i = 0; i < 5; i++) hangs.push(await hangToVerdict());
    console.log(`hang: timeout -> verdict with every process gone, median of 5: ${fmt(median(hangs))} (max ${fmt(Math.max(...hangs))}; goal < 1000 ms)`);
  } finally {
    rmSync(outBase, { recursive: true, force: true });
  }
}
