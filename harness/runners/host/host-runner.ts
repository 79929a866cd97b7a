/**
 * Runs a workload on this machine via execa, inside the sandbox (sandbox.ts). The shared watch
 * (attempt-watch.ts) stops it at a deadlock, a timeout or Ctrl-C, reading every process's state
 * from /proc first; then the whole namespace is killed and checked empty. Without root there is no
 * namespace: the runner kills the process group and the subject's intproxy (which leaves the group
 * with setsid) by the pid its events name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Observation, RunAs } from '../../model/result.ts';
import { readEvents } from '../../observe/events.ts';
import { readReport } from '../../observe/report.ts';
import type { Stage } from '../../stage.ts';
import { isAlive } from '../../liveness.ts';
import { AttemptWatch, isSubjectHelper } from '../attempt-watch.ts';
import { decodeStatus, harnessFailure, isIntproxyCommand, tail } from '../exit-status.ts';
import { notRun } from '../not-run.ts';
import { workloadPath, type Layout, type Runner, type RunSpec } from '../runner.ts';
import { childrenOf, descendantsOf, pidNamespaceOf, pidsInNamespace } from './proc.ts';
import { planSandbox, type SandboxPlan } from './sandbox.ts';

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
  /** The network namespace workloads join (the cluster's laptop). @default a fresh one per attempt */
  netns?: string;
}

export class HostRunner implements Runner {
  readonly name = 'host';
  private readonly user: string;
  private readonly group: string;
  private readonly netns?: string;

  constructor(opts: HostRunnerOptions = {}) {
    this.user = opts.user ?? 'nobody';
    this.group = opts.group ?? 'nogroup';
    this.netns = opts.netns;
  }

  layout(stage: Stage): Layout {
    return { labCli: join(stage.root, 'lab', 'mirrord-lab'), rubyDir: stage.rubyDir, ruby: stage.ruby, cProgram: (source) => stage.cProgram(source), mapPath: (p) => p };
  }

  private plan(argv: string[], runAs: RunAs): SandboxPlan {
    return planSandbox(argv, {
      runAs,
      unprivilegedUser: this.user,
      unprivilegedGroup: this.group,
      harnessIsRoot: process.getuid?.() === 0,
      harnessUser: userInfo().username,
      netns: this.netns,
    });
  }

  async run(spec: RunSpec): Promise<Observation> {
    let plan: SandboxPlan;
    try {
      plan = this.plan(spec.argv, spec.runAs);
    } catch (e) {
      return notRun((e as Error).message, { user: spec.runAs === 'root' ? 'root' : 'unknown', evidenceSource: spec.evidenceSource, network: 'host' });
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
        PATH: workloadPath(spec.pathDirs),
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

    // pid 1 of the namespace (the init shell) is the sandbox, not the workload: leave it out.
    const init = (): number | undefined => (plan.pidNamespace && child.pid !== undefined ? childrenOf(child.pid)[0] : undefined);
    let namespace: string | undefined;
    const watch = new AttemptWatch(
      {
        pids: () => {
          if (child.pid === undefined) return [];
          if (!plan.pidNamespace) return [child.pid, ...descendantsOf(child.pid)];
          const i = init();
          return i === undefined ? [] : descendantsOf(i);
        },
        isHelper: isSubjectHelper,
        kill: (pids) => {
          const i = init();
          namespace ??= i !== undefined ? pidNamespaceOf(i) : undefined;
          if (plan.pidNamespace) child.kill('SIGKILL'); // unshare --kill-child takes pid 1, and the kernel the namespace.
          else {
            killAll(pids);
            if (child.pid !== undefined) killAll([-child.pid]);
          }
        },
      },
      { timeoutMs: spec.timeoutMs, eventsPath: spec.eventsPath, signal: spec.signal, detectDeadlock: spec.detectDeadlock },
    );
    const result = await child;
    watch.finish();
    const durationMs = Math.round(performance.now() - started);
    const stop = watch.stopped;

    let harnessError: string | undefined;
    if (namespace) {
      // The kernel tears a PID namespace down asynchronously; wait (bounded) until it is empty.
      for (let i = 0; i < 100 && pidsInNamespace(namespace).length > 0; i++) await sleep(10);
      const left = pidsInNamespace(namespace);
      if (left.length) harnessError = `processes survived cleanup: ${left.join(', ')}`;
    }
    const events = readEvents(spec.eventsPath);
    let intproxyAlive: boolean | null = stop ? stop.intproxyAlive : null;
    if (!plan.pidNamespace) {
      // No namespace to tear down: the intproxy escaped the process group (setsid); find it by pid.
      const pid = events?.intproxy.pid;
      if (pid !== undefined && isAlive(pid)) {
        if (!stop) intproxyAlive = !events?.intproxy.exitReason;
        killAll([pid]);
      } else if (!stop) {
        intproxyAlive = false;
      }
      killAll([-(child.pid ?? 0)].filter((p) => p < 0));
    }

    let exitCode: number | null = null;
    let signal: string | null = null;
    const stderr = tail(result.stderr as string);
    if (!stop) {
      if (result.failed && result.exitCode === undefined && !result.signal) {
        harnessError = `could not start the sandbox: ${result.shortMessage}`;
      } else if (plan.pidNamespace) {
        if (result.signal) {
          harnessError = `the sandbox was killed by ${result.signal}`;
        } else {
          ({ exitCode, signal } = decodeStatus(result.exitCode ?? 0));
          harnessError = harnessFailure(exitCode, stderr);
        }
        if (existsSync(leftovers)) intproxyAlive = readFileSync(leftovers, 'utf8').split('\n').some(isIntproxyCommand);
      } else {
        exitCode = result.exitCode ?? null;
        signal = result.signal ?? null;
      }
    }
    if (stop?.reason === 'abort') harnessError = 'interrupted';

    return {
      exitCode,
      signal,
      timedOut: stop?.reason === 'timeout',
      deadlock: stop?.deadlock ?? null,
      durationMs,
      stdoutTail: tail(result.stdout as string),
      stderrTail: stderr,
      report: readReport(spec.reportPath),
      events,
      evidenceSource: spec.evidenceSource ?? 'layer',
      stuck: stop?.stuck ?? [],
      ...(stop?.notDeadlocked ? { notDeadlocked: stop.notDeadlocked } : {}),
      intproxyAliveAtEnd: intproxyAlive,
      network: plan.isolated ? 'isolated' : 'host',
      networkNote: plan.note,
      user: plan.user,
      harnessError,
    };
  }
}
