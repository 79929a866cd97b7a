/**
 * Who owns something the harness leaves on disk or in Docker (a stage, a lock, a container), in a
 * form that survives pid reuse: a pid alone may name another process after a reboot or a wrap, so
 * an owner is the pid plus its start time (field 22 of /proc/<pid>/stat), on a machine named by
 * hostname, boot id and PID namespace. Only an owner of this machine can be proven gone.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAlive } from './liveness.ts';

/** The machine a pid means something on. */
export interface Machine {
  host: string;
  /** /proc/sys/kernel/random/boot_id: changes on every boot, shared by containers on one kernel. */
  boot: string;
  /** The PID namespace (`pid:[4026531836]`): a pid names a process only inside its namespace. */
  pidns: string;
}

export interface Owner extends Machine {
  pid: number;
  /** Clock ticks after boot at which the process started; '' when /proc could not tell. */
  start: string;
}

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

/** Field 22 of /proc/<pid>/stat, or undefined when the process does not exist (or no /proc). */
export function startTimeOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: count fields after its closing one.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[22 - 3];
}

export function thisMachine(): Machine {
  return {
    host: hostname(),
    boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), ''),
    pidns: readOr(() => readlinkSync('/proc/self/ns/pid'), ''),
  };
}

export function selfOwner(): Owner {
  return { ...thisMachine(), pid: process.pid, start: startTimeOf(process.pid) ?? '' };
}

/** Same host, same boot, same PID namespace: only then do its pids mean ours. Unknown is not same. */
export function onThisMachine(m: Partial<Machine>, here: Machine = thisMachine()): boolean {
  return Boolean(m.boot && m.pidns && m.host) && m.host === here.host && m.boot === here.boot && m.pidns === here.pidns;
}

/** Whether the owner's process still runs: its pid exists and started when the owner did. */
export function ownerRunning(owner: Pick<Owner, 'pid' | 'start'>): boolean {
  if (!isAlive(owner.pid)) return false;
  const now = startTimeOf(owner.pid);
  // Without a recorded start (or without /proc), a live pid must be taken for the owner.
  return !owner.start || now === undefined || now === owner.start;
}

/**
 * Provably gone: made on this machine, and its pid is not running with its start time. An owner
 * of another machine (or one that recorded no machine) is never gone by this test.
 */
export function ownerGone(owner: Partial<Owner>, here: Machine = thisMachine(), running: (o: Pick<Owner, 'pid' | 'start'>) => boolean = ownerRunning): boolean {
  if (!onThisMachine(owner, here)) return false;
  if (!Number.isInteger(owner.pid) || owner.pid! <= 0) return false;
  return !running({ pid: owner.pid!, start: owner.start ?? '' });
}
