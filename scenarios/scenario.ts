/** What a scenario is: a workload, who runs it, how long it may take. Expectations live apart. */
import type { RunAs } from '../harness/model/result.ts';

export interface Scenario {
  /** Stable id, e.g. `spawn-then-resolve`. */
  id: string;
  /** One line for `--help` and reports. */
  description: string;
  /**
   * Ruby script under scenarios/ruby (staged for the run user), or C source under scenarios/c (built
   * with the host's `cc` into the stage), and its arguments; or a command.
   */
  workload: { ruby: string; args: string[] } | { c: string; args: string[] } | { argv: string[] };
  /** Who runs it in a matrix. Ruby only vforks when unprivileged; `root` is the control. @default ['unprivileged'] */
  runAs: RunAs[];
  /** Kill everything and call it a HANG after this long. */
  timeoutMs: number;
  /** In the default `npm run matrix`. */
  inDefaultMatrix: boolean;
}
