/** What every runner (host, docker) is given, and what it must hand back: an Observation. */
import type { Observation, RunAs } from '../model/result.ts';
import type { Stage } from '../stage.ts';

/** Where things are as the workload sees them (host paths, or paths inside a container). */
export interface Layout {
  /** The lab's `mirrord-lab` CLI. */
  labCli: string;
  /** The Ruby workloads (scenarios/ruby). */
  rubyDir: string;
  /** The Ruby interpreter. */
  ruby: string;
  /** A C workload of scenarios/c (built on the host into the stage, stage.cProgram), as the workload sees it. */
  cProgram(source: string): string;
  /** A host path under the stage, as the workload sees it. */
  mapPath(hostPath: string): string;
}

export interface RunSpec {
  /** The subject-wrapped workload command, e.g. `mirrord-lab exec --profile 3.112.0 -- ruby w.rb`. */
  argv: string[];
  /** Extra environment for the workload (the runner adds PATH, HOME, and its own variables). */
  env: Record<string, string>;
  runAs: RunAs;
  /** @default from the scenario */
  timeoutMs: number;
  /** How long to let the subject's helpers (intproxy) finish after the workload exits. @default 0 */
  lingerMs: number;
  /** Fresh, world-writable directory for this attempt (host path); the runner does not remove it. */
  dir: string;
  /** Where the subject writes its events (lab) and the workload its report (host paths). */
  eventsPath: string;
  reportPath: string;
  /** Aborts the attempt (Ctrl-C): the runner kills everything and returns an ERROR observation. */
  signal?: AbortSignal;
  /** Directories the user asked for, searched before the system ones (see workloadPath). @default [] */
  pathDirs?: string[];
  /** Whether the layer's events may be used (`layer`), or only what is seen from outside. @default 'layer' */
  evidenceSource?: 'layer' | 'black-box';
  /** Call a frozen deadlock a HANG as soon as it is seen (off only for the bench's baseline). @default true */
  detectDeadlock?: boolean;
}

/** In the attempt's directory: when the workload ended (ms since the epoch), written by the runner's wrapper. */
export const ENDED_FILE = 'ended.ms';

/** System directories only: a workload must not pick up the harness's npx, pyenv or node_modules. */
export const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function workloadPath(extra: string[] = []): string {
  return [...extra, ...SYSTEM_PATH].join(':');
}

export interface Runner {
  readonly name: string;
  /** Where the workload finds the lab, the workloads and Ruby when run by this runner. */
  layout(stage: Stage): Layout;
  run(spec: RunSpec): Promise<Observation>;
  /** Releases what the runner holds (containers). */
  dispose?(): Promise<void>;
}
