/** fetchRelease from a release base that is a local directory (or a file: URL), and from $MIRRORD_REGRESS_RELEASE_BASE. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../harness/cli/errors.ts';
import { fetchRelease } from '../../harness/subjects/release/fetch-release.ts';
import { BYTES, CLI, LAYER, layOutRelease, removeTempDirs, tempDir, VERSION, versionPins, writePinsFile } from './support/fixture.ts';
import { filesUnder, sha256 } from './support/release-base.ts';

afterAll(removeTempDirs);

let root: { path: string; remove: () => void };
let base: string;
let pinsFile: string;

beforeAll(() => {
  root = tempDir('release-dir');
  base = join(root.path, 'base');
  layOutRelease(base);
  mkdirSync(join(base, '3.113.0'));
  pinsFile = writePinsFile(root.path, { [VERSION]: versionPins(), '3.113.0': versionPins() });
});
afterAll(() => root.remove());

const badBase = (line: string) => new UsageError(line, 'BAD_RELEASE_BASE');

describe('fetchRelease from a directory', () => {
  it('copies the pinned files into the cache, verified', async () => {
    const cache = tempDir('cache');
    const release = await fetchRelease(VERSION, { releaseBase: base, pinsFile, arch: 'x86_64', cacheDir: cache.path, env: {} });
    expect(readFileSync(release.cli)).toEqual(BYTES.cli);
    expect(readFileSync(release.agent)).toEqual(BYTES.agent);
    expect(release.provenance.cli).toMatchObject({ source: join(base, VERSION, CLI), from: 'fetched' });
    expect(release.provenance.releaseBase).toBe(base);
  });

  it('takes a file: URL, and $MIRRORD_REGRESS_RELEASE_BASE when no option is given', async () => {
    const viaUrl = await fetchRelease(VERSION, { releaseBase: pathToFileURL(base).href, pinsFile, arch: 'x86_64', cacheDir: tempDir('cache').path, env: {} });
    expect(viaUrl.provenance.releaseBase).toBe(base);
    const viaEnv = await fetchRelease(VERSION, { pinsFile, arch: 'x86_64', cacheDir: tempDir('cache').path, env: { MIRRORD_REGRESS_RELEASE_BASE: base } });
    expect(viaEnv.provenance.cli.source).toBe(join(base, VERSION, CLI));
  });

  it('a missing file is one line naming the path', async () => {
    const cache = tempDir('cache');
    const err = await fetchRelease('3.113.0', { releaseBase: base, pinsFile, arch: 'x86_64', cacheDir: cache.path, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).code).toBe('ASSET_MISSING');
    expect((err as Error).message).toBe(`${CLI} of mirrord 3.113.0 is missing: there is no ${join(base, '3.113.0', CLI)}; check the version and the release base (--release-base)`);
    expect(filesUnder(cache.path)).toEqual([]);
  });

  it('a base that is not a directory, or an unknown scheme, is a usage error before anything is read', async () => {
    const file = join(root.path, 'a-file');
    writeFileSync(file, 'x');
    const opts = { pinsFile, arch: 'x86_64' as const, cacheDir: tempDir('cache').path, env: {} };
    await expect(fetchRelease(VERSION, { ...opts, releaseBase: file })).rejects.toThrow(badBase(`--release-base ${file} is a file: give the directory that holds <version>/<asset>`));
    const missing = join(root.path, 'nowhere');
    await expect(fetchRelease(VERSION, { ...opts, releaseBase: missing })).rejects.toThrow(
      badBase(`--release-base ${missing}: no such file or directory (ENOENT); check the path`),
    );
    await expect(fetchRelease(VERSION, { ...opts, releaseBase: 'ftp://mirror/x' })).rejects.toThrow(badBase('--release-base must be an http(s) URL or a directory, got "ftp://mirror/x"'));
    await expect(fetchRelease(VERSION, { ...opts, env: { MIRRORD_REGRESS_RELEASE_BASE: missing } })).rejects.toThrow(
      badBase(`MIRRORD_REGRESS_RELEASE_BASE ${missing}: no such file or directory (ENOENT); check the path`),
    );
  });

  it('takes pins shaped like the lab publish writes them (no releaseBaseUrl, agentImage null), and needs a base then', async () => {
    const pins = join(root.path, 'lab-pins.json');
    const v = versionPins({ variants: { none: { [LAYER]: sha256(BYTES.none) } } });
    writeFileSync(pins, JSON.stringify({ schema: 2, releaseBaseUrl: null, versions: { [VERSION]: { ...v, agentImage: null } } }, null, 2));
    const opts = { pinsFile: pins, arch: 'x86_64' as const, cacheDir: tempDir('cache').path, env: {} };
    const release = await fetchRelease(VERSION, { ...opts, releaseBase: base });
    expect(readFileSync(release.variants.none!)).toEqual(BYTES.none);
    expect(readFileSync(release.agent)).toEqual(BYTES.agent);
    await expect(fetchRelease(VERSION, opts)).rejects.toThrow(
      new UsageError(`${pins} names no release base (its releaseBaseUrl is null): give --release-base URL|DIR, or set MIRRORD_REGRESS_RELEASE_BASE`, 'NO_RELEASE_BASE'),
    );
  });
});
