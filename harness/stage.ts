/**
 * The stage: one world-readable temp directory per harness invocation holding staged copies of
 * what the run user must read (the lab, the workloads) and one fresh directory per attempt. It is
 * removed at the end, on Ctrl-C and on errors; a stage left by a harness that was SIGKILLed is
 * swept at the next start, once its recorded owner (pid + start time, on this machine) is provably
 * gone. A stage made with `keep` is marked kept and never swept: the user asked to look at it.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardFs } from './cli/fs-errors.ts';
import { buildCProgram } from './pipeline/c-workload.ts';
import { isAlive } from './liveness.ts';
import { ownerGone, selfOwner, type Owner } from './process-identity.ts';

const PREFIX = 'mirrord-regress-';
const OWNER = 'owner.pid';
/** Present in a stage the user asked to keep: the sweep leaves it alone. */
export const KEPT_MARK = 'kept';

export interface Stage {
  readonly root: string;
  /** Staged copy of scenarios/ruby. */
  readonly rubyDir: string;
  /** The Ruby that runs workloads. @default ruby (on PATH) */
  readonly ruby: string;
  /**
   * A C workload of scenarios/c (e.g. `vfork_probe.c`), built into `<root>/c` at its first use, and
   * the host path of the program; one line (EnvironmentError) when there is no compiler.
   */
  cProgram(source: string): string;
  /** True when made with `keep`: nothing is removed, and the root should be printed at the end. */
  readonly kept: boolean;
  /** A fresh, world-writable directory for one attempt. */
  attemptDir(label: string): string;
  /** Removes an attempt directory (unless keeping). */
  release(dir: string): void;
  /** Removes everything (unless keeping). */
  dispose(): void;
}

/** Records this process as the owner of `dir` (a stage or a scratch worktree), for the sweep. */
export function writeOwner(dir: string): void {
  writeFileSync(join(dir, OWNER), `${JSON.stringify(selfOwner())}\n`);
}

/** Whether the owner recorded in `dir` is provably gone; false when none is recorded (yet). */
function abandoned(dir: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(dir, OWNER), 'utf8').trim();
  } catch {
    return false; // not ours, or still being created
  }
  if (/^\d+$/.test(text)) return !isAlive(Number(text)); // written by an older harness: a bare pid
  try {
    return ownerGone(JSON.parse(text) as Partial<Owner>);
  } catch {
    return false;
  }
}

/** Removes stages (and scratch worktrees) whose harness is gone, except kept ones; returns how many. */
export function sweepStaleStages(base: string = tmpdir()): number {
  const names = guardFs({ path: base, action: 'read', option: 'TMPDIR' }, () => readdirSync(base));
  let swept = 0;
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(base, name);
    if (existsSync(join(dir, KEPT_MARK)) || !abandoned(dir)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      swept++;
    } catch {
      // Another user's leftovers in sticky /tmp: not ours to remove.
    }
  }
  return swept;
}

export function createStage(opts: { repoRoot: string; keep?: boolean; base?: string; ruby?: string }): Stage {
  const base = opts.base ?? tmpdir();
  const keep = Boolean(opts.keep);
  const root = guardFs({ path: base, action: 'create', option: 'TMPDIR' }, () => mkdtempSync(join(base, PREFIX)));
  const rubyDir = join(root, 'ruby');
  try {
    guardFs({ path: root, action: 'write', option: 'TMPDIR' }, () => {
      chmodSync(root, 0o755);
      // Marked before anything else, so even a SIGKILLed run's kept stage survives the next sweep.
      if (keep) writeFileSync(join(root, KEPT_MARK), 'kept by --keep: the sweep of abandoned stages leaves this directory alone\n');
      writeOwner(root);
      cpSync(join(opts.repoRoot, 'scenarios', 'ruby'), rubyDir, { recursive: true });
    });
  } catch (e) {
    if (!keep) rmSync(root, { recursive: true, force: true });
    throw e;
  }
  let n = 0;
  let disposed = false;
  const built = new Map<string, string>();
  return {
    root,
    rubyDir,
    ruby: opts.ruby ?? 'ruby',
    kept: keep,
    cProgram(source: string) {
      let program = built.get(source);
      if (program === undefined) {
        program = buildCProgram({ sourceDir: join(opts.repoRoot, 'scenarios', 'c'), outDir: join(root, 'c'), source });
        built.set(source, program);
      }
      return program;
    },
    attemptDir(label: string) {
      // Short on purpose: subjects put Unix sockets in here, and sun_path holds 108 bytes.
      const dir = join(root, 'runs', String(++n).padStart(4, '0'));
      guardFs({ path: dir, action: 'create', option: 'TMPDIR' }, () => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'label.txt'), `${label}\n`);
        chmodSync(join(root, 'runs'), 0o755);
        // The workload runs as another user and writes its report and events here.
        chmodSync(dir, 0o777);
      });
      return dir;
    },
    release(dir: string) {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
    dispose() {
      if (disposed || keep) return;
      disposed = true;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
