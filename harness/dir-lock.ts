/**
 * One run per output directory. proper-lockfile takes the lock (an atomic mkdir, kept fresh by
 * mtime updates); next to it an owner file records who holds it (pid, start time, machine), so a
 * second run can name the holder, and a lock left by a SIGKILLed run on this machine is taken over
 * at once instead of blocking until its mtime goes stale (which still frees locks of other machines).
 */
import { existsSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { UsageError } from './cli/errors.ts';
import { errnoOf, fsFault } from './cli/fs-errors.ts';
import { writeAtomic } from './files.ts';
import { onThisMachine, ownerGone, selfOwner, type Owner } from './process-identity.ts';

export const LOCK_NAME = '.mirrord-regress.lock';
export const OWNER_NAME = '.mirrord-regress.owner';

/** A holder on another machine refreshes the lock's mtime every STALE_MS / 2; older means gone. */
const STALE_MS = 60_000;

interface LockOwner extends Owner {
  /** What holds it, for the refusal line: `matrix`, `bisect`, `report merge`. */
  purpose: string;
  since: string;
}

export interface DirLock {
  readonly dir: string;
  /** Idempotent; safe on every exit path. */
  release(): void;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) ? o : undefined;
  } catch {
    return undefined;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined): boolean => Boolean(a && b && a.pid === b.pid && a.start === b.start && a.boot === b.boot);

/**
 * Removes the lock of a dead holder. The owner file is claimed by renaming it first: of two runs
 * racing to take over, only one gets it, so only one removes the lock directory.
 */
function clearDeadHolder(lockPath: string, ownerPath: string, dead: LockOwner): void {
  const claimed = `${ownerPath}.${process.pid}.stale`;
  try {
    renameSync(ownerPath, claimed);
  } catch {
    return; // someone else is taking it over
  }
  const taken = readOwner(claimed);
  if (!sameOwner(taken, dead)) {
    // A new holder wrote its owner file in between: give it back.
    try {
      renameSync(claimed, ownerPath);
    } catch {
      rmSync(claimed, { force: true });
    }
    return;
  }
  rmSync(claimed, { force: true });
  try {
    rmdirSync(lockPath);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
  }
}

function refusal(dir: string, holder: LockOwner | undefined, option: string): string {
  if (!holder) return `${dir} is in use by another mirrord-regress run (its owner is not recorded; if none is running, remove ${join(dir, LOCK_NAME)}): wait for it to finish, or choose another ${option}`;
  const where = onThisMachine(holder) ? '' : ` on ${holder.host}`;
  return `${dir} is in use by another ${holder.purpose} run (pid ${holder.pid}${where}, since ${holder.since}): wait for it to finish, or choose another ${option}`;
}

export function lockDir(dir: string, opts: { purpose: string; option: string }): DirLock {
  const lockPath = join(dir, LOCK_NAME);
  const ownerPath = join(dir, OWNER_NAME);
  let unlock: (() => void) | undefined;
  for (let tries = 0; !unlock; tries++) {
    const before = readOwner(ownerPath);
    if (before && ownerGone(before) && existsSync(lockPath)) {
      try {
        clearDeadHolder(lockPath, ownerPath, before);
      } catch (e) {
        throw fsFault(e, { path: lockPath, action: 'remove', option: opts.option });
      }
    }
    try {
      unlock = lockfile.lockSync(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        // The default throws from a timer (a crash with a stack trace); a warning is enough.
        onCompromised: (e) => process.stderr.write(`mirrord-regress: warning: lost the lock on ${dir} (${e.message}); another run may write there too\n`),
      });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ELOCKED') throw fsFault(e, { path: dir, action: 'write', option: opts.option });
      const holder = readOwner(ownerPath);
      // No owner yet: the holder is between taking the lock and writing its owner file.
      if (tries < 20 && (!holder || ownerGone(holder))) {
        sleepSync(25);
        continue;
      }
      throw new UsageError(refusal(dir, holder, opts.option), 'DIR_IN_USE');
    }
  }
  const me: LockOwner = { ...selfOwner(), purpose: opts.purpose, since: new Date().toISOString() };
  try {
    writeAtomic(ownerPath, `${JSON.stringify(me)}\n`, opts.option);
  } catch (e) {
    unlock();
    throw e;
  }
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      released = true;
      try {
        if (sameOwner(readOwner(ownerPath), me)) rmSync(ownerPath, { force: true });
        unlock!();
      } catch {
        // already released or compromised: nothing of ours is left to remove
      }
    },
  };
}
