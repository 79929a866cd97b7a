/**
 * Runs a workload on this machine via execa, inside the sandbox (sandbox.ts). At a timeout it reads
 * every live process's state from /proc first, then kills the whole namespace and checks that
 * nothing is left.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants } from 'node:os';
import { execa } from 'execa';
import type { Observation, ProcessSnapshot } from '../../model/result.ts';
import { readEvents } from '../../observe/events.ts';
import { readReport } from '../../observe/report.ts';
import type { Layout, Runner, RunSpec } from '../runner.ts';
import type { Stage } from '../../stage.ts';
import { join } from 'node:path';
import { childrenOf, pidNamespaceOf, pidsInNamespace, snapshot } from './proc.ts';
import { decodeStatus, planSandbox } from './sandbox.ts';

const TAIL_BYTES = 4000;

function tail(text: string | undefined): string {
  if (!text) return '';
  return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
}

function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

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

function isIntproxy(cmdline: string): boolean {
  return /(^|\s|\/)(mirrord|mirrord-lab) intproxy\b/.test(cmdline);
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

  async run(spec: RunSpec): Promise<Observation> {
    const isRoot = process.getuid?.() === 0;
    const plan = planSandbox(spec.argv, {
      runAs: spec.runAs,
      unprivilegedUser: this.user,
      unprivilegedGroup: this.group,
      harnessIsRoot: isRoot,
      harnessUser: userInfo().username,
    });
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

    let timedOut = false;
    let interrupted = false;
    let stuck: ProcessSnapshot[] = [];
    let intproxyAlive: boolean | null = null;
    let namespace: string | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      if (timedOut || interrupted || child.exitCode !== null) return;
      if (why === 'timeout') timedOut = true;
      else interrupted = true;
      if (child.pid === undefined) return;
      // Evidence first: where is everything stuck, before a single process is killed.
      const init = plan.isolated ? childrenOf(child.pid)[0] : undefined;
      namespace = init !== undefined ? pidNamespaceOf(init) : undefined;
      const pids = namespace ? pidsInNamespace(namespace).filter((p) => p !== init) : descendants(child.pid);
      stuck = pids.map((p) => snapshot(p)).filter((s): s is ProcessSnapshot => s !== undefined);
      intproxyAlive = stuck.some((s) => isIntproxy(s.cmdline));
      if (plan.isolated) {
        child.kill('SIGKILL'); // unshare --kill-child takes pid 1, and the kernel the namespace.
      } else {
        for (const p of pids) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already gone
        }
      }
    };
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('abort');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();
    const result = await child;
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
          const status = decodeStatus(result.exitCode ?? 0);
          exitCode = status.exitCode;
          signal = status.signalNumber ? signalName(status.signalNumber) : null;
          if (exitCode === 125 && /mirrord-regress: /.test(stderr)) harnessError = stderr.trim().split('\n').pop();
        }
      } else {
        exitCode = result.exitCode ?? null;
        signal = result.signal ?? null;
      }
      if (existsSync(leftovers)) {
        intproxyAlive = readFileSync(leftovers, 'utf8').split('\n').some(isIntproxy);
      } else if (!plan.isolated) {
        intproxyAlive = null;
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
      events: readEvents(spec.eventsPath),
      stuck,
      intproxyAliveAtEnd: intproxyAlive,
      network: plan.isolated ? 'isolated' : 'host',
      networkNote: plan.note,
      user: plan.user,
      harnessError,
    };
  }
}
