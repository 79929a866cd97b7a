/** The deadlock reading on /proc samples shaped like real ones (x86_64 syscall numbers). */
import { describe, expect, it } from 'vitest';
import { classifyThread, readDeadlock, type ProcessSample } from '../../harness/observe/deadlock.ts';
import type { ThreadState } from '../../harness/runners/host/proc.ts';

const FUTEX_WAIT_BITSET_PRIVATE = 0x89n;
const thread = (tid: number, over: Partial<ThreadState> = {}): ThreadState => ({
  tid, comm: 'ruby', state: 'S', wchan: 'futex_do_wait', syscall: '202', args: [0x7f00n, FUTEX_WAIT_BITSET_PRIVATE, 0n, 0n, 0n, 0n], cpuTicks: 10, ...over,
});
const proc = (pid: number, threads: ThreadState[], over: Partial<ProcessSample> = {}): ProcessSample => ({ pid, ppid: 1, comm: 'ruby', helper: false, threads, ...over });

const running = (tid: number) => thread(tid, { state: 'R', syscall: 'running', wchan: '', args: [] });
const timedFutex = (tid: number) => thread(tid, { args: [0x7f00n, FUTEX_WAIT_BITSET_PRIVATE, 0n, 0x7ffe0000n, 0n, 0n] });
const ppollForever = (tid: number) => thread(tid, { syscall: '271', wchan: 'poll_schedule_timeout.constprop.0', args: [0x7ffen, 1n, 0n, 0n, 0n, 0n] });
const wait4 = (tid: number) => thread(tid, { syscall: '61', wchan: 'do_wait', args: [0x58d2n, 0x7ffen, 0n, 0n, 0n, 0n] });
const nanosleep = (tid: number) => thread(tid, { syscall: '230', wchan: 'hrtimer_nanosleep', args: [0n, 0n, 0x7ffen, 0n, 0n, 0n] });
const flock = (tid: number) => thread(tid, { syscall: '73', wchan: 'locks_lock_inode_wait', args: [7n, 2n, 0n, 0n, 0n, 0n] });
const vforkParent = (tid: number) => thread(tid, { state: 'D', syscall: '58', wchan: 'wait_for_vfork_done', args: [] });

describe('classifyThread', () => {
  it('tells untimed lock waits from timed sleeps, I/O waits, child waits and running threads', () => {
    expect(classifyThread(thread(1), 'x64')).toBe('lock');
    expect(classifyThread(timedFutex(1), 'x64')).toBe('timed');
    expect(classifyThread(thread(1, { args: [0x7f00n, 0x81n, 1n, 0n, 0n, 0n] }), 'x64')).toBe('other'); // FUTEX_WAKE does not sleep
    expect(classifyThread(flock(1), 'x64')).toBe('lock');
    expect(classifyThread(thread(1, { syscall: '72', wchan: 'locks_lock_inode_wait', args: [3n, 7n, 0x7ffen, 0n, 0n, 0n] }), 'x64')).toBe('lock'); // fcntl F_SETLKW
    expect(classifyThread(ppollForever(1), 'x64')).toBe('io');
    expect(classifyThread(nanosleep(1), 'x64')).toBe('timed');
    expect(classifyThread(wait4(1), 'x64')).toBe('child');
    expect(classifyThread(vforkParent(1), 'x64')).toBe('child');
    expect(classifyThread(running(1), 'x64')).toBe('running');
    expect(classifyThread(thread(1, { state: 'T' }), 'x64')).toBe('stopped');
  });
});

describe('readDeadlock', () => {
  it('one thread in an untimed futex wait, the intproxy helper polling: deadlocked', () => {
    const r = readDeadlock([proc(5, [thread(5)]), proc(6, [ppollForever(6), timedFutex(7)], { helper: true, comm: 'mirrord-lab' })], 'x64');
    expect(r).toMatchObject({ deadlocked: true, threads: 1, detail: '1 thread in an untimed lock wait' });
  });

  it('a Queue consumer waits while its worker still runs: not deadlocked', () => {
    const r = readDeadlock([proc(5, [thread(5), running(6)])], 'x64');
    expect(r).toMatchObject({ deadlocked: false, why: 'ruby (pid 5) tid 6 is running in user space' });
  });

  it('a thread asleep with a timeout can wake by itself: not deadlocked', () => {
    expect(readDeadlock([proc(5, [thread(5), timedFutex(6)])], 'x64')).toMatchObject({ deadlocked: false, why: 'ruby (pid 5) tid 6 is asleep with a timeout in syscall 202 (futex_do_wait)' });
    expect(readDeadlock([proc(5, [ppollForever(5)])], 'x64').deadlocked).toBe(false);
  });

  it('a parent waiting for a child that still works: not deadlocked', () => {
    const r = readDeadlock([proc(5, [wait4(5)]), proc(8, [nanosleep(8)], { ppid: 5, comm: 'sleep' })], 'x64');
    expect(r).toMatchObject({ deadlocked: false, why: 'sleep (pid 8) tid 8 is asleep with a timeout in syscall 230 (hrtimer_nanosleep)' });
  });

  it('a vfork parent whose child is stuck on a lock: deadlocked, through the child', () => {
    const r = readDeadlock([proc(5, [vforkParent(5)]), proc(8, [thread(8)], { ppid: 5 })], 'x64');
    expect(r).toMatchObject({ deadlocked: true, threads: 2, detail: '1 thread in an untimed lock wait, 1 waiting for a stuck child' });
  });

  it('only helpers left, or only child waits with no lock anywhere: not deadlocked', () => {
    expect(readDeadlock([proc(6, [thread(6)], { helper: true })], 'x64')).toMatchObject({ deadlocked: false, why: 'no workload process is alive' });
    expect(readDeadlock([proc(5, [wait4(5)])], 'x64')).toMatchObject({ deadlocked: false, why: 'ruby (pid 5) tid 5 waits for a child that is not a workload process' });
  });
});
