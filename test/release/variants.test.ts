/** Layer variants (the lab's other guard strategies): fetched exactly when the pins list them for the version and architecture. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { fetchRelease } from '../../harness/subjects/release/fetch-release.ts';
import type { VersionPins } from '../../harness/subjects/release/pins.ts';
import { BYTES, LAYER, layOutRelease, removeTempDirs, tempDir, VERSION, versionPins, writePinsFile } from './support/fixture.ts';
import { filesUnder, serveDir, sha256, type ReleaseServer } from './support/release-base.ts';

afterAll(removeTempDirs);

let root: { path: string; remove: () => void };
let server: ReleaseServer;

beforeAll(async () => {
  root = tempDir('release-variants');
  layOutRelease(join(root.path, 'base'));
  server = await serveDir(join(root.path, 'base'));
});
afterAll(async () => {
  await server.close();
  root.remove();
});

const fetchWith = (variants: VersionPins['variants'], cache = tempDir('cache').path) =>
  fetchRelease(VERSION, { releaseBase: server.url, pinsFile: writePinsFile(root.path, { [VERSION]: versionPins({ variants }) }), arch: 'x86_64', cacheDir: cache, env: {} });

describe('layer variants', () => {
  it('fetches each listed variant from <base>/variants/<strategy>/, verified', async () => {
    const release = await fetchWith({ none: { [LAYER]: sha256(BYTES.none) }, forget: { [LAYER]: sha256(BYTES.forget) } });
    expect(Object.keys(release.variants).sort()).toEqual(['forget', 'none']);
    expect(readFileSync(release.variants.none!)).toEqual(BYTES.none);
    expect(readFileSync(release.variants.forget!)).toEqual(BYTES.forget);
    expect(release.provenance.variants.none).toEqual({
      asset: `variants/none/${LAYER}`,
      sha256: sha256(BYTES.none),
      bytes: BYTES.none.length,
      source: `${server.url}/variants/none/${LAYER}`,
      from: 'fetched',
    });
  });

  it('fetches none when the pins list none, or only for another architecture', async () => {
    const before = server.requests.filter((r) => r.includes('/variants/')).length;
    expect((await fetchWith(undefined)).variants).toEqual({});
    expect((await fetchWith({ none: { 'libmirrord_layer_linux_aarch64.so': sha256('arm') } })).variants).toEqual({});
    expect(server.requests.filter((r) => r.includes('/variants/')).length).toBe(before);
  });

  it('a listed variant with a null pin is refused before any download', async () => {
    const before = server.requests.length;
    const err = await fetchWith({ forget: { [LAYER]: null } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(new RegExp(`^variants/forget/${LAYER.replace(/\./g, '\\.')} of mirrord ${VERSION} is not pinned in .*: run mirrord-regress images pin ${VERSION} where GitHub is reachable, or give --pins FILE$`));
    expect(server.requests.length).toBe(before);
  });

  it('a tampered variant is refused like any asset, and not cached', async () => {
    const cache = tempDir('cache').path;
    const err = await fetchWith({ none: { [LAYER]: sha256(BYTES.forget) } }, cache).catch((e: unknown) => e);
    expect((err as EnvironmentError).code).toBe('PIN_MISMATCH');
    expect((err as Error).message).toContain(`variants/none/${LAYER} of mirrord ${VERSION} from ${server.url}/variants/none/${LAYER}: sha256 ${sha256(BYTES.none)}, but `);
    expect(filesUnder(cache)).not.toContain(join('sha256', sha256(BYTES.forget)));
    expect(filesUnder(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
