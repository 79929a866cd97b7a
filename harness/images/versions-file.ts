/**
 * images/mirrord-versions.json: the sha256 of each mirrord release asset we build images from.
 * null means "not pinned yet"; only `images pin` (with a network) writes a hash.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../cli/context.ts';
import { EnvironmentError } from '../cli/errors.ts';
import { errnoReason } from '../cli/fs-errors.ts';
import { writeAtomic } from '../files.ts';

export const VERSIONS_FILE = join(REPO_ROOT, 'images', 'mirrord-versions.json');

export interface VersionsFile {
  schema: 1;
  releaseBaseUrl: string;
  /** version -> asset name -> lowercase hex sha256, or null when not pinned yet. */
  versions: Record<string, Record<string, string | null>>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function readVersionsFile(path: string = VERSIONS_FILE): VersionsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = errnoReason(e, { path, action: 'read' });
    throw new EnvironmentError(`cannot read the mirrord versions file ${path}${why ? `: ${why}` : ''}`, 'BAD_VERSIONS_FILE');
  }
  return parseVersionsFile(text, path);
}

export function parseVersionsFile(text: string, path: string): VersionsFile {
  const bad = (why: string) => new EnvironmentError(`${path} is not a valid mirrord versions file: ${why}`, 'BAD_VERSIONS_FILE');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (!isRecord(data) || data.schema !== 1) throw bad('"schema" must be 1');
  if (typeof data.releaseBaseUrl !== 'string') throw bad('"releaseBaseUrl" must be a string');
  if (!isRecord(data.versions)) throw bad('"versions" must be an object');
  for (const [version, assets] of Object.entries(data.versions)) {
    if (!isRecord(assets)) throw bad(`versions["${version}"] must be an object`);
    for (const [asset, pin] of Object.entries(assets)) {
      if (pin !== null && !(typeof pin === 'string' && SHA256_HEX.test(pin))) {
        throw bad(`versions["${version}"]["${asset}"] must be null or 64 lowercase hex digits`);
      }
    }
  }
  return data as unknown as VersionsFile;
}

export function pinnedSha256(file: VersionsFile, version: string, asset: string): string | undefined {
  return file.versions[version]?.[asset] ?? undefined;
}

/** A copy with one pin set; versions stay in release order so diffs stay one line. */
export function withPin(file: VersionsFile, version: string, asset: string, sha256: string): VersionsFile {
  const versions = { ...file.versions, [version]: { ...file.versions[version], [asset]: sha256 } };
  const ordered = Object.fromEntries(Object.keys(versions).sort(compareVersions).map((v) => [v, versions[v]!]));
  return { ...file, versions: ordered };
}

export function formatVersionsFile(file: VersionsFile): string {
  return JSON.stringify({ schema: file.schema, releaseBaseUrl: file.releaseBaseUrl, versions: file.versions }, null, 2) + '\n';
}

/** Write-then-rename in the same directory, so a reader never sees half a file (and a failed write leaves no temp file). */
export function writeVersionsFile(file: VersionsFile, path: string = VERSIONS_FILE): void {
  writeAtomic(path, formatVersionsFile(file));
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
