/**
 * The harness's cost, on the lab's all-in-one exec (lab-exec@X, no cluster): wall time of the default matrix through `mirrord-regress matrix` vs the same
 * subject commands run directly (same sandbox wrapper, same 2-way parallelism, same timeouts, a
 * plain kill at the timeout, no evidence, no reports); the same matrix with the deadlock watch off
 * (the old behaviour: every HANG waits for its timeout); and the time from a deadlock (the
 * workload's last layer event) to its HANG verdict with every process gone.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
/** The lab's all-in-one exec: the same commands can be run directly, without the cluster (cluster-overhead.ts measures that). */
const EXEC_SUBJECTS = DEFAULT_SUBJECTS.map((id) => id.replace(/^lab@/, 'lab-exec@'));

async function harnessOnce(out: string, watch: 'on' | 'off' = 'on'): Promise<number> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [BIN, 'matrix', '--subjects', EXEC_SUBJECTS.join(','), '--jobs', '2', '--out', out], { reject: false, env: { MIRRORD_REGRESS_DEADLOCK_WATCH: watch } });
  // Watch off, the HANG cells end as TIMEOUTs (exit 1, unexpected): only their wall time counts here.
  const ok = watch === 'on' ? [0] : [0, 1];
  if (!ok.includes(r.exitCode ?? -1)) throw new Error(`matrix exited ${r.exitCode}: ${r.stderr.split('\n').pop()}`);
  return performance.now() - t0;
}

async function directOnce(): Promise<number> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const runner = new HostRunner();
  const layout = runner.layout(stage);
  const subjects = EXEC_SUBJECTS.map((id) => resolveSubject(id, { labBuildDir: LAB_BUILD_DIR }));
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

/** The workload's last layer event (wall clock, ms): the moment the deadlock formed. */
function lastLayerEventMs(eventsPath: string): number {
  const lines = readFileSync(eventsPath, 'utf8').split('\n').filter((l) => l.includes('"src":"layer"'));
  const last = JSON.parse(lines.at(-1)!) as { t_ns: number };
  return last.t_ns / 1e6;
}

/** Time from the deadlock (the last layer event) to run() returning a HANG, the namespace verified empty. */
async function deadlockToVerdict(): Promise<number> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const runner = new HostRunner();
  const layout = runner.layout(stage);
  const subject = resolveSubject('lab-exec@3.112.0', { labBuildDir: LAB_BUILD_DIR });
  await subject.prepare(stage);
  const dir = stage.attemptDir('hang');
  const eventsPath = join(dir, 'events.jsonl');
  // Far beyond the deadlock: a verdict this side of it came from the watch, not the timer.
  const timeoutMs = 20_000;
  const { argv, env } = subject.wrap(workloadArgv({ ruby: 'spawn_then_resolve.rb', args: ['--children', '5'] }, layout), { strategy: 'none', labCli: layout.labCli, eventsPath: layout.mapPath(eventsPath), dir });
  const obs = await runner.run({ argv, env, runAs: 'unprivileged', timeoutMs, lingerMs: 0, dir, eventsPath, reportPath: join(dir, 'report.jsonl') });
  const returnedAt = Date.now();
  const since = returnedAt - lastLayerEventMs(eventsPath);
  stage.dispose();
  if (!obs.deadlock || obs.timedOut || obs.harnessError) throw new Error(`expected a deadlock, got ${obs.harnessError ?? (obs.timedOut ? 'a timeout' : 'no deadlock')}`);
  return since;
}

export async function benchMatrixOverhead(rounds = 3): Promise<void> {
  const outBase = mkdtempSync(join(tmpdir(), 'bench-matrix-'));
  try {
    const harness: number[] = [];
    const old: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < rounds; i++) {
      direct.push(await directOnce());
      harness.push(await harnessOnce(join(outBase, `new-${i}`)));
      old.push(await harnessOnce(join(outBase, `old-${i}`), 'off'));
    }
    const h = median(harness);
    const o = median(old);
    const d = median(direct);
    console.log(`default matrix (30 cells, jobs 2, median of ${rounds}): harness ${fmt(h)}, direct (kill at timeout) ${fmt(d)}, ratio ${(h / d).toFixed(3)}x (goal <= 1.15x)`);
    console.log(`default matrix, deadlock watch on vs off (old: every HANG waits for its timeout): ${fmt(h)} vs ${fmt(o)}, ratio ${(h / o).toFixed(3)}x`);

  } finally {
    rmSync(outBase, { recursive: true, force: true });
  }
}

export async function benchDeadlock(rounds = 9): Promise<void> {
  const hangs: number[] = [];
  for (let i = 0; i < rounds; i++) hangs.push(await deadlockToVerdict());
  const sorted = [...hangs].sort((a, b) => a - b);
  console.log(`hang: deadlock (last layer event) -> HANG verdict, every process gone, median of ${rounds}: ${fmt(median(hangs))} (min ${fmt(sorted[0]!)}, max ${fmt(sorted.at(-1)!)}; goal <= 300 ms)`);
}
