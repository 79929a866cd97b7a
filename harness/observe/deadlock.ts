/**
 * Is the workload deadlocked right now? A pure reading of one /proc sample: every thread of the
 * workload's processes (the subject's helpers left out) must be blocked in a wait that nothing but
 * another blocked thread can end: an untimed futex or file-lock wait, a wait for a child (wait4,
 * or a vfork parent) whose own threads are all deadlocked, or a timer thread's poll of its own
 * process's eventfds. Anything runnable, anything asleep with
 * a timeout (nanosleep, poll, a timed futex) and anything waiting on I/O means it may still move.
 * Whether it has *stayed* so (CPU and layer events frozen) is the watcher's job (attempt-watch.ts).
 */
import type { ThreadState } from '../runners/host/proc.ts';

/**
 * How one thread waits. `lock` and `child` can be part of a deadlock; so can a `ticker`: a runtime's
 * timer thread (Ruby 3.3's) that wakes on a timeout but watches nothing except its own process's
 * eventfds, so it only ever gets work from the threads that are stuck. The others can move.
 */
export type WaitClass = 'lock' | 'child' | 'ticker' | 'timed' | 'io' | 'running' | 'stopped' | 'dead' | 'other';

export interface ProcessSample {
  pid: number;
  ppid: number;
  comm: string;
  /** The subject's own helper (intproxy, launcher) or the sandbox's wrapper: not the workload. */
  helper: boolean;
  threads: ThreadState[];
}

interface Numbers {
  futex: number;
  futexWaitv: number;
  flock: number;
  fcntl: number;
  child: number[];
  timed: number[];
  io: number[];
}

// Per architecture: which syscalls are lock waits, child waits, timed sleeps and I/O waits.
const NUMBERS: Record<string, Numbers> = {
  x64: { futex: 202, futexWaitv: 449, flock: 73, fcntl: 72, child: [61, 247, 56, 58, 435], timed: [35, 230], io: [0, 7, 23, 45, 43, 288, 232, 270, 271, 281, 441, 42] },
  arm64: { futex: 98, futexWaitv: 449, flock: 32, fcntl: 25, child: [260, 95, 220, 435], timed: [101, 115], io: [63, 73, 22, 202, 242, 203, 441] },
};

// futex ops that sleep: WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI, LOCK_PI2.
const FUTEX_SLEEPING_OPS = new Set([0n, 6n, 9n, 11n, 13n]);
const FUTEX_CMD_MASK = 0x7fn; // strips FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256)
const F_SETLKW = 7n;
const F_OFD_SETLKW = 38n;
// Kernel functions a thread sleeps in while a parent waits for its vfork child to exec or exit.
const CHILD_WCHAN = /wait_for_vfork_done|do_wait/;
const LOCK_WCHAN = /futex|locks_lock_inode_wait|flock_lock_inode_wait|posix_lock_inode_wait/;

export function classifyThread(t: ThreadState, arch: string = process.arch): WaitClass {
  if (t.state === 'Z' || t.state === 'X') return 'dead';
  if (t.state === 'T' || t.state === 't') return 'stopped';
  if (t.state === 'R' || t.syscall === 'running') return 'running';
  if (t.state !== 'S' && t.state !== 'D') return 'other';
  const n = NUMBERS[arch];
  const nr = Number(t.syscall);
  if (!n || !Number.isInteger(nr)) return LOCK_WCHAN.test(t.wchan) ? 'lock' : 'other';
  const [, a1, , a3] = t.args;
  if (nr === n.futex) {
    if (a1 === undefined || !FUTEX_SLEEPING_OPS.has(a1 & FUTEX_CMD_MASK)) return 'other';
    return a3 === 0n ? 'lock' : 'timed';
  }
  if (nr === n.futexWaitv) return a3 === 0n ? 'lock' : 'timed';
  if (nr === n.flock) return 'lock';
  if (nr === n.fcntl) return a1 === F_SETLKW || a1 === F_OFD_SETLKW ? 'lock' : 'other';
  if (t.watchesOwnEventfdsOnly) return 'ticker';
  if (n.child.includes(nr) || CHILD_WCHAN.test(t.wchan)) return 'child';
  if (n.timed.includes(nr)) return 'timed';
  if (n.io.includes(nr)) return 'io';
  return 'other';
}

export interface DeadlockReading {
  deadlocked: boolean;
  /** Workload threads looked at. */
  threads: number;
  /** When not deadlocked: the first thread that can still move, and how. */
  why: string;
  /** When deadlocked: e.g. `2 threads blocked in futex, 1 waiting for a child`. */
  detail: string;
}

const syscallLabel = (t: ThreadState): string => (t.syscall === 'running' ? 'user space' : `syscall ${t.syscall}${t.wchan ? ` (${t.wchan})` : ''}`);

/** Reads one sample of the attempt's processes. */
export function readDeadlock(processes: ProcessSample[], arch: string = process.arch): DeadlockReading {
  const workload = processes.filter((p) => !p.helper && p.threads.some((t) => classifyThread(t, arch) !== 'dead'));
  if (workload.length === 0) return { deadlocked: false, threads: 0, why: 'no workload process is alive', detail: '' };
  const memo = new Map<number, string | null>();
  // null: deadlocked; else the reason it is not. Cycles cannot happen in a process tree.
  const blockedForGood = (p: ProcessSample): string | null => {
    if (memo.has(p.pid)) return memo.get(p.pid)!;
    memo.set(p.pid, `${p.comm} (pid ${p.pid}) is being examined`);
    const children = workload.filter((c) => c.ppid === p.pid);
    let verdict: string | null = null;
    for (const t of p.threads) {
      const c = classifyThread(t, arch);
      if (c === 'lock' || c === 'dead' || c === 'ticker') continue;
      if (c === 'child') {
        if (children.length === 0) {
          verdict = `${p.comm} (pid ${p.pid}) tid ${t.tid} waits for a child that is not a workload process`;
          break;
        }
        const moving = children.map(blockedForGood).find((r) => r !== null);
        if (moving) {
          verdict = moving;
          break;
        }
        continue;
      }
      verdict = `${p.comm} (pid ${p.pid}) tid ${t.tid} is ${c === 'running' ? 'running' : `${c === 'timed' ? 'asleep with a timeout' : c === 'io' ? 'waiting on I/O' : c}`} in ${syscallLabel(t)}`;
      break;
    }
    memo.set(p.pid, verdict);
    return verdict;
  };
  // Every workload process must be stuck, not only the roots: a stuck parent of a busy child moves.
  for (const p of workload) {
    const why = blockedForGood(p);
    if (why !== null) return { deadlocked: false, threads: countThreads(workload), why, detail: '' };
  }
  const classes = workload.flatMap((p) => p.threads.map((t) => classifyThread(t, arch))).filter((c) => c !== 'dead');
  const locks = classes.filter((c) => c === 'lock').length;
  const waits = classes.filter((c) => c === 'child').length;
  const tickers = classes.filter((c) => c === 'ticker').length;
  if (locks === 0) return { deadlocked: false, threads: classes.length, why: 'no thread is in a lock wait', detail: '' };
  const detail = [
    `${locks} thread${locks === 1 ? '' : 's'} in an untimed lock wait`,
    ...(waits ? [`${waits} waiting for a stuck child`] : []),
    ...(tickers ? [`${tickers} timer thread${tickers === 1 ? '' : 's'} polling only ${tickers === 1 ? 'its' : 'their'} own eventfd`] : []),
  ].join(', ');
  return { deadlocked: true, threads: classes.length, why: '', detail };
}

function countThreads(ps: ProcessSample[]): number {
  return ps.reduce((n, p) => n + p.threads.length, 0);
}
