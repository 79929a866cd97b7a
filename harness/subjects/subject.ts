/**
 * A subject is what is under test. Two shapes: a release (a mirrord release, a published lab release,
 * a build of a mirrord checkout) runs through mirrord's own process model against the cluster — an
 * agent in a pod, `mirrord intproxy` and the layer on the laptop (release-subject.ts); the lab's
 * all-in-one `mirrord-lab exec` (lab-exec@X) needs no cluster at all.
 */
import type { Strategy } from '../model/result.ts';
import type { Stage } from '../stage.ts';

export type SubjectKind = 'lab' | 'lab-exec' | 'mirrord-release' | 'mirrord-build';

export interface WrapContext {
  strategy: Strategy | null;
  /** The lab CLI as the workload sees it (from the runner's layout; lab-exec only). */
  labCli: string;
  /** Where the subject should write its events (only the lab writes any). */
  eventsPath: string;
  /** The attempt's directory (world-writable), as the workload sees it. */
  dir: string;
  /** A host path under the stage, as the workload sees it (the runner's layout). @default the path itself */
  mapPath?: (hostPath: string) => string;
  /** The attempt's agent (`ip:port`), for subjects that run against the cluster. */
  agentAddress?: string;
}

export interface Subject {
  /** e.g. `lab@3.112.0`, `mirrord@3.112.0`. */
  readonly id: string;
  readonly kind: SubjectKind;
  /** The mirrord release it is or mirrors. */
  readonly version: string;
  /**
   * The release whose predictions (scenarios/expectations.ts) apply to it; `null` for a build nobody
   * predicted (a layer of the user's own, a checkout that is no release).
   */
  readonly release: string | null;
  /** Guard strategies this subject can be run with; empty when its exec hook has no guard choice. */
  readonly strategies: readonly Strategy[];
  /** `layer`: it writes evidence from inside (the lab's events); `black-box`: judged from outside only. */
  readonly evidenceSource: 'layer' | 'black-box';
  /**
   * `cluster`: runs against the cluster the harness starts (an agent pod per attempt); `kubernetes`: against
   * a real one (`--kubeconfig`), on the host's network; `self-contained`: brings its own (lab-exec).
   */
  readonly topology: 'cluster' | 'kubernetes' | 'self-contained';
  /** Makes the subject runnable from `stage` (fetches, verifies, copies); throws with how to fix it. */
  prepare(stage: Stage): Promise<void>;
  /** The agent to start in the attempt's pod (host paths; `-l PORT targetless` is added), cluster subjects only. */
  agentCommand?(): string[];
  /** The command that runs `workload` under this subject. */
  wrap(workload: string[], ctx: WrapContext): { argv: string[]; env: Record<string, string> };
}
