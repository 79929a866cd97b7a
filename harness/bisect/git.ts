/**
 * The user's repository, read-only: resolve refs, list the commits of a range, and check a commit
 * out into a scratch worktree outside the user's working tree (removed afterwards).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import { guardFs } from '../cli/fs-errors.ts';
import { writeOwner } from '../stage.ts';

async function git(repo: string, args: string[]): Promise<string> {
  const r = await execa('git', ['-C', repo, ...args], { reject: false });
  if (r.failed) throw new Error(r.stderr.split('\n')[0] || `git ${args[0]} failed`);
  return r.stdout.trim();
}

/** The repository's top level; one-line errors for a missing, non-git or dirty one. */
export async function openRepository(path: string): Promise<string> {
  if (!existsSync(path)) throw new UsageError(`repository ${path} does not exist`, 'NO_REPO');
  let top: string;
  try {
    top = await git(path, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new UsageError(`${path} is not a git repository`, 'NO_REPO');
  }
  const dirty = await git(top, ['status', '--porcelain', '--untracked-files=no']);
  if (dirty) throw new UsageError(`repository ${top} has uncommitted changes: commit or stash them first (bisect builds commits, not your working tree)`, 'DIRTY_REPO');
  return top;
}

export async function resolveCommit(repo: string, ref: string): Promise<string> {
  try {
    return await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`unknown commit "${ref}" in ${repo}`, 'UNKNOWN_COMMIT');
  }
}

/** `older`, then every commit on the ancestry path to `newer`, oldest first. */
export async function commitsBetween(repo: string, older: string, newer: string): Promise<string[]> {
  const isAncestor = await execa('git', ['-C', repo, 'merge-base', '--is-ancestor', older, newer], { reject: false });
  if (isAncestor.exitCode !== 0) throw new UsageError(`${older.slice(0, 12)} is not an ancestor of ${newer.slice(0, 12)}: not a range to bisect`, 'BAD_RANGE');
  const list = await git(repo, ['rev-list', '--reverse', '--ancestry-path', `${older}..${newer}`]);
  return [older, ...list.split('\n').filter(Boolean)];
}

export async function subject(repo: string, sha: string): Promise<string> {
  return git(repo, ['log', '-1', '--format=%h %s', sha]);
}

/** Runs `fn` in a detached scratch worktree of `sha`, removing it afterwards whatever happens. */
export async function withWorktree<T>(repo: string, sha: string, fn: (dir: string) => Promise<T>): Promise<T> {
  // Named like a stage, with its owner, so a worktree left by a SIGKILLed harness is swept.
  const base = guardFs({ path: tmpdir(), action: 'create', option: 'TMPDIR' }, () => mkdtempSync(join(tmpdir(), 'mirrord-regress-wt-')));
  writeOwner(base);
  const dir = join(base, 'wt');
  try {
    try {
      await git(repo, ['worktree', 'add', '--detach', '--quiet', dir, sha]);
    } catch (e) {
      throw new EnvironmentError(`cannot check out ${sha.slice(0, 12)} into a scratch worktree: ${(e as Error).message}`, 'WORKTREE');
    }
    return await fn(dir);
  } finally {
    await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
    await git(repo, ['worktree', 'prune']).catch(() => undefined);
  }
}
