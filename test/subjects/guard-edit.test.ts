/** The strategy edit: its anchor found exactly once in the exec-hook sources, or a clear refusal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import tmp from 'tmp';
import { applyGuardEdit, editKey, findGuardSync, GUARD_LINE } from '../../harness/subjects/source/guard-edit.ts';

// The shape of mirrord 3.112.0's mirrord/layer/src/exec_hooks/hooks.rs around the line.
const HOOK = (body: string) => `pub(crate) unsafe extern "C" fn execve_detour(path: *const c_char) -> c_int {\n    use crate::{common::CheckedInto, detour::DetourGuard};\n\n${body}\n    FN_EXECVE(path, argv, envp)\n}\n`;
const SOCKET = 'fn socket() {\n        let _guard = DetourGuard::new();\n}\n';

let dir = '';
let remove = () => {};
const git = (...args: string[]) => String(execaSync('git', ['-C', dir, ...args], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).stdout).trim();
const commit = (files: Record<string, string>) => {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'c');
  return git('rev-parse', 'HEAD');
};

describe('the guard line edit', () => {
  let once = '';
  let none = '';
  let twice = '';
  beforeAll(() => {
    const t = tmp.dirSync({ prefix: 'guard-edit-', unsafeCleanup: true });
    dir = t.name;
    remove = t.removeCallback;
    git('init', '-q');
    // The same line in the socket hooks (as in 3.112.0's socket.rs) does not count: only exec hooks do.
    once = commit({ 'mirrord/layer/src/exec_hooks/hooks.rs': HOOK(`    ${GUARD_LINE}`), 'mirrord/layer/src/socket.rs': SOCKET });
    none = commit({ 'mirrord/layer/src/exec_hooks/hooks.rs': HOOK('    // no guard (3.112.1)') });
    twice = commit({ 'mirrord/layer/src/exec_hooks/hooks.rs': HOOK(`    ${GUARD_LINE}\n    ${GUARD_LINE}`) });
  });
  afterAll(() => remove());

  it('finds the one guard line of the exec hook, not the socket hook\'s', () => {
    expect(findGuardSync(dir, once)).toEqual({ file: 'mirrord/layer/src/exec_hooks/hooks.rs', line: 4 });
  });

  it('says why when the line is missing or stands twice', () => {
    expect(findGuardSync(dir, none)).toBe(`\`${GUARD_LINE}\` is not in the exec-hook sources (*exec_hooks*.rs, *exec_hooks/*.rs) at ${none.slice(0, 12)}: this revision's exec hook holds no guard, so only its own build (no --strategy) can run`);
    expect(findGuardSync(dir, twice)).toBe(`\`${GUARD_LINE}\` stands 2 times in the exec-hook sources (*exec_hooks*.rs, *exec_hooks/*.rs) at ${twice.slice(0, 12)} (mirrord/layer/src/exec_hooks/hooks.rs:4, mirrord/layer/src/exec_hooks/hooks.rs:5): the edit would be a guess`);
  });

  it('none removes the guard, forget leaks it, normal leaves the file as released; keys differ per edit', () => {
    git('checkout', '-q', once);
    const path = join(dir, 'mirrord/layer/src/exec_hooks/hooks.rs');
    const site = findGuardSync(dir, once);
    if (typeof site === 'string') throw new Error(site);
    const released = readFileSync(path, 'utf8');
    applyGuardEdit(dir, site, 'normal');
    expect(readFileSync(path, 'utf8')).toBe(released);
    applyGuardEdit(dir, site, 'forget');
    expect(readFileSync(path, 'utf8')).toBe(released.replace(GUARD_LINE, 'std::mem::forget(DetourGuard::new()); // mirrord-regress: strategy forget'));
    writeFileSync(path, released);
    applyGuardEdit(dir, site, 'none');
    expect(readFileSync(path, 'utf8')).not.toContain('DetourGuard::new()');
    expect(new Set([editKey(null), editKey('normal'), editKey('none'), editKey('forget')]).size).toBe(3);
    expect(editKey('normal')).toBe('as-released');
    // A file that no longer holds the line where it was is refused, not edited somewhere else.
    expect(() => applyGuardEdit(dir, site, 'none')).toThrow(/is not the one guard line any more/);
  });
});
