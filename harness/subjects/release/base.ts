/**
 * A release base: where a release's files are, laid out `<base>/<version>/<asset>` (releaseLayout).
 * GitHub's download URL, a mirror's http(s) URL, or a local directory (a `file:` URL is a directory too).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../cli/errors.ts';
import { errnoReason } from '../../cli/fs-errors.ts';

export type ReleaseBase = { kind: 'url'; url: string } | { kind: 'dir'; dir: string };

/** Where one file of a release is: a URL to download, or a path to read. */
export type ReleaseSource = { kind: 'url'; url: string } | { kind: 'dir'; path: string };

/** The base to use: the option, else $MIRRORD_REGRESS_RELEASE_BASE, else the pins file's releaseBaseUrl (`pinsLabel` names the file). */
export function chooseReleaseBase(option: string | undefined, env: NodeJS.ProcessEnv, pinsDefault: string | null, pinsLabel: string): { text: string; from: string } {
  if (option !== undefined) return { text: option, from: '--release-base' };
  if (env.MIRRORD_REGRESS_RELEASE_BASE) return { text: env.MIRRORD_REGRESS_RELEASE_BASE, from: 'MIRRORD_REGRESS_RELEASE_BASE' };
  if (pinsDefault === null) {
    throw new UsageError(`${pinsLabel} names no release base (its releaseBaseUrl is null): give --release-base URL|DIR, or set MIRRORD_REGRESS_RELEASE_BASE`, 'NO_RELEASE_BASE');
  }
  return { text: pinsDefault, from: `releaseBaseUrl in ${pinsLabel}` };
}

// Why parse up front: a base that is neither a URL nor an existing directory is a usage mistake, said before any download.
/** `text` as a base; `from` names where it came from in the error line. */
export function parseReleaseBase(text: string, from: string = '--release-base'): ReleaseBase {
  if (text.trim() === '') throw new UsageError(`${from} is empty: give an http(s) URL or a directory`, 'BAD_RELEASE_BASE');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`${from} "${text}" is not a valid URL`, 'BAD_RELEASE_BASE');
    }
    if (url.search || url.hash) throw new UsageError(`${from} "${text}" must not have a query or fragment: give the URL that <version>/<asset> is appended to`, 'BAD_RELEASE_BASE');
    return { kind: 'url', url: url.href.replace(/\/+$/, '') };
  }
  let dir = text;
  if (scheme === 'file') dir = fileURLToPath(text);
  // One letter before the colon is a Windows drive, anything longer an unsupported scheme.
  else if (scheme && scheme.length > 1) throw new UsageError(`${from} must be an http(s) URL or a directory, got "${text}"`, 'BAD_RELEASE_BASE');
  dir = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw new UsageError(`${from} ${dir}: ${errnoReason(e, { path: dir, action: 'read', option: from }) ?? String(e)}`, 'BAD_RELEASE_BASE');
  }
  if (!isDir) throw new UsageError(`${from} ${dir} is a file: give the directory that holds <version>/<asset>`, 'BAD_RELEASE_BASE');
  return { kind: 'dir', dir };
}

/** The source of `relPath` (a releaseLayout path) under `base`. */
export function sourceOf(base: ReleaseBase, relPath: string): ReleaseSource {
  if (base.kind === 'url') return { kind: 'url', url: `${base.url}/${relPath.split('/').map(encodeURIComponent).join('/')}` };
  return { kind: 'dir', path: resolve(base.dir, ...relPath.split('/')) };
}

/** A source as messages and provenance name it. */
export const describeSource = (s: ReleaseSource): string => (s.kind === 'url' ? s.url : s.path);
export const describeBase = (b: ReleaseBase): string => (b.kind === 'url' ? b.url : b.dir);
