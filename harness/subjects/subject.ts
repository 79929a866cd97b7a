/**
 * A subject is what is under test: a lab profile now; real mirrord releases and local builds plug
 * in through the same interface (they differ only in how they wrap a workload and what evidence
 * they write).
 */
import type { Strategy } from '../model/result.ts';
import type { Stage } from '../stage.ts';

export type SubjectKind = 'lab' | 'mirrord-release' | 'mirrord-build';

export interface WrapContext {
  strategy: Strategy | null;
  /** The lab CLI as the workload sees it (from the runner's layout). */
  labCli: string;
  /** Where the subject should write its events (only the lab writes any). */
  eventsPath: string;
  /** The attempt's directory (world-writable). */
  dir: string;
}

export interface Subject {
  /** e.g. `lab@3.112.0`. */
  readonly id: string;
  readonly kind: SubjectKind;
  /** The mirrord release it is or mirrors. */
  readonly version: string;
  /** Guard strategies this subject can be run with; empty when its exec hook has no guard choice. */
  readonly strategies: readonly Strategy[];
  /** `layer`: it writes evidence from inside (the lab's events); `black-box`: judged from outside only. */
  readonly evidenceSource: 'layer' | 'black-box';
  /** Makes the subject runnable on the host from `stage` (copies binaries); throws with how to fix it. */
  prepare(stage: Stage): Promise<void>;
  /** The command that runs `workload` under this subject. */
  wrap(workload: string[], ctx: WrapContext): { argv: string[]; env: Record<string, string> };
}
