/**
 * Writing where the user told us to, without leaving anything half-done: directories are created
 * one level at a time (Node's recursive mkdir retries forever under /proc), files are written to a
 * temp file, flushed and renamed over the old one, and a failed write removes its temp file, so a
 * reader finds the previous complete file or none. Every errno error becomes one line (fs-errors.ts).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './cli/errors.ts';
import { errnoOf, fsFault } from './cli/fs-errors.ts';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes `path` a directory, creating missing parents; returns the directories it created,
 * outermost first (so a caller that ends up writing nothing can remove exactly those).
 */
export function ensureDir(path: string, option?: string): string[] {
  const missing: string[] = [];
  let p = path;
  for (;;) {
    try {
      if (statSync(p).isDirectory()) break;
    } catch (e) {
      const code = errnoOf(e);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) {
        missing.unshift(p);
        p = dirname(p);
        continue;
      }
      throw fsFault(e, { path: p, action: 'read', option });
    }
    const from = option ? ` (${option})` : '';
    if (p === path) throw new UsageError(`cannot create ${path}${from}: it is a file, not a directory (EEXIST); choose another ${option ?? 'path'}`, 'FS_EEXIST');
    throw new UsageError(`cannot create ${path}${from}: ${p} is a file, not a directory (ENOTDIR); choose another ${option ?? 'path'}`, 'FS_ENOTDIR');
  }
  const created: string[] = [];
  for (const dir of missing) {
    try {
      mkdirSync(dir);
      created.push(dir);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST' && isDirectory(dir)) continue; // made meanwhile by someone else
      removeEmptyDirs(created);
      throw fsFault(e, { path: dir, action: 'create', option });
    }
  }
  return created;
}

/** Removes the given directories, innermost first, where they are empty; never anything else. */
export function removeEmptyDirs(dirs: readonly string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (someone else's files), or gone: leave it
    }
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the file system refuses even that (read-only): nothing was created either
  }
}

function writeFlushed(path: string, text: string | Buffer, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface WriteFile {
  path: string;
  /** Text, or the bytes of a binary. */
  text: string | Buffer;
  /** @default 0o644 */
  mode?: number;
}

/**
 * Writes every file to its temp file first and renames them only when all are written, so a
 * failure (ENOSPC, EROFS...) leaves each file as it was. Errors name the file and `option`.
 */
export function writeFilesAtomic(files: readonly WriteFile[], option?: string): void {
  const temps: string[] = [];
  for (const f of files) {
    const tmp = tempPathFor(f.path);
    temps.push(tmp);
    try {
      writeFlushed(tmp, f.text, f.mode ?? 0o644);
    } catch (e) {
      temps.forEach(removeQuietly);
      throw fsFault(e, { path: f.path, action: 'write', option });
    }
  }
  files.forEach((f, i) => {
    try {
      renameSync(temps[i]!, f.path);
    } catch (e) {
      temps.slice(i).forEach(removeQuietly);
      throw fsFault(e, { path: f.path, action: 'write', option });
    }
  });
}

export function writeAtomic(path: string, text: string, option?: string): void {
  writeFilesAtomic([{ path, text }], option);
}
