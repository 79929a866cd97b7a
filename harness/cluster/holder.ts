/**
 * A namespace holder: a process that is pid 1 of its own network, mount and PID namespaces, started as
 * `setpriv --pdeathsig KILL unshare --net --mount --pid --fork --kill-child --mount-proc CMD`. The
 * namespaces live as long as it does; killing it, or the harness dying (parent-death signal), takes
 * them down with every process and veth end in them. Needs root.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { EnvironmentError } from '../cli/errors.ts';
import { childrenOf } from '../runners/host/proc.ts';

export interface Holder {
  /** Host pid of pid 1 inside: the handle for nsenter and veth peers. */
  readonly pid: number;
  readonly process: HolderProcess;
  /** Whether it has exited (its namespaces are gone or going). */
  exited(): boolean;
  /** Kills it and waits until it is gone. */
  stop(): Promise<void>;
}

export interface HolderOptions {
  /** For error lines: "the cluster's node". */
  what: string;
  /** @default 'ignore' */
  stdout?: 'pipe' | 'ignore';
  env?: Record<string, string>;
}

type HolderProcess = ResultPromise<{ reject: false; detached: true; stdin: 'ignore'; stdout: 'pipe' | 'ignore'; stderr: 'pipe'; buffer: { stdout: false } }>;

export const UNSHARE = ['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--'];

export async function startHolder(argv: string[], opts: HolderOptions): Promise<Holder> {
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError(`${opts.what} needs root (network namespaces and veth pairs): run the harness with sudo`, 'CLUSTER_NEEDS_ROOT');
  }
  const [file, ...args] = [...UNSHARE, ...argv];
  // Own process group: a Ctrl-C reaches the harness, which takes things down in order.
  const child: HolderProcess = execa(file!, args, { reject: false, detached: true, stdin: 'ignore', stdout: opts.stdout ?? 'ignore', stderr: 'pipe', env: opts.env, buffer: { stdout: false } });
  let done = false;
  void child.finally(() => (done = true));
  let pid: number | undefined;
  for (let i = 0; i < 400 && !done; i++) {
    pid = child.pid === undefined ? undefined : childrenOf(child.pid)[0];
    if (pid !== undefined) break;
    await sleep(5);
  }
  if (pid === undefined) {
    child.kill('SIGKILL');
    const r = await child;
    const why = String(r.stderr ?? '').trim().split('\n').pop() || r.shortMessage;
    throw new EnvironmentError(`cannot start ${opts.what}: ${why}`, 'CLUSTER_START');
  }
  const holderPid = pid;
  return {
    pid: holderPid,
    process: child,
    exited: () => done,
    async stop() {
      if (!done) child.kill('SIGKILL');
      await child;
    },
  };
}
