/**
 * Real file-system faults for tests (root only): a tiny tmpfs that fills up (ENOSPC) and a bind
 * mount that can be turned read-only (EROFS) while a run writes into it. Every mount is recorded,
 * so `unmountAll()` in afterAll leaves nothing mounted even when a test failed half-way.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { execaSync } from 'execa';

const mounted: string[] = [];

function mountable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execaSync('mount', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Whether this process may mount (root, with mount(8)); tests that need it skip otherwise. */
export const canMount = mountable();

/** A tmpfs of `kib` KiB at `dir` (which must exist). */
export function mountTinyTmpfs(dir: string, kib: number): void {
  execaSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir]);
  mounted.push(dir);
}

/** Binds `dir` onto itself, still writable, so `makeReadOnly(dir)` can flip it later. */
export function bindToItself(dir: string): void {
  execaSync('mount', ['--bind', dir, dir]);
  mounted.push(dir);
}

export function makeReadOnly(dir: string): void {
  execaSync('mount', ['-o', 'remount,bind,ro', dir]);
}

/** Writes zeros into `file` until the file system is full, then frees `keepFreeKib` KiB of it. */
export function fillUp(file: string, keepFreeKib: number): void {
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096);
  let written = 0;
  try {
    for (;;) {
      written += writeSync(fd, page);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  execaSync('truncate', ['-s', String(Math.max(0, written - keepFreeKib * 1024)), file]);
}

export function unmount(dir: string): void {
  const i = mounted.lastIndexOf(dir);
  if (i < 0) return;
  execaSync('umount', [dir]);
  mounted.splice(i, 1);
}

export function unmountAll(): void {
  while (mounted.length) unmount(mounted[mounted.length - 1]!);
}
