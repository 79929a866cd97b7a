/** `images pin`: download a mirrord release asset once, where the network exists, and record its sha256. */
import { createHash } from 'node:crypto';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import { pinnedSha256, readVersionsFile, VERSIONS_FILE, withPin, writeVersionsFile } from './versions-file.ts';

/** The release asset for this machine's architecture. */
export const DEFAULT_ASSET = process.arch === 'arm64' ? 'mirrord_linux_aarch64' : 'mirrord_linux_x86_64';

export interface PinRequest {
  version: string;
  asset?: string;
  /** Defaults to the file's releaseBaseUrl. */
  urlBase?: string;
  versionsFile?: string;
  /** Replace a pin that differs from the download (the release was re-uploaded, or the download is not genuine). */
  force?: boolean;
  /** Abort when no byte arrives for this long. */
  idleTimeoutMs?: number;
}

export interface Pin {
  version: string;
  asset: string;
  url: string;
  sha256: string;
  bytes: number;
  /** False when the same hash was pinned already. */
  changed: boolean;
}

export const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
const ASSET_PATTERN = /^[A-Za-z0-9._-]+$/;

export function assertVersion(version: string): void {
  if (!VERSION_PATTERN.test(version)) throw new UsageError(`mirrord version must look like 3.112.0, got "${version}"`, 'BAD_VERSION');
}

export async function pinMirrord(req: PinRequest): Promise<Pin> {
  const asset = req.asset ?? DEFAULT_ASSET;
  const versionsFile = req.versionsFile ?? VERSIONS_FILE;
  assertVersion(req.version);
  if (!ASSET_PATTERN.test(asset)) throw new UsageError(`asset must be a file name like ${DEFAULT_ASSET}, got "${asset}"`, 'BAD_ASSET');
  const file = readVersionsFile(versionsFile);
  const url = releaseUrl(req.urlBase ?? file.releaseBaseUrl, req.version, asset);
  const { sha256, bytes } = await sha256OfDownload(url, req.idleTimeoutMs ?? 60_000);

  const previous = pinnedSha256(file, req.version, asset);
  if (previous === sha256) return { version: req.version, asset, url, sha256, bytes, changed: false };
  if (previous && !req.force) {
    throw new EnvironmentError(
      `mirrord ${req.version} ${asset} is pinned to sha256:${previous} but ${url} now has sha256:${sha256}: check the release, then rerun with --force to replace the pin`,
      'PIN_CHANGED',
    );
  }
  writeVersionsFile(withPin(file, req.version, asset, sha256), versionsFile);
  return { version: req.version, asset, url, sha256, bytes, changed: true };
}

export function releaseUrl(urlBase: string, version: string, asset: string): string {
  let base: URL;
  try {
    base = new URL(urlBase);
  } catch {
    throw new UsageError(`--url-base must be an http(s) URL, got "${urlBase}"`, 'BAD_URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`--url-base must be an http(s) URL, got "${urlBase}"`, 'BAD_URL');
  return `${urlBase.replace(/\/+$/, '')}/${version}/${asset}`;
}

/** Streams the body through sha256: the asset is never held in memory or written to disk. */
export async function sha256OfDownload(url: string, idleTimeoutMs: number): Promise<{ sha256: string; bytes: number }> {
  const abort = new AbortController();
  let idle = setTimeout(() => abort.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
  };
  try {
    const response = await fetch(url, { redirect: 'follow', signal: abort.signal });
    if (!response.ok || !response.body) {
      throw new EnvironmentError(`download of ${url} failed: HTTP ${response.status} ${response.statusText}`.trim(), 'DOWNLOAD');
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      touch();
      hash.update(value);
      bytes += value.byteLength;
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    throw new EnvironmentError(`cannot download ${url}: ${networkReason(e)}`, 'DOWNLOAD', { cause: e });
  } finally {
    clearTimeout(idle);
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, DNS, TLS...) is in its cause. */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? cause : e instanceof Error ? e : new Error(String(e));
  return inner.message.replace(/\s+/g, ' ').trim() || inner.name;
}
