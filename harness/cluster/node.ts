/**
 * The cluster's node: kube-dns and the service (images/cluster/node-init.sh) in a network namespace of
 * its own — a namespace holder on the host, or the cluster container for the docker runner. Either way
 * the harness gives it its addresses from outside and waits for its `ready` (or `failed`) file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { REPO_ROOT } from '../cli/context.ts';
import { EnvironmentError } from '../cli/errors.ts';
import { ownerLabels } from '../runners/docker/sweep.ts';
import { clusterHosts, KUBE_DNS, SERVICES } from './addresses.ts';
import { startHolder } from './holder.ts';
import { enableForwarding, ipBatch } from './ip.ts';

export interface ClusterNode {
  /** Host pid of a process in the node's network namespace. */
  readonly pid: number;
  /** Host path of the node's state: cluster-hosts, dns.log, access.log, ready/failed. */
  readonly state: string;
  /** `namespace` (host runner) or `container` (docker runner). */
  readonly kind: 'namespace' | 'container';
  /** Why the node went down, once it did. */
  failure(): string | undefined;
  stop(): Promise<void>;
}

/** Where the container sees the state directory. */
const STATE_IN_CONTAINER = '/cluster-state';
/** How long the node may take to start dnsmasq and the service. */
const READY_TIMEOUT_MS = 15_000;

function failureIn(state: string): string | undefined {
  try {
    return readFileSync(join(state, 'failed'), 'utf8').trim() || 'the node failed';
  } catch {
    return undefined;
  }
}

function prepareState(state: string): void {
  mkdirSync(state, { recursive: true, mode: 0o755 });
  writeFileSync(join(state, 'cluster-hosts'), clusterHosts());
  writeFileSync(join(state, 'dns-address'), `${KUBE_DNS}\n`);
  // What every pod's /etc/resolv.conf says: kube-dns, nothing else.
  writeFileSync(join(state, 'resolv.conf'), `nameserver ${KUBE_DNS}\n`);
}

export async function startNamespaceNode(state: string): Promise<ClusterNode> {
  prepareState(state);
  const holder = await startHolder(['sh', join(REPO_ROOT, 'images', 'cluster', 'node-init.sh'), state], { what: "the cluster's node" });
  const node: ClusterNode = {
    pid: holder.pid,
    state,
    kind: 'namespace',
    failure: () => failureIn(state) ?? (holder.exited() ? "the cluster's node exited" : undefined),
    stop: () => holder.stop(),
  };
  return bringUp(node);
}

export async function startContainerNode(state: string, docker: Docker, image: string): Promise<ClusterNode> {
  prepareState(state);
  const container = await docker.createContainer({
    Image: image,
    Labels: { ...ownerLabels(), 'mirrord-regress.kind': 'cluster' },
    HostConfig: { NetworkMode: 'none', Binds: [`${state}:${STATE_IN_CONTAINER}`], AutoRemove: false },
  });
  const remove = () => container.remove({ force: true }).catch(() => undefined);
  let pid: number;
  try {
    await container.start();
    pid = (await container.inspect()).State.Pid;
  } catch (e) {
    await remove();
    throw new EnvironmentError(`cannot start the cluster container from ${image}: ${(e as Error).message.split('\n')[0]}`, 'CLUSTER_START');
  }
  // A container that stops (killed, OOM) says nothing in the state directory: watch it.
  let stopped: string | undefined;
  let stopping = false;
  void container.wait().then(
    (r: { StatusCode?: number }) => void (stopped = stopping ? undefined : `the cluster container stopped (exit ${r.StatusCode ?? '?'})`),
    () => undefined,
  );
  const node: ClusterNode = {
    pid,
    state,
    kind: 'container',
    failure: () => failureIn(state) ?? stopped,
    stop: async () => {
      stopping = true;
      await remove();
    },
  };
  return bringUp(node);
}

async function bringUp(node: ClusterNode): Promise<ClusterNode> {
  try {
    await ipBatch(node.pid, ['link set lo up', `addr add ${KUBE_DNS}/32 dev lo`, ...Object.values(SERVICES).map((ip) => `addr add ${ip}/32 dev lo`)], "the cluster's node");
    await enableForwarding(node.pid, "the cluster's node");
    writeFileSync(join(node.state, 'net-ready'), '');
    const until = Date.now() + READY_TIMEOUT_MS;
    while (!existsSync(join(node.state, 'ready'))) {
      const failed = node.failure();
      if (failed) throw new EnvironmentError(`the cluster did not come up: ${failed}`, 'CLUSTER_START');
      if (Date.now() > until) throw new EnvironmentError(`the cluster did not come up within ${READY_TIMEOUT_MS / 1000} s (no ${join(node.state, 'ready')})`, 'CLUSTER_START');
      await sleep(10);
    }
    return node;
  } catch (e) {
    await node.stop();
    throw e;
  }
}
