/**
 * Builds one commit of a checkout in a scratch worktree (the user's tree is never touched), with a
 * guard strategy applied as a source edit when one is asked for, and keeps what the build left in a
 * cache entry per (commit, edit): the layer, and the CLI and agent when the build made them. Shared
 * by `mirrord-src:` subjects and `bisect --git`. A failed build is a result (a bisect skip), not an error.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { guardFs } from '../../cli/fs-errors.ts';
import type { Strategy } from '../../model/result.ts';
import { locateArtifacts, BUILD_OUTPUTS, LAYER_FILE, type LocatedArtifacts } from '../../bisect/artifacts.ts';
import { shellArgv } from '../../bisect/contain.ts';
import { withWorktree } from '../../bisect/git.ts';
import { applyGuardEdit, type GuardSite } from './guard-edit.ts';

/** Ctrl-C during a build: nothing may be recorded for it (a cancelled build is not a failed one). */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** The name, in a build cache entry, of the file recording where the build left its outputs. */
export const ARTIFACTS_FROM = 'from.txt';

export interface BuildRequest {
  repo: string;
  sha: string;
  /** A shell command run in the worktree's top level. */
  command: string;
  /** Where the outputs are, relative to the checkout (`--artifacts`); null: found in cargo's target dir. */
  artifacts: string | null;
  /** The edit to apply first; null (or normal) builds the commit as it is. */
  edit?: { site: GuardSite; strategy: Strategy };
  /** The cache entry this build fills (complete once its layer is there). */
  entry: string;
  signal?: AbortSignal;
}

export type BuildResult = { dir: string } | { failed: string };

/** Whether an entry holds a complete build (the layer is renamed into place last). */
export function isBuilt(entry: string): boolean {
  return existsSync(join(entry, LAYER_FILE));
}

// Each build runs in a fresh worktree, so every source file is newer than any earlier output: cargo
// (mtime-based freshness) always rebuilds, even with a CARGO_TARGET_DIR shared across builds.
async function runBuild(req: BuildRequest, dir: string): Promise<LocatedArtifacts | { failed: string }> {
  if (req.edit) applyGuardEdit(dir, req.edit.site, req.edit.strategy);
  const { file, args } = await shellArgv(req.command);
  // Own process group, so a Ctrl-C stops the whole build (cargo and its rustc), not just `sh`;
  // as root also its own PID namespace, which dies with the harness (contain.ts).
  const build = execa(file, args, { cwd: dir, reject: false, all: true, detached: true });
  const cancel = () => {
    try {
      process.kill(-build.pid!, 'SIGKILL');
    } catch {
      // already done
    }
  };
  req.signal?.addEventListener('abort', cancel, { once: true });
  const r = await build.finally(() => req.signal?.removeEventListener('abort', cancel));
  if (req.signal?.aborted) throw new Interrupted();
  if (r.failed) return { failed: `build failed: ${(r.all ?? '').trim().split('\n').pop() || `exit ${r.exitCode}`}` };
  const located = locateArtifacts(dir, req.command, req.artifacts);
  return located.dir ? located : { failed: located.problem! };
}

/** Copies what the build left into the entry; the layer last, as the mark of a complete entry. */
function keep(entry: string, located: LocatedArtifacts): void {
  try {
    guardFs({ path: entry, action: 'write', option: '--out' }, () => {
      mkdirSync(entry, { recursive: true });
      writeFileSync(join(entry, ARTIFACTS_FROM), `${located.shown}\n`);
      for (const name of BUILD_OUTPUTS) {
        if (name !== LAYER_FILE && existsSync(join(located.dir!, name))) copyFileSync(join(located.dir!, name), join(entry, name));
      }
      copyFileSync(join(located.dir!, LAYER_FILE), join(entry, `${LAYER_FILE}.tmp`));
      renameSync(join(entry, `${LAYER_FILE}.tmp`), join(entry, LAYER_FILE));
    });
  } catch (e) {
    rmSync(entry, { recursive: true, force: true });
    throw e;
  }
}

/** The entry's directory once built (reused when it already is), or why the build failed. */
export async function buildCommit(req: BuildRequest): Promise<BuildResult> {
  if (isBuilt(req.entry)) return { dir: req.entry };
  if (req.signal?.aborted) throw new Interrupted();
  return withWorktree(req.repo, req.sha, async (dir) => {
    const located = await runBuild(req, dir);
    if ('failed' in located) return located;
    keep(req.entry, located);
    return { dir: req.entry };
  });
}
