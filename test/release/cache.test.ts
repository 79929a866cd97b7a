/**
 * The user's cache: where it is, reuse without a network, a damaged entry (fetched again, or refused
 * offline), and two fetches of one file at once (in one process, and as two CLI processes).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { cacheDir } from '../../harness/subjects/release/cache.ts';
import { fetchRelease, type FetchReleaseOptions } from '../../harness/subjects/release/fetch-release.ts';
import { regress } from '../support/cli.ts';
import { AGENT, BYTES, CLI, LAYER, layOutRelease, removeTempDirs, tempDir, VERSION, versionPins, writePinsFile } from './support/fixture.ts';
import { filesUnder, serveDir, sha256, type ReleaseServer } from './support/release-base.ts';

afterAll(removeTempDirs);

let root: { path: string; remove: () => void };
let base: string;
let pinsFile: string;

beforeAll(() => {
  root = tempDir('release-cache');
  base = join(root.path, 'base');
  layOutRelease(base);
  pinsFile = writePinsFile(root.path, { [VERSION]: versionPins() });
});
afterAll(() => root.remove());

/** What is in a TMPDIR besides tsx's compile cache (the CLI runs through tsx). */
const ownTemps = (dir: string) => readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name));

const blobs = () => [BYTES.cli, BYTES.layer, BYTES.agent].map((b) => join('sha256', sha256(b))).sort();

describe('cacheDir', () => {
  it('is $MIRRORD_REGRESS_CACHE, else $XDG_CACHE_HOME/mirrord-regress (absolute only), else ~/.cache/mirrord-regress', () => {
    expect(cacheDir({ MIRRORD_REGRESS_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/mirrord-regress');
    expect(cacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/mirrord-regress');
    expect(cacheDir({})).toBe(join(homedir(), '.cache', 'mirrord-regress'));
  });
});

describe('the release cache', () => {
  let server: ReleaseServer;
  beforeAll(async () => {
    server = await serveDir(base);
  });
  afterAll(() => server.close());

  it('a second fetch with the same pins works with the server stopped', async () => {
    const cache = tempDir('cache');
    const own = await serveDir(base);
    const opts: FetchReleaseOptions = { releaseBase: own.url, pinsFile, arch: 'x86_64', env: { MIRRORD_REGRESS_CACHE: cache.path } };
    const first = await fetchRelease(VERSION, opts);
    await own.close();
    const requests = own.requests.length;
    const again = await fetchRelease(VERSION, opts);
    expect(own.requests.length).toBe(requests);
    expect([again.cli, again.layer, again.agent]).toEqual([first.cli, first.layer, first.agent]);
    expect(again.provenance.cli).toEqual({ asset: CLI, sha256: sha256(BYTES.cli), bytes: BYTES.cli.length, source: `${own.url}/${VERSION}/${CLI}`, from: 'cache' });
    expect(readFileSync(again.agent)).toEqual(BYTES.agent);
    expect(filesUnder(cache.path)).toEqual(blobs());
  });

  it('a damaged entry is removed and fetched again', async () => {
    const cache = tempDir('cache');
    const opts: FetchReleaseOptions = { releaseBase: server.url, pinsFile, arch: 'x86_64', cacheDir: cache.path, env: {} };
    const first = await fetchRelease(VERSION, opts);
    writeFileSync(first.layer, 'bit rot');
    const before = server.requests.filter((r) => r.endsWith(LAYER)).length;
    const again = await fetchRelease(VERSION, opts);
    expect(readFileSync(again.layer)).toEqual(BYTES.layer);
    expect(again.provenance.layer.from).toBe('fetched');
    expect(server.requests.filter((r) => r.endsWith(LAYER)).length).toBe(before + 1);
  });

  it('a damaged entry with the server down is one line, and the entry is gone', async () => {
    const cache = tempDir('cache');
    const own = await serveDir(base);
    const opts: FetchReleaseOptions = { releaseBase: own.url, pinsFile, arch: 'x86_64', cacheDir: cache.path, env: {} };
    const first = await fetchRelease(VERSION, opts);
    await own.close();
    writeFileSync(first.cli, 'bit rot');
    const err = await fetchRelease(VERSION, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    const port = new URL(own.url).port;
    expect((err as Error).message).toBe(
      `the cached ${CLI} of mirrord ${VERSION} (${first.cli}) was damaged (sha256 ${sha256('bit rot')}, pinned ${sha256(BYTES.cli)}) and was removed, and fetching it again failed: ` +
        `cannot reach ${own.url}/${VERSION}/${CLI} for ${CLI} of mirrord ${VERSION}: connect ECONNREFUSED 127.0.0.1:${port}; check the network and the release base (--release-base)`,
    );
    expect(filesUnder(cache.path)).toEqual([BYTES.layer, BYTES.agent].map((b) => join('sha256', sha256(b))).sort());
  });

  it('two fetches of the same file at once both get the complete file, and leave no temp file', async () => {
    const cache = tempDir('cache');
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 4, delayMs: 40 });
    try {
      const before = server.requests.filter((r) => r.endsWith(`/${CLI}`)).length;
      const opts: FetchReleaseOptions = { releaseBase: server.url, pinsFile, arch: 'x86_64', cacheDir: cache.path, env: {} };
      const [a, b] = await Promise.all([fetchRelease(VERSION, opts), fetchRelease(VERSION, opts)]);
      // Both really downloaded (no sharing in memory): the rename is what keeps them apart.
      expect(server.requests.filter((r) => r.endsWith(`/${CLI}`)).length).toBe(before + 2);
      expect(a.cli).toBe(b.cli);
      expect(readFileSync(a.cli)).toEqual(BYTES.cli);
      expect(filesUnder(cache.path)).toEqual(blobs());
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('two CLI processes fetching into one cache (two matrix jobs) both succeed', async () => {
    const cache = tempDir('cache');
    const tmpdir = tempDir('tmpdir');
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 8, delayMs: 150 });
    try {
      const env = { MIRRORD_REGRESS_CACHE: cache.path, TMPDIR: tmpdir.path };
      const args = ['images', 'fetch', VERSION, '--release-base', server.url, '--pins', pinsFile, '--arch', 'x86_64'];
      const [a, b] = await Promise.all([regress(args, { env }), regress(args, { env })]);
      for (const r of [a, b]) {
        expect(r.exitCode).toBe(0);
        expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^cli ${join(cache.path, 'sha256', sha256(BYTES.cli))} \\(from ${server.url}/${VERSION}/${CLI}\\)$`));
      }
      expect(a.stderr.split('\n')[0]).toBe(`fetching ${CLI} of mirrord ${VERSION} from ${server.url}/${VERSION}/${CLI} (${BYTES.cli.length} bytes)`);
      expect(readFileSync(join(cache.path, 'sha256', sha256(BYTES.cli)))).toEqual(BYTES.cli);
      expect(filesUnder(cache.path)).toEqual(blobs());
      expect(ownTemps(tmpdir.path)).toEqual([]);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('through the CLI, a refusal is one line and exit 2, and the cache and TMPDIR stay empty', async () => {
    const cache = tempDir('cache');
    const tmpdir = tempDir('tmpdir');
    const tampered = writePinsFile(root.path, { [VERSION]: versionPins({ assets: { [CLI]: sha256('other'), [LAYER]: sha256(BYTES.layer), [AGENT]: sha256(BYTES.agent) } }) });
    const r = await regress(['images', 'fetch', VERSION, '--release-base', server.url, '--pins', tampered, '--arch', 'x86_64'], { env: { MIRRORD_REGRESS_CACHE: cache.path, TMPDIR: tmpdir.path } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      `fetching ${CLI} of mirrord ${VERSION} from ${server.url}/${VERSION}/${CLI} (${BYTES.cli.length} bytes)\n` +
        `mirrord-regress: ${CLI} of mirrord ${VERSION} from ${server.url}/${VERSION}/${CLI}: sha256 ${sha256(BYTES.cli)}, but ${tampered} pins ${sha256('other')}: the download is not the pinned release (tampered, or the pin is stale)`,
    );
    expect(r.stdout).toBe('');
    expect(filesUnder(cache.path)).toEqual([]);
    expect(ownTemps(tmpdir.path)).toEqual([]);
  });
});
