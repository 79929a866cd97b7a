/**
 * Reads process state from /proc: which processes belong to a run's PID namespace, and, at a
 * timeout, where each one is stuck (state, wchan, current syscall) before anything is killed.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { ProcessSnapshot } from '../../model/result.ts';

// Syscall numbers a stuck workload is typically parked in, per architecture.
const SYSCALL_NAMES: Record<string, Record<number, string>> = {
  x64: { 0: 'read', 1: 'write', 7: 'poll', 23: 'select', 35: 'nanosleep', 42: 'connect', 43: 'accept', 61: 'wait4', 72: 'fcntl', 73: 'flock', 202: 'futex', 230: 'clock_nanosleep', 232: 'epoll_wait', 247: 'waitid', 270: 'pselect6', 271: 'ppoll', 281: 'epoll_pwait', 288: 'accept4', 45: 'recvfrom', 56: 'clone', 58: 'vfork', 59: 'execve', 435: 'clone3', 441: 'epoll_pwait2', 449: 'futex_waitv' },
  arm64: { 25: 'fcntl', 32: 'flock', 63: 'read', 64: 'write', 73: 'ppoll', 95: 'waitid', 98: 'futex', 101: 'nanosleep', 115: 'clock_nanosleep', 203: 'connect', 202: 'accept', 242: 'accept4', 260: 'wait4', 220: 'clone', 221: 'execve', 22: 'epoll_pwait', 435: 'clone3', 441: 'epoll_pwait2', 449: 'futex_waitv' },
};

export function syscallName(num: string, arch: string = process.arch): string | undefined {
  const n = Number(num);
  return Number.isInteger(n) ? SYSCALL_NAMES[arch]?.[n] : undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Inode identity of a process's PID namespace (`pid:[4026532]`), or undefined if it is gone. */
export function pidNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Pids (as seen from here) of every live, non-zombie process in PID namespace `ns`. */
export function pidsInNamespace(ns: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pidNamespaceOf(pid) !== ns) continue;
    if (statFields(pid)?.state === 'Z') continue;
    pids.push(pid);
  }
  return pids;
}

/** The children of `pid` (all its threads'), from /proc/<pid>/task/<tid>/children. */
export function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number));
}

function statFields(pid: number, tid?: number): { comm: string; state: string; ppid: number; cpuTicks: number; startTicks: number } | undefined {
  const stat = read(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`);
  if (!stat) return undefined;
  // comm may contain spaces and parentheses: it spans from the first '(' to the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15, starttime field 22.
  return {
    comm: stat.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    startTicks: Number(rest[19]),
  };
}

function syscallOf(path: string): string {
  const text = (read(path) ?? '').trim();
  return text.split(' ')[0] || 'unknown';
}

/** One thread as the deadlock check needs it: where it waits, with the syscall's arguments. */
export interface ThreadState {
  tid: number;
  comm: string;
  /** /proc stat letter (R, S, D, T, Z...). */
  state: string;
  wchan: string;
  /** Syscall number (`running` when in user space, `unknown` when unreadable). */
  syscall: string;
  /** The syscall's six arguments, as /proc/<pid>/task/<tid>/syscall prints them (hex). */
  args: bigint[];
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /**
   * Set for a thread in epoll_wait: whether every descriptor it watches is an eventfd of its own
   * process, so only its own threads (or its timeout) can wake it: a runtime's timer thread.
   */
  watchesOwnEventfdsOnly?: boolean;
}

function parseArgs(fields: string[]): bigint[] {
  return fields.slice(1, 7).map((f) => {
    try {
      return BigInt(f);
    } catch {
      return -1n;
    }
  });
}

/** Every live thread of `pid`; empty when the process is gone. */
export function threadsOf(pid: number): ThreadState[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadState[] = [];
  for (const name of tids) {
    const tid = Number(name);
    const stat = statFields(pid, tid);
    if (!stat) continue;
    const fields = (read(`/proc/${pid}/task/${tid}/syscall`) ?? '').trim().split(' ');
    const t: ThreadState = {
      tid,
      comm: stat.comm,
      state: stat.state,
      wchan: read(`/proc/${pid}/task/${tid}/wchan`) ?? '',
      syscall: fields[0] || 'unknown',
      args: parseArgs(fields),
      cpuTicks: stat.cpuTicks,
    };
    if (EPOLL_WAITS[process.arch]?.includes(Number(t.syscall)) && t.args[0] !== undefined) {
      t.watchesOwnEventfdsOnly = watchesOwnEventfdsOnly(pid, Number(t.args[0]));
    }
    out.push(t);
  }
  return out;
}

const EPOLL_WAITS: Record<string, number[]> = { x64: [232, 281, 441], arm64: [22, 441] };

/** Whether epoll descriptor `epfd` of `pid` watches only eventfds (which only `pid` itself holds). */
function watchesOwnEventfdsOnly(pid: number, epfd: number): boolean {
  const info = read(`/proc/${pid}/fdinfo/${epfd}`);
  if (!info) return false;
  const fds = [...info.matchAll(/^tfd:\s+(\d+)/gm)].map((m) => m[1]);
  if (fds.length === 0) return false;
  return fds.every((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[eventfd]';
    } catch {
      return false;
    }
  });
}

/** Start time of a process in clock ticks since boot (tells a reused pid from the original). */
export function startTicksOf(pid: number): number | undefined {
  return statFields(pid)?.startTicks;
}

/** Where `pid` is right now; undefined if it has already gone. */
export function snapshot(pid: number): ProcessSnapshot | undefined {
  const stat = statFields(pid);
  if (!stat) return undefined;
  const syscall = syscallOf(`/proc/${pid}/syscall`);
  const nsPid = Number((read(`/proc/${pid}/status`) ?? '').match(/^NSpid:[ \t]*([\d \t]+)$/m)?.[1]?.trim().split(/\s+/).pop() ?? pid);
  const snap: ProcessSnapshot = {
    pid,
    nsPid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    wchan: read(`/proc/${pid}/wchan`) ?? '',
    syscall,
    syscallName: syscallName(syscall),
    cmdline: cmdlineOf(pid),
    cpuTicks: stat.cpuTicks,
  };
  const threads = threadsOf(pid);
  if (threads.length > 1) {
    snap.threads = threads.map((t) => ({
      tid: t.tid,
      comm: t.comm,
      state: t.state,
      wchan: t.wchan,
      syscall: t.syscall,
      syscallName: syscallName(t.syscall),
      cpuTicks: t.cpuTicks,
    }));
  }
  return snap;
}

export function cmdlineOf(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
}

/** A light read of one process for the deadlock watcher; undefined when it is gone. */
export function sampleProcess(pid: number): { pid: number; ppid: number; comm: string; cmdline: string; threads: ThreadState[] } | undefined {
  const stat = statFields(pid);
  if (!stat) return undefined;
  return { pid, ppid: stat.ppid, comm: stat.comm, cmdline: cmdlineOf(pid), threads: threadsOf(pid) };
}

/** Every descendant of `pid` (children first seen, then theirs). */
export function descendantsOf(pid: number): number[] {
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
