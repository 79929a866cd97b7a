/** The cluster a run needs: none when no subject runs against one; a container for the docker runner. */
import { join } from 'node:path';
import { EnvironmentError } from '../cli/errors.ts';
import type { Stage } from '../stage.ts';
import type { Subject } from '../subjects/subject.ts';
import { Cluster } from './cluster.ts';

export async function clusterFor(subjects: readonly Subject[], runnerIds: readonly string[], stage: Stage, say: (line: string) => void = () => {}): Promise<Cluster | undefined> {
  if (!subjects.some((s) => s.topology === 'cluster')) return undefined;
  if (process.platform !== 'linux') {
    const ids = subjects.filter((s) => s.topology === 'cluster').map((s) => s.id).join(', ');
    throw new EnvironmentError(`${ids} run against the cluster, which is made of Linux network namespaces: on ${process.platform} run lab-exec@X (its own built-in cluster) instead`, 'NO_CLUSTER_HERE');
  }
  const dir = join(stage.root, 'cluster');
  let cluster: Cluster;
  if (runnerIds.some((id) => id.startsWith('docker'))) {
    const { requireEngine } = await import('../images/engine.ts');
    const { imageFor } = await import('../images/catalog.ts');
    const docker = await requireEngine(process.env.MIRRORD_REGRESS_DOCKER_SOCKET);
    cluster = await Cluster.start({ dir, kind: 'container', docker, image: await imageFor('cluster', { ruby: '3.1' }) });
  } else {
    cluster = await Cluster.start({ dir });
  }
  say(`cluster up in ${cluster.startMs} ms (${cluster.node.kind === 'container' ? 'a container' : 'a network namespace'}: kube-dns, the service, one agent pod per attempt)`);
  return cluster;
}
