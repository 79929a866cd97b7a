/**
 * Reads process state from /proc: which processes belong to a run's PID namespace, and, at a
 * timeout, where each one is stuck (state, wchan, current syscall) before anything is killed.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { ProcessSnapshot } from '../../model/result.ts';

// Syscall numbers a stuck workload is typically parked in, per architecture.
const SYSCALL_NAMES: Record<string, Record<number, string>> = {
  x64: { 0: 'read', 1: 'write', 7: 'poll', 23: 'select', 35: 'nanosleep', 42: 'connect', 43: 'accept', 61: 'wait4', 202: 'futex', 230: 'clock_nanosleep', 232: 'epoll_wait', 270: 'pselect6', 271: 'ppoll', 281: 'epoll_pwait', 288: 'accept4', 45: 'recvfrom', 56: 'clone', 58: 'vfork', 59: 'execve' },
  arm64: { 63: 'read', 64: 'write', 73: 'ppoll', 98: 'futex', 101: 'nanosleep', 115: 'clock_nanosleep', 203: 'connect', 202: 'accept', 242: 'accept4', 260: 'wait4', 220: 'clone', 221: 'execve', 22: 'epoll_pwait' },
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

function statFields(pid: number, tid?: number): { comm: string; state: string; ppid: number } | undefined {
  const stat = read(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`);
  if (!stat) return undefined;
  // comm may contain spaces and parentheses: it spans from the first '(' to the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const rest = stat.slice(close + 2).split(' ');
  return { comm: stat.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

function syscallOf(path: string): string {
  const text = (read(path) ?? '').trim();
  return text.split(' ')[0] || 'unknown';
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
    cmdline: (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' '),
  };
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // gone between reads
  }
  if (tids.length > 1) {
    snap.threads = tids.map((t) => {
      const tid = Number(t);
      const sc = syscallOf(`/proc/${pid}/task/${tid}/syscall`);
      return {
        tid,
        comm: statFields(pid, tid)?.comm ?? '?',
        wchan: read(`/proc/${pid}/task/${tid}/wchan`) ?? '',
        syscall: sc,
        syscallName: syscallName(sc),
      };
    });
  }
  return snap;
}
