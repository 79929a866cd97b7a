/**
 * A guard strategy as a checked source edit of the exec hook's guard line. mirrord 3.112.0's Linux
 * `execve_detour` (mirrord/layer/src/exec_hooks/hooks.rs) holds `let _guard = DetourGuard::new();`
 * across the real exec; the upstream experiments were: none (no guard), normal (as released), forget
 * (the guard created and leaked with `std::mem::forget`). The anchor must occur exactly once in the
 * exec-hook sources, or the edit refuses: an edit that guessed would test something else.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { EnvironmentError } from '../../cli/errors.ts';
import type { Strategy } from '../../model/result.ts';

export const GUARD_LINE = 'let _guard = DetourGuard::new();';
/** Where exec hooks live: mirrord's `exec_hooks/` module, the lab's `exec_hooks.rs`. */
const EXEC_HOOK_FILES = ['*exec_hooks*.rs', '*exec_hooks/*.rs'];

const REPLACEMENT: Record<Strategy, string | null> = {
  normal: null,
  none: '// mirrord-regress: strategy none, no DetourGuard in the exec hook',
  forget: 'std::mem::forget(DetourGuard::new()); // mirrord-regress: strategy forget',
};

export interface GuardSite {
  /** Path inside the checkout. */
  file: string;
  line: number;
}

/** The one place the guard line stands at `rev`, or why there is not exactly one. */
export function findGuardSync(repo: string, rev: string): GuardSite | string {
  const r = execaSync('git', ['-C', repo, 'grep', '-n', '-F', GUARD_LINE, rev, '--', ...EXEC_HOOK_FILES], { reject: false });
  const hits = r.exitCode === 0 ? String(r.stdout).split('\n').filter(Boolean) : [];
  if (hits.length === 1) {
    const [, file, line] = /^[^:]+:(.+):(\d+):/.exec(hits[0]!) ?? [];
    if (file && line) return { file, line: Number(line) };
  }
  const where = `the exec-hook sources (${EXEC_HOOK_FILES.join(', ')}) at ${rev.slice(0, 12)}`;
  if (hits.length === 0) return `\`${GUARD_LINE}\` is not in ${where}: this revision's exec hook holds no guard, so only its own build (no --strategy) can run`;
  return `\`${GUARD_LINE}\` stands ${hits.length} times in ${where} (${hits.map((h) => h.split(':').slice(1, 3).join(':')).join(', ')}): the edit would be a guess`;
}

/** Identifies an edit in a build cache key: the same anchor and replacement give the same key. */
export function editKey(strategy: Strategy | null): string {
  const replacement = strategy ? REPLACEMENT[strategy] : null;
  return replacement === null ? 'as-released' : createHash('sha256').update(`${GUARD_LINE}\n${replacement}`).digest('hex').slice(0, 12);
}

/** Applies `strategy` to the checkout in `dir` (a scratch worktree); `normal`/null leave it as released. */
export function applyGuardEdit(dir: string, site: GuardSite, strategy: Strategy | null): void {
  const replacement = strategy ? REPLACEMENT[strategy] : null;
  if (replacement === null) return;
  const path = join(dir, site.file);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const at = site.line - 1;
  if (!lines[at]?.includes(GUARD_LINE) || text.split(GUARD_LINE).length !== 2) {
    throw new EnvironmentError(`${site.file}:${site.line} is not the one guard line any more: the checkout changed under the edit`, 'GUARD_EDIT');
  }
  lines[at] = lines[at]!.replace(GUARD_LINE, replacement);
  writeFileSync(path, lines.join('\n'));
}
