/**
 * An output directory a command writes into (`matrix --out`, `report merge --out`, a bisect
 * session): created if missing, locked against a second run, and on release unlocked, with the
 * directories this run created removed again when nothing was written into them.
 */
import { lockDir, type DirLock } from './dir-lock.ts';
import { ensureDir, removeEmptyDirs } from './files.ts';

export interface OutputDir {
  readonly path: string;
  /** Directories this run created, outermost first. */
  readonly created: readonly string[];
  /** Unlocks, and removes the directories this run created if they are (still) empty. Idempotent. */
  release(): void;
}

export function claimOutputDir(path: string, opts: { option: string; purpose: string }): OutputDir {
  const created = ensureDir(path, opts.option);
  let lock: DirLock;
  try {
    lock = lockDir(path, opts);
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
  return {
    path,
    created,
    release() {
      lock.release();
      removeEmptyDirs(created);
    },
  };
}
