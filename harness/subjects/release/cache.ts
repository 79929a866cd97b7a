/**
 * The user's cache of verified release files, content-addressed: `<root>/sha256/<hex>` holds bytes whose
 * sha256 is <hex>, so a file is found by its pin, and is re-hashed before it is trusted (a damaged one is
 * removed). Files arrive through a temp file in the same directory, hashed while streaming, and are renamed
 * into place only once accepted: a failed or refused download leaves no file, and two writers of the same
 * file (two matrix jobs) each rename a complete copy. Agents extracted from an image are blobs too, found
 * through `<root>/agents/<image digest>-<arch>.json`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { errnoOf, fsFault } from '../../cli/fs-errors.ts';
import { ensureDir, writeAtomic } from '../../files.ts';
import type { Arch } from './assets.ts';

const OPTION = 'MIRRORD_REGRESS_CACHE';
/** A temp file this old belongs to a download that was killed. */
const STALE_TEMP_MS = 24 * 3600_000;

/** $MIRRORD_REGRESS_CACHE, else $XDG_CACHE_HOME/mirrord-regress, else ~/.cache/mirrord-regress. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MIRRORD_REGRESS_CACHE) return env.MIRRORD_REGRESS_CACHE;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'mirrord-regress');
  return join(env.HOME || homedir(), '.cache', 'mirrord-regress');
}

export type CacheCheck =
  | { state: 'hit'; path: string; bytes: number }
  | { state: 'miss' }
  /** It was there with other bytes, and has been removed. */
  | { state: 'damaged'; path: string; actual: string };

export interface Stored {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ExtractedAgent {
  sha256: string;
  bytes: number;
  /** The engine's id of the image it came from. */
  imageId: string;
}

/** Streams a file through sha256. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export class ReleaseCache {
  constructor(readonly root: string) {}

  /** Where the file with this sha256 lives (whether or not it is there). */
  blobPath(sha256: string): string {
    return join(this.root, 'sha256', sha256);
  }

  /** Whether a verified copy is cached; a copy with other bytes is removed and reported as damaged. */
  async check(sha256: string): Promise<CacheCheck> {
    const path = this.blobPath(sha256);
    let before;
    try {
      before = await stat(path);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return { state: 'miss' };
      throw fsFault(e, { path, action: 'read', option: OPTION });
    }
    const actual = await sha256OfFile(path).catch((e: unknown) => {
      throw fsFault(e, { path, action: 'read', option: OPTION });
    });
    if (actual === sha256) return { state: 'hit', path, bytes: before.size };
    // Remove only the file that was hashed: a concurrent writer may have renamed a good copy in meanwhile.
    const now = await stat(path).catch(() => undefined);
    if (now && now.ino === before.ino && now.dev === before.dev) {
      await rm(path, { force: true }).catch((e: unknown) => {
        throw fsFault(e, { path, action: 'remove', option: OPTION });
      });
    }
    return { state: 'damaged', path, actual };
  }

  /**
   * Writes `body` to a temp file while hashing it, lets `accept` refuse it (a pin mismatch throws), then
   * renames it to its content address. On any failure the temp file is removed.
   */
  async store(body: AsyncIterable<Uint8Array>, accept: (sha256: string, bytes: number) => void, onBytes?: (n: number) => void): Promise<Stored> {
    const dir = join(this.root, 'sha256');
    ensureDir(dir, OPTION);
    sweepStaleTemps(dir);
    const tmp = join(dir, `.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let bytes = 0;
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'wx', 0o755).catch((e: unknown) => {
        throw fsFault(e, { path: tmp, action: 'create', option: OPTION });
      });
      for await (const chunk of body) {
        hash.update(chunk);
        await writeAll(fh, chunk, tmp);
        bytes += chunk.byteLength;
        onBytes?.(chunk.byteLength);
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      const sha256 = hash.digest('hex');
      accept(sha256, bytes);
      const path = this.blobPath(sha256);
      await rename(tmp, path).catch((e: unknown) => {
        throw fsFault(e, { path, action: 'write', option: OPTION });
      });
      return { path, sha256, bytes };
    } catch (e) {
      await fh?.close().catch(() => {});
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  private agentRefPath(digest: string, arch: Arch): string {
    return join(this.root, 'agents', `${digest.replace(':', '-')}-${arch}.json`);
  }

  /** The agent extracted earlier from the image with this digest, if its record is readable. */
  agentRecord(digest: string, arch: Arch): ExtractedAgent | undefined {
    try {
      const r = JSON.parse(readFileSync(this.agentRefPath(digest, arch), 'utf8')) as Partial<ExtractedAgent>;
      if (typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256) && typeof r.imageId === 'string' && Number.isSafeInteger(r.bytes)) {
        return r as ExtractedAgent;
      }
    } catch {
      // none, or unreadable: extract again
    }
    return undefined;
  }

  /** Notes which blob came out of the image with this digest, so a later run needs no engine. */
  recordAgent(digest: string, arch: Arch, agent: ExtractedAgent): void {
    const path = this.agentRefPath(digest, arch);
    ensureDir(join(this.root, 'agents'), OPTION);
    writeAtomic(path, JSON.stringify(agent) + '\n', OPTION);
  }

  /** Drops a record whose blob is gone or damaged, so the agent is extracted again. */
  forgetAgent(digest: string, arch: Arch): void {
    rmSync(this.agentRefPath(digest, arch), { force: true });
  }
}

/** FileHandle.write may write less than asked; loop until the chunk is down. */
async function writeAll(fh: FileHandle, chunk: Uint8Array, path: string): Promise<void> {
  for (let at = 0; at < chunk.byteLength; ) {
    try {
      at += (await fh.write(chunk, at, chunk.byteLength - at)).bytesWritten;
    } catch (e) {
      throw fsFault(e, { path, action: 'write', option: OPTION });
    }
  }
}

/** Removes temp files of downloads killed long ago (a live one is younger than a day). */
function sweepStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs > STALE_TEMP_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // gone meanwhile
    }
  }
}
