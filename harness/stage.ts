/**
 * The stage: one world-readable temp directory per harness invocation holding staged copies of
 * what the run user must read (the lab, the workloads) and one fresh directory per attempt. It is
 * removed at the end, on Ctrl-C and on errors; a stage left by a harness that was SIGKILLed is
 * swept at the next start (its owner pid is recorded inside).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './liveness.ts';

const PREFIX = 'mirrord-regress-';
const OWNER = 'owner.pid';

export interface Stage {
  readonly root: string;
  /** Staged copy of scenarios/ruby. */
  readonly rubyDir: string;
  /** The Ruby that runs workloads. @default ruby (on PATH) */
  readonly ruby: string;
  /** A fresh, world-writable directory for one attempt. */
  attemptDir(label: string): string;
  /** Removes an attempt directory (unless keeping). */
  release(dir: string): void;
  /** Removes everything (unless keeping). */
  dispose(): void;
}


/** Removes stages whose harness is gone; returns how many. */
export function sweepStaleStages(base: string = tmpdir()): number {
  let swept = 0;
  for (const name of readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(base, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER), 'utf8'));
    } catch {
      continue; // not ours, or still being created
    }
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      try {
        rmSync(dir, { recursive: true, force: true });
        swept++;
      } catch {
        // Another user's leftovers in sticky /tmp: not ours to remove.
      }
    }
  }
  return swept;
}

export function createStage(opts: { repoRoot: string; keep?: boolean; base?: string; ruby?: string }): Stage {
  const root = mkdtempSync(join(opts.base ?? tmpdir(), PREFIX));
  chmodSync(root, 0o755);
  writeFileSync(join(root, OWNER), String(process.pid));
  const rubyDir = join(root, 'ruby');
  cpSync(join(opts.repoRoot, 'scenarios', 'ruby'), rubyDir, { recursive: true });
  let n = 0;
  let disposed = false;
  return {
    root,
    rubyDir,
    ruby: opts.ruby ?? 'ruby',
    attemptDir(label: string) {
      // Short on purpose: subjects put Unix sockets in here, and sun_path holds 108 bytes.
      const dir = join(root, 'runs', String(++n).padStart(4, '0'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'label.txt'), `${label}\n`);
      chmodSync(join(root, 'runs'), 0o755);
      // The workload runs as another user and writes its report and events here.
      chmodSync(dir, 0o777);
      return dir;
    },
    release(dir: string) {
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
    dispose() {
      if (disposed || opts.keep) return;
      disposed = true;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
