/**
 * The stop protocol every runner shares. While an attempt runs, it samples the attempt's processes
 * from /proc: when the workload is deadlocked (observe/deadlock.ts) and has stayed so, with no CPU
 * and no layer event, for `quietMs`, it stops the attempt at once as a deadlock, without waiting for
 * the timeout. At the timeout or on abort it stops too. Stopping always reads the evidence (every
 * process's state, wchan and syscall) before a single process is killed.
 */
import { statSync } from 'node:fs';
import type { Observation, ProcessSnapshot } from '../model/result.ts';
import { classifyThread, readDeadlock, type DeadlockReading, type ProcessSample } from '../observe/deadlock.ts';
import { isIntproxyCommand } from './exit-status.ts';
import { sampleProcess, snapshot } from './host/proc.ts';

export type StopReason = 'deadlock' | 'timeout' | 'abort';

export interface StopRecord {
  reason: StopReason;
  /** Every process of the attempt at the stop, read before the kill; helpers are marked. */
  stuck: ProcessSnapshot[];
  intproxyAlive: boolean;
  deadlock: Observation['deadlock'];
  /** At a timeout: why it was not called a deadlock. */
  notDeadlocked?: string;
}

export interface WatchTarget {
  /** Host pids of the attempt's processes (helpers included; the runner's own wrapper may be left out). */
  pids(): number[];
  /** The subject's helpers and the runner's wrappers: seen, but not the workload. */
  isHelper(cmdline: string): boolean;
  /** Kills every process of the attempt. */
  kill(pids: number[]): void;
}

export interface WatchOptions {
  timeoutMs: number;
  /** The layer's events file (host path): a deadlock needs it to have stopped growing. */
  eventsPath?: string;
  signal?: AbortSignal;
  /** @default 25 */
  pollMs?: number;
  /** How long the deadlock must hold, frozen, before it is called. @default 150 */
  quietMs?: number;
  /** Off only for the bench's old-behaviour baseline. @default true */
  detectDeadlock?: boolean;
}

/** Default settle window: long enough that a lock handed over between threads is seen to move. */
export const QUIET_MS = 150;

/** Launchers and helpers of a subject (mirrord-lab, mirrord): never the workload itself. */
export function isSubjectHelper(cmdline: string): boolean {
  return isIntproxyCommand(cmdline) || /^(\S*\/)?(mirrord|mirrord-lab)(\s|$)/.test(cmdline);
}

function eventsState(path: string | undefined): { size: number; mtimeMs: number } | undefined {
  if (!path) return undefined;
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

export class AttemptWatch {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly poller?: NodeJS.Timeout;
  private readonly onAbort = () => this.stop('abort');
  private record?: StopRecord;
  private finished = false;
  private frozenSince?: number;
  private lastFingerprint = '';
  private last?: DeadlockReading;
  private watchError?: string;

  private readonly opts: WatchOptions;

  constructor(
    private readonly target: WatchTarget,
    opts: WatchOptions,
  ) {
    // MIRRORD_REGRESS_DEADLOCK_WATCH=off: the old behaviour (wait for the timeout), for the bench's baseline.
    this.opts = { ...opts, detectDeadlock: opts.detectDeadlock ?? process.env.MIRRORD_REGRESS_DEADLOCK_WATCH !== 'off' };
    this.timer = setTimeout(() => this.stop('timeout'), opts.timeoutMs);
    if (this.opts.detectDeadlock !== false) this.poller = setInterval(() => this.poll(), opts.pollMs ?? 25);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (opts.signal?.aborted) queueMicrotask(this.onAbort);
  }

  /** How the attempt was stopped, if the watch stopped it. */
  get stopped(): StopRecord | undefined {
    return this.record;
  }

  /** The attempt ended by itself (or was stopped): no more polling. */
  finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private sample(): { samples: ProcessSample[]; pids: number[] } {
    const pids = this.target.pids();
    const samples: ProcessSample[] = [];
    for (const pid of pids) {
      const s = sampleProcess(pid);
      if (s) samples.push({ pid: s.pid, ppid: s.ppid, comm: s.comm, helper: this.target.isHelper(s.cmdline), threads: s.threads });
    }
    return { samples, pids };
  }

  /** What must stay unchanged for a deadlock to count as frozen: workload CPU and the events file. */
  private fingerprint(samples: ProcessSample[]): string {
    // A timer thread's own ticking is the one CPU use that does not count as progress.
    const cpu = samples
      .filter((p) => !p.helper)
      .flatMap((p) => p.threads.map((t) => `${t.tid}:${classifyThread(t) === 'ticker' ? '-' : t.cpuTicks}:${t.syscall}`))
      .join(',');
    const ev = eventsState(this.opts.eventsPath);
    return `${cpu}|${ev?.size ?? '-'}`;
  }

  private poll(): void {
    if (this.finished || this.record) return;
    try {
      this.pollOnce();
    } catch (e) {
      // The watch must never take the harness down: fall back to the timeout, and say why.
      this.watchError = `the deadlock watch failed (${(e as Error).message}); waited for the timeout instead`;
      if (this.poller) clearInterval(this.poller);
    }
  }

  private pollOnce(): void {
    const { samples } = this.sample();
    const reading = readDeadlock(samples);
    const print = this.fingerprint(samples);
    const now = performance.now();
    if (!reading.deadlocked) this.frozenSince = undefined;
    else if (print !== this.lastFingerprint || this.frozenSince === undefined) this.frozenSince = now;
    this.lastFingerprint = print;
    this.last = reading;
    if (reading.deadlocked && this.frozenSince !== undefined && now - this.frozenSince >= (this.opts.quietMs ?? QUIET_MS)) {
      this.stop('deadlock');
    }
  }

  private stop(reason: StopReason): void {
    if (this.finished || this.record) return;
    const now = performance.now();
    const { samples, pids } = this.sample();
    let notDeadlocked: string | undefined;
    if (reason === 'timeout') {
      // A deadlock that formed just before the timeout, too recently for the settle window.
      const reading = readDeadlock(samples);
      const frozen = reading.deadlocked && this.last?.deadlocked && this.fingerprint(samples) === this.lastFingerprint;
      if (frozen && this.opts.detectDeadlock !== false) reason = 'deadlock';
      else notDeadlocked = this.watchError ?? (reading.deadlocked ? 'it was still changing when the timeout fired' : reading.why);
    }
    // Evidence first: where everything is, before a single process is killed.
    const stuck = pids.map((p) => snapshot(p)).filter((s): s is ProcessSnapshot => s !== undefined);
    for (const s of stuck) if (this.target.isHelper(s.cmdline)) s.helper = true;
    const ev = eventsState(this.opts.eventsPath);
    const deadlock: Observation['deadlock'] =
      reason === 'deadlock'
        ? {
            atMs: Math.round(now - this.started),
            quietMs: Math.round(this.frozenSince !== undefined ? now - this.frozenSince : 0),
            lastEventAgoMs: ev ? Math.max(0, Math.round(Date.now() - ev.mtimeMs)) : null,
          }
        : null;
    this.record = { reason, stuck, intproxyAlive: stuck.some((s) => isIntproxyCommand(s.cmdline)), deadlock, notDeadlocked };
    this.finish();
    this.target.kill(pids);
  }
}
