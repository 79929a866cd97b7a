/**
 * Runs a workload on this machine via execa, inside the sandbox (sandbox.ts). At a timeout it reads
 * every live process's state from /proc first, then kills the whole namespace and checks that
 * nothing is left. Without root there is no namespace: the runner kills the process group and the
 * subject's intproxy (which leaves the group with setsid) by the pid its events name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Observation, ProcessSnapshot, RunAs } from '../../model/result.ts';
import { readEvents } from '../../observe/events.ts';
import { readReport } from '../../observe/report.ts';
import type { Stage } from '../../stage.ts';
import { isAlive } from '../../liveness.ts';
import { decodeStatus, isIntproxyCommand, tail } from '../exit-status.ts';
import type { Layout, Runner, RunSpec } from '../runner.ts';
import { childrenOf, pidNamespaceOf, pidsInNamespace, snapshot } from './proc.ts';
import { planSandbox, type SandboxPlan } from './sandbox.ts';

/** Every descendant of `pid` (children first seen, then theirs). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of childrenOf(queue.shift()!)) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface HostRunnerOptions {
  /** Unprivileged account for `runAs: unprivileged`. @default nobody/nogroup */
  user?: string;
  group?: string;
}

export class HostRunner implements Runner {
  readonly name = 'host';
  private readonly user: string;
  private readonly group: string;

  constructor(opts: HostRunnerOptions = {}) {
    this.user = opts.user ?? 'nobody';
    this.group = opts.group ?? 'nogroup';
  }

  layout(stage: Stage): Layout {
    return { labCli: join(stage.root, 'lab', 'mirrord-lab'), rubyDir: stage.rubyDir, ruby: stage.ruby, mapPath: (p) => p };
  }

  private plan(argv: string[], runAs: RunAs): SandboxPlan {
    return planSandbox(argv, {
      runAs,
      unprivilegedUser: this.user,
      unprivilegedGroup: this.group,
      harnessIsRoot: process.getuid?.() === 0,
      harnessUser: userInfo().username,
    });
  }

  async run(spec: RunSpec): Promise<Observation> {
    let plan: SandboxPlan;
    try {
      plan = this.plan(spec.argv, spec.runAs);
    } catch (e) {
      return failedToStart((e as Error).message, spec);
    }
    const leftovers = `${spec.dir}/leftovers.txt`;
    const started = performance.now();
    const child = execa(plan.argv[0]!, plan.argv.slice(1), {
      reject: false,
      stdin: 'ignore',
      // Own process group: a Ctrl-C in the terminal reaches the harness, which cleans up in order.
      detached: true,
      cwd: spec.dir,
      extendEnv: false,
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: spec.dir,
        // Subjects put their own temp files (the intproxy's socket) where cleanup will find them.
        TMPDIR: spec.dir,
        LANG: 'C.UTF-8',
        MIRRORD_REGRESS_LEFTOVERS: leftovers,
        MIRRORD_REGRESS_LINGER_MS: String(spec.lingerMs),
        MIRRORD_REGRESS_REPORT: spec.reportPath,
        ...spec.env,
      },
      maxBuffer: 10_000_000,
    });

    let settled = false;
    let timedOut = false;
    let interrupted = false;
    let stuck: ProcessSnapshot[] = [];
    let intproxyAlive: boolean | null = null;
    let namespace: string | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      if (settled || timedOut || interrupted || child.pid === undefined) return;
      if (why === 'timeout') timedOut = true;
      else interrupted = true;
      // Evidence first: where is everything stuck, before a single process is killed.
      const init = plan.isolated ? childrenOf(child.pid)[0] : undefined;
      namespace = init !== undefined ? pidNamespaceOf(init) : undefined;
      const pids = namespace ? pidsInNamespace(namespace).filter((p) => p !== init) : descendants(child.pid);
      stuck = pids.map((p) => snapshot(p)).filter((s): s is ProcessSnapshot => s !== undefined);
      intproxyAlive = stuck.some((s) => isIntproxyCommand(s.cmdline));
      if (plan.isolated) {
        child.kill('SIGKILL'); // unshare --kill-child takes pid 1, and the kernel the namespace.
      } else {
        killAll(pids);
        killAll([-child.pid]);
      }
    };
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('abort');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();
    const result = await child;
    settled = true;
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    const durationMs = Math.round(performance.now() - started);

    let harnessError: string | undefined;
    if (namespace) {
      // The kernel tears a PID namespace down asynchronously; wait (bounded) until it is empty.
      for (let i = 0; i < 100 && pidsInNamespace(namespace).length > 0; i++) await sleep(10);
      const left = pidsInNamespace(namespace);
      if (left.length) harnessError = `processes survived cleanup: ${left.join(', ')}`;
    }
    const events = readEvents(spec.eventsPath);
    if (!plan.isolated) {
      // No namespace to tear down: the intproxy escaped the process group (setsid); find it by pid.
      const pid = events?.intproxy.pid;
      if (pid !== undefined && isAlive(pid)) {
        if (!timedOut && !interrupted) intproxyAlive = !events?.intproxy.exitReason;
        killAll([pid]);
      } else if (!timedOut && !interrupted) {
        intproxyAlive = false;
      }
      killAll([-(child.pid ?? 0)].filter((p) => p < 0));
    }

    let exitCode: number | null = null;
    let signal: string | null = null;
    const stderr = tail(result.stderr as string);
    if (!timedOut && !interrupted) {
      if (result.failed && result.exitCode === undefined && !result.signal) {
        harnessError = `could not start the sandbox: ${result.shortMessage}`;
      } else if (plan.isolated) {
        if (result.signal) {
          harnessError = `the sandbox was killed by ${result.signal}`;
        } else {
          ({ exitCode, signal } = decodeStatus(result.exitCode ?? 0));
          if (exitCode === 125 && /mirrord-regress: /.test(stderr)) harnessError = stderr.trim().split('\n').pop();
        }
        if (existsSync(leftovers)) intproxyAlive = readFileSync(leftovers, 'utf8').split('\n').some(isIntproxyCommand);
      } else {
        exitCode = result.exitCode ?? null;
        signal = result.signal ?? null;
      }
    }
    if (interrupted) harnessError = 'interrupted';

    return {
      exitCode,
      signal,
      timedOut,
      durationMs,
      stdoutTail: tail(result.stdout as string),
      stderrTail: stderr,
      report: readReport(spec.reportPath),
      events,
      stuck,
      intproxyAliveAtEnd: intproxyAlive,
      network: plan.isolated ? 'isolated' : 'host',
      networkNote: plan.note,
      user: plan.user,
      harnessError,
    };
  }
}

/** The attempt could not even start (e.g. a root run without root): an ERROR, not a crash. */
function failedToStart(message: string, spec: RunSpec): Observation {
  return {
    exitCode: null, signal: null, timedOut: false, durationMs: 0, stdoutTail: '', stderrTail: '', report: [], events: null,
    stuck: [], intproxyAliveAtEnd: null, network: 'host', user: spec.runAs === 'root' ? 'root' : 'unknown', harnessError: message,
  };
}
