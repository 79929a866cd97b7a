/**
 * The cluster topology's cost: how long the cluster takes to come up (once per run), how long one
 * attempt's agent pod takes to be ready, and the default matrix's per-cell wall time through the cluster
 * (lab@X) against the lab's all-in-one exec (lab-exec@X), same machine, same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Cluster } from '../cluster/cluster.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../cli/context.ts';
import { createStage } from '../stage.ts';
import { labRelease } from '../subjects/lab-release.ts';
import { fmt, median } from './measure.ts';

const BIN = join(REPO_ROOT, 'bin', 'mirrord-regress.js');

async function matrixMs(subjects: string[], out: string): Promise<number> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [BIN, 'matrix', '--subjects', subjects.join(','), '--jobs', '2', '--out', out], { reject: false });
  if (r.exitCode !== 0) throw new Error(`matrix exited ${r.exitCode}: ${r.stderr.split('\n').pop()}`);
  return performance.now() - t0;
}

export async function benchClusterOverhead(rounds = 3): Promise<void> {
  const stage = createStage({ repoRoot: REPO_ROOT });
  try {
    const starts: number[] = [];
    const pods: number[] = [];
    const subject = labRelease('3.112.1', LAB_BUILD_DIR);
    await subject.prepare(stage);
    for (let i = 0; i < 5; i++) {
      const cluster = await Cluster.start({ dir: join(stage.root, `cluster-${i}`) });
      starts.push(cluster.startMs);
      for (let j = 0; j < 4; j++) {
        const t0 = performance.now();
        const pod = await cluster.startPod(subject.agentCommand());
        pods.push(performance.now() - t0);
        await pod.stop();
      }
      await cluster.dispose();
    }
    console.log(`cluster: node up (kube-dns + service) median of ${starts.length}: ${fmt(median(starts))}; an attempt's agent pod ready, median of ${pods.length}: ${fmt(median(pods))}`);
  } finally {
    stage.dispose();
  }
  const out = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  try {
    const exec: number[] = [];
    const cluster: number[] = [];
    for (let i = 0; i < rounds; i++) {
      exec.push(await matrixMs(['lab-exec@3.111.0', 'lab-exec@3.112.0', 'lab-exec@3.112.1'], join(out, `exec-${i}`)));
      cluster.push(await matrixMs(['lab@3.111.0', 'lab@3.112.0', 'lab@3.112.1'], join(out, `cluster-${i}`)));
    }
    const e = median(exec);
    const c = median(cluster);
    console.log(`default matrix (30 cells, jobs 2, median of ${rounds}): lab-exec ${fmt(e)} (${fmt(e / 30)}/cell), through the cluster ${fmt(c)} (${fmt(c / 30)}/cell), ratio ${(c / e).toFixed(2)}x`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
