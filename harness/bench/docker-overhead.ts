/**
 * The docker runner's cost per run: wall time of a DockerRunner attempt (docker exec, cleanup,
 * evidence read-back) minus the same wrapped workload timed inside the container itself.
 */
import { join } from 'node:path';
import { imageFor } from '../images/catalog.ts';
import { DockerRunner } from '../runners/docker/docker-runner.ts';
import { workloadArgv } from '../pipeline/run-attempt.ts';
import { createStage } from '../stage.ts';
import { LabSubject } from '../subjects/lab.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../cli/context.ts';
import { fmt, median } from './measure.ts';

export async function benchDockerOverhead(runs = 15): Promise<void> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  const runner = new DockerRunner(await imageFor('lab', { ruby: '3.1' }), 'docker:ruby3.1', stage.root);
  try {
    const layout = runner.layout(stage);
    const subject = new LabSubject('3.112.1', LAB_BUILD_DIR);
    const attempts: number[] = [];
    const inside: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const dir = stage.attemptDir('bench');
      const { argv, env } = subject.wrap(workloadArgv({ ruby: 'spawn_then_resolve.rb', args: ['--children', '20'] }, layout), { strategy: null, labCli: layout.labCli, eventsPath: layout.mapPath(join(dir, 'e.jsonl')), dir: layout.mapPath(dir) });
      // The same command, timed by the container's own clock around the workload alone.
      const timed = ['sh', '-c', 's=$(date +%s%N); "$@"; e=$(date +%s%N); echo "BENCH_NS $((e - s))" >&2', 'bench', ...argv];
      const t0 = performance.now();
      const obs = await runner.run({ argv: timed, env, runAs: 'unprivileged', timeoutMs: 10_000, lingerMs: 0, dir, eventsPath: join(dir, 'e.jsonl'), reportPath: join(dir, 'r.jsonl') });
      const wall = performance.now() - t0;
      const ns = Number(/BENCH_NS (\d+)/.exec(obs.stderrTail)?.[1]);
      if (i === 0 || !ns) continue; // the first run starts the container
      attempts.push(wall);
      inside.push(ns / 1e6);
    }
    const a = median(attempts);
    const b = median(inside);
    console.log(`docker runner per run (spawn-then-resolve under lab@3.112.1, median of ${runs}): attempt ${fmt(a)}, workload inside the container ${fmt(b)}, overhead ${fmt(a - b)} (goal <= 150 ms), ratio ${(a / b).toFixed(2)}x`);
  } finally {
    await runner.dispose();
    stage.dispose();
  }
}
