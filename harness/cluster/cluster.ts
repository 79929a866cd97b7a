/**
 * A cluster without Kubernetes (../shared/real-mirrord.md §5): a node with kube-dns and the service,
 * one pod per attempt for its agent, and laptops wired to the node that can reach the pods and nothing
 * else. Started once per run (matrix, bisect, run), torn down at the end. Every piece is a namespace
 * holder, which dies with the harness (parent-death signal), or a labelled container, which a killed
 * harness leaves until the next docker run sweeps it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { laptopAddress, POD_RANGE } from './addresses.ts';
import { startHolder, type Holder } from './holder.ts';
import { startContainerNode, startNamespaceNode, type ClusterNode } from './node.ts';
import { startPod, type AgentPod } from './pod.ts';
import { wire } from './wiring.ts';

export type ClusterKind = 'namespace' | 'container';

export interface ClusterOptions {
  /** A fresh directory for the cluster's state and logs (under the stage). */
  dir: string;
  /** `container` needs `docker` and the cluster image. @default 'namespace' */
  kind?: ClusterKind;
  docker?: Docker;
  image?: string;
}

export class Cluster {
  private pods = 0;
  private laptops = 0;
  private readonly holders: Holder[] = [];
  private readonly live = new Set<AgentPod>();
  /** Milliseconds the node took to come up. */
  readonly startMs: number;

  private constructor(
    readonly node: ClusterNode,
    startMs: number,
  ) {
    this.startMs = startMs;
  }

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const t0 = performance.now();
    const state = join(opts.dir, 'node');
    mkdirSync(opts.dir, { recursive: true, mode: 0o755 });
    const node =
      (opts.kind ?? 'namespace') === 'container'
        ? await startContainerNode(state, opts.docker!, opts.image!)
        : await startNamespaceNode(state);
    return new Cluster(node, Math.round(performance.now() - t0));
  }

  /** Wires a laptop (a process's network namespace: a container's, or a new holder's) to the node. */
  async wireLaptop(pid: number, what: string): Promise<string> {
    const n = this.laptops++;
    const address = laptopAddress(n);
    await wire(this.node.pid, { pid, nodeIf: `lap${n}`, address, routes: [POD_RANGE], what });
    return address;
  }

  /** A laptop namespace of the cluster's own, for the host runner: the path sandboxes enter. */
  async laptopNamespace(): Promise<string> {
    const holder = await startHolder(['sleep', 'infinity'], { what: 'the laptop namespace' });
    this.holders.push(holder);
    await this.wireLaptop(holder.pid, 'the laptop');
    return `/proc/${holder.pid}/ns/net`;
  }

  /** Starts an agent (`agent` is its argv before `-l PORT targetless`) in a pod of its own. */
  async startPod(agent: string[]): Promise<AgentPod> {
    const pod = await startPod(this.node, ++this.pods, agent);
    this.live.add(pod);
    const finish = pod.finish.bind(pod);
    const stop = pod.stop.bind(pod);
    return {
      ...pod,
      finish: (endedAt: number) => finish(endedAt).finally(() => this.live.delete(pod)),
      stop: () => stop().finally(() => this.live.delete(pod)),
    };
  }

  /** Why the node went down, if it did (every later attempt is then an ERROR with this line). */
  failure(): string | undefined {
    return this.node.failure();
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((p) => p.stop().catch(() => undefined)));
    await Promise.all(this.holders.map((h) => h.stop().catch(() => undefined)));
    await this.node.stop();
  }
}
