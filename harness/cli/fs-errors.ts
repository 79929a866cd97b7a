/**
 * Node file-system errors as the one line the CLI prints: what could not be done to which path
 * (and which option gave it), what the errno means, and what to do about it. Anything that is not
 * an errno error passes through untouched (it is a bug and keeps its stack trace).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError, UsageError } from './errors.ts';

export type FsAction = 'create' | 'write' | 'read' | 'remove';

export interface FsWhere {
  /** The path the operation was on (named in the line). */
  path: string;
  action: FsAction;
  /** The option or variable the path came from (`--out`, `TMPDIR`), to say what to change. */
  option?: string;
}

const MEANING: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'a file is in the way',
  ENOTDIR: 'it, or a directory on its path, is a file',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'the resource is busy',
  EXDEV: 'the paths are on different file systems',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
};

const VERB: Record<FsAction, string> = { create: 'create', write: 'write', read: 'read', remove: 'remove' };

export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ELOCKED' ? code : undefined;
}

function fixFor(code: string, where: FsWhere, parentMissing: boolean): string {
  const other = where.option ? `another ${where.option}` : 'another path';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return where.action === 'read' ? 'check its permissions' : `choose ${other}, or one you may write to`;
    case 'EROFS':
      return `choose ${other} on a writable file system`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `free some space there, or choose ${other}`;
    case 'ENOENT':
      if (where.action === 'read') return 'check the path';
      return parentMissing ? `create it first, or choose ${other}` : `choose ${other} on a normal disk`;
    case 'EISDIR':
      return 'give a file, not a directory';
    case 'ENAMETOOLONG':
      return 'use a shorter path';
    case 'EMFILE':
    case 'ENFILE':
      return 'raise the open-file limit (ulimit -n)';
    default:
      return `choose ${other}`;
  }
}

/** What an errno error means and what to do, e.g. `read-only file system (EROFS); choose another --out ...`. */
export function errnoReason(e: unknown, where: FsWhere): string | undefined {
  const code = errnoOf(e);
  if (!code) return undefined;
  let meaning = MEANING[code] ?? ((e as Error).message.split('\n')[0] ?? code).replace(/^[A-Z]+: /, '').replace(/, .*$/, '');
  let parentMissing = false;
  if (code === 'ENOENT' && where.action !== 'read') {
    parentMissing = !existsSync(dirname(where.path));
    // mkdir under /proc or /sys answers ENOENT although the parent exists: the file system refuses.
    meaning = parentMissing ? `its directory ${dirname(where.path)} does not exist` : 'this file system does not allow creating files here';
  }
  return `${meaning} (${code}); ${fixFor(code, where, parentMissing)}`;
}

/** The line for an errno error (without the `mirrord-regress: ` prefix), or undefined for other errors. */
export function fsErrorLine(e: unknown, where: FsWhere): string | undefined {
  const reason = errnoReason(e, where);
  if (reason === undefined) return undefined;
  return `cannot ${VERB[where.action]} ${where.path}${where.option ? ` (${where.option})` : ''}: ${reason}`;
}

/** A user-facing error for an errno error (exit 2); any other error is returned as it is. */
export function fsFault(e: unknown, where: FsWhere): unknown {
  const line = fsErrorLine(e, where);
  if (line === undefined) return e;
  const code = errnoOf(e)!;
  // A path that is not what the user said it is (a file, a missing input) is their mistake.
  const usage = code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR' || (code === 'ENOENT' && where.action === 'read');
  return usage ? new UsageError(line, `FS_${code}`) : new EnvironmentError(line, `FS_${code}`, { cause: e });
}

/** Runs `fn`, turning an errno error into the one-line user-facing error for `where`. */
export function guardFs<T>(where: FsWhere, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fsFault(e, where);
  }
}
