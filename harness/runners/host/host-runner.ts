/**
 * Runs a workload on this machine via execa, inside the sandbox (sandbox.ts). The shared watch
 * (attempt-watch.ts) stops it at a deadlock, a timeout or Ctrl-C, reading every process's state
 * from /proc first; then the whole namespace is killed and checked empty. Without root there is no
 * namespace: the runner kills the process group and the subject's intproxy (which leaves the group
 * with setsid) by the pid its events name. On macOS there are no namespaces at all: macos-sandbox.ts
 * (the runner's own user, a renamed cluster, leftovers found by a marker in their environment).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
import { ENDED_FILE } from '../runner.ts';
import { workloadPath, type Layout, type Runner, type RunSpec } from '../runner.ts';
import { childrenOf, descendantsOf, pidNamespaceOf, pidsInNamespace } from './proc.ts';
import { planSandbox, type SandboxPlan } from './sandbox.ts';
import { CLUSTER_CONFIG_FILE, killMarked, listMarked, macRuby, macRunUser, MARKER_VAR, planMacSandbox, renamedClusterConfig, type ListedProcess } from './macos-sandbox.ts';

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
  /** Unprivileged account for `runAs: unprivileged`. @default nobody/nogroup (macOS: whoever ran sudo) */
  user?: string;
  group?: string;
  /** The network namespace workloads join (the cluster's laptop). @default a fresh one per attempt */
  netns?: string;
  /** Which sandbox: Linux's namespaces, or macOS's (macos-sandbox.ts). @default process.platform */
  platform?: NodeJS.Platform;
  /** macOS: the processes that carry an attempt's marker. @default listMarked (`ps -E`) */
  listProcesses?: (marker: string) => ListedProcess[];
}

export class HostRunner implements Runner {
  readonly name = 'host';
  private readonly user: string;
  private readonly group: string;
  private readonly netns?: string;
  private readonly darwin: boolean;
  private readonly listProcesses: (marker: string) => ListedProcess[];

  constructor(opts: HostRunnerOptions = {}) {
    this.darwin = (opts.platform ?? process.platform) === 'darwin';
    this.listProcesses = opts.listProcesses ?? listMarked;
    this.user = opts.user ?? (this.darwin ? macRunUser() : 'nobody');
    this.group = opts.group ?? 'nogroup';
    this.netns = opts.netns;
  }

  layout(stage: Stage): Layout {
    const ruby = this.darwin ? macRuby(stage.ruby) : stage.ruby;
    return { labCli: join(stage.root, 'lab', 'mirrord-lab'), rubyDir: stage.rubyDir, ruby, cProgram: (source) => stage.cProgram(source), mapPath: (p) => p };
  }

  private plan(argv: string[], runAs: RunAs, env: Record<string, string>, dir: string): SandboxPlan {
    if (this.darwin) {
      return planMacSandbox(argv, {
        runAs,
        runUser: this.user,
        harnessIsRoot: process.getuid?.() === 0,
        harnessUser: userInfo().username,
        env,
        configFile: join(dir, CLUSTER_CONFIG_FILE),
      });
    }
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
    const leftovers = `${spec.dir}/leftovers.txt`;
    // macOS: what a PID namespace holds on Linux, the marker finds (macos-sandbox.ts).
    const marker = this.darwin ? randomUUID() : undefined;
    const env: Record<string, string> = {
      PATH: workloadPath(spec.pathDirs),
      HOME: spec.dir,
      // Subjects put their own temp files (the intproxy's socket) where cleanup will find them.
      TMPDIR: spec.dir,
      LANG: 'C.UTF-8',
      MIRRORD_REGRESS_LEFTOVERS: leftovers,
      MIRRORD_REGRESS_ENDED: join(spec.dir, ENDED_FILE),
      MIRRORD_REGRESS_LINGER_MS: String(spec.lingerMs),
      MIRRORD_REGRESS_REPORT: spec.reportPath,
      ...spec.env,
      ...(marker ? { [MARKER_VAR]: marker } : {}),
    };
    let plan: SandboxPlan;
    try {
      if (this.darwin) writeFileSync(join(spec.dir, CLUSTER_CONFIG_FILE), renamedClusterConfig());
      plan = this.plan(spec.argv, spec.runAs, env, spec.dir);
    } catch (e) {
      return notRun((e as Error).message, { user: spec.runAs === 'root' ? 'root' : 'unknown', evidenceSource: spec.evidenceSource, network: 'host' });
    }
    const started = performance.now();
    const child = execa(plan.argv[0]!, plan.argv.slice(1), {
      reject: false,
      stdin: 'ignore',
      // Own process group: a Ctrl-C in the terminal reaches the harness, which cleans up in order.
      detached: true,
      cwd: spec.dir,
      extendEnv: false,
      env,
      maxBuffer: 10_000_000,
    });

    // pid 1 of the namespace (the init shell) is the sandbox, not the workload: leave it out.
    const init = (): number | undefined => (plan.pidNamespace && child.pid !== undefined ? childrenOf(child.pid)[0] : undefined);
    let namespace: string | undefined;
    // macOS: the attempt's processes when the watch stopped it (no /proc to snapshot them from).
    let markedAtStop: ListedProcess[] = [];
    const watch = new AttemptWatch(
      {
        pids: () => {
          if (child.pid === undefined) return [];
          if (marker) {
            markedAtStop = this.listProcesses(marker);
            return [...new Set([child.pid, ...markedAtStop.map((p) => p.pid)])];
          }
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
      // macOS has no /proc to read a deadlock from: its attempts end at the timeout (TIMEOUT, not HANG).
      { timeoutMs: spec.timeoutMs, eventsPath: spec.eventsPath, signal: spec.signal, detectDeadlock: marker ? false : spec.detectDeadlock },
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
    if (marker) {
      if (stop) intproxyAlive = markedAtStop.some((p) => isIntproxyCommand(p.command));
      const left = await killMarked(marker, this.listProcesses);
      if (left.length) harnessError = `processes survived cleanup: ${left.map((p) => `${p.pid} ${p.command.split(' ')[0]}`).join(', ')}`;
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
