/** fetchRelease from an http release base (a local stand-in for GitHub): pinned files verified, every refusal one exact line, nothing cached on failure. */
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { fetchRelease, type FetchReleaseOptions } from '../../harness/subjects/release/fetch-release.ts';
import { regress } from '../support/cli.ts';
import type { ReleaseProgress } from '../../harness/subjects/release/progress.ts';
import { AGENT, BYTES, CLI, LAYER, layOutRelease, removeTempDirs, tempDir, VERSION, versionPins, writePinsFile } from './support/fixture.ts';
import { deadUrl, filesUnder, layOut, serveDir, sha256, type ReleaseServer } from './support/release-base.ts';

afterAll(removeTempDirs);

let root: { path: string; remove: () => void };
let server: ReleaseServer;
let pinsDir: string;

beforeAll(async () => {
  root = tempDir('release-url');
  layOutRelease(join(root.path, 'base'));
  layOut(join(root.path, 'base'), { [`mirror/${CLI}`]: BYTES.cli, [`3.112.1/${CLI}`]: Buffer.from('not the pinned bytes'), [`3.112.1/${LAYER}`]: BYTES.layer });
  pinsDir = join(root.path, 'pins');
  mkdirSync(pinsDir);
  server = await serveDir(join(root.path, 'base'));
});
afterAll(async () => {
  await server.close();
  root.remove();
});

/** A fresh cache per test, so each proves what it downloads. */
function options(over: FetchReleaseOptions = {}): FetchReleaseOptions & { cacheDir: string } {
  const cache = tempDir('cache');
  return { releaseBase: server.url, pinsFile: writePinsFile(pinsDir, { [VERSION]: versionPins() }), arch: 'x86_64', cacheDir: cache.path, env: {}, ...over };
}

async function refusal(version: string, opts: FetchReleaseOptions): Promise<EnvironmentError> {
  const err = await fetchRelease(version, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EnvironmentError);
  expect((err as Error).message).not.toContain('\n');
  return err as EnvironmentError;
}

describe('fetchRelease from a URL base', () => {
  it('returns the pinned files, verified, executable, in the cache, with their provenance', async () => {
    const events: ReleaseProgress[] = [];
    const opts = options({ onProgress: (e) => events.push(e) });
    const release = await fetchRelease(VERSION, opts);
    expect(readFileSync(release.cli)).toEqual(BYTES.cli);
    expect(readFileSync(release.layer)).toEqual(BYTES.layer);
    expect(readFileSync(release.agent)).toEqual(BYTES.agent);
    expect(release.cli).toBe(join(opts.cacheDir, 'sha256', sha256(BYTES.cli)));
    accessSync(release.cli, constants.X_OK);
    expect(release.variants).toEqual({});
    expect(release.provenance).toEqual({
      version: VERSION,
      arch: 'x86_64',
      pinsFile: opts.pinsFile,
      releaseBase: server.url,
      cli: { asset: CLI, sha256: sha256(BYTES.cli), bytes: BYTES.cli.length, source: `${server.url}/${VERSION}/${CLI}`, from: 'fetched' },
      layer: { asset: LAYER, sha256: sha256(BYTES.layer), bytes: BYTES.layer.length, source: `${server.url}/${VERSION}/${LAYER}`, from: 'fetched' },
      agent: { asset: AGENT, sha256: sha256(BYTES.agent), bytes: BYTES.agent.length, source: `${server.url}/${VERSION}/${AGENT}`, from: 'fetched' },
      variants: {},
    });
    expect(events.filter((e) => e.kind === 'start')).toEqual([
      { kind: 'start', version: VERSION, asset: CLI, source: `${server.url}/${VERSION}/${CLI}`, totalBytes: BYTES.cli.length },
      { kind: 'start', version: VERSION, asset: LAYER, source: `${server.url}/${VERSION}/${LAYER}`, totalBytes: BYTES.layer.length },
      { kind: 'start', version: VERSION, asset: AGENT, source: `${server.url}/${VERSION}/${AGENT}`, totalBytes: BYTES.agent.length },
    ]);
    expect(filesUnder(opts.cacheDir)).toEqual([BYTES.cli, BYTES.layer, BYTES.agent].map((b) => join('sha256', sha256(b))).sort());
  });

  it('follows a redirect, as GitHub does to its storage host', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'redirect', to: `/mirror/${CLI}` });
    try {
      const release = await fetchRelease(VERSION, options());
      expect(readFileSync(release.cli)).toEqual(BYTES.cli);
      expect(server.requests).toContain(`GET /mirror/${CLI}`);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('a tampered asset is refused with the expected and actual sha256, and is not cached', async () => {
    const opts = options({ pinsFile: writePinsFile(pinsDir, { '3.112.1': versionPins() }) });
    const err = await refusal('3.112.1', opts);
    expect(err.code).toBe('PIN_MISMATCH');
    expect(err.message).toBe(
      `${CLI} of mirrord 3.112.1 from ${server.url}/3.112.1/${CLI}: sha256 ${sha256('not the pinned bytes')}, but ${opts.pinsFile} pins ${sha256(BYTES.cli)}: the download is not the pinned release (tampered, or the pin is stale)`,
    );
    expect(filesUnder(opts.cacheDir)).toEqual([]);
  });

  it('an unpinned version is refused before any download, naming the pins file and how to pin', async () => {
    const opts = options();
    const before = server.requests.length;
    const err = await refusal('3.111.0', opts);
    expect(err.code).toBe('UNPINNED_VERSION');
    expect(err.message).toBe(`mirrord 3.111.0 is not pinned in ${opts.pinsFile}: run mirrord-regress images pin 3.111.0 where GitHub is reachable, or give --pins FILE`);
    expect(server.requests.length).toBe(before);
    expect(filesUnder(opts.cacheDir)).toEqual([]);
  });

  it('an unpinned asset (null) is refused before any download, even when the others are pinned', async () => {
    const opts = options({ pinsFile: writePinsFile(pinsDir, { [VERSION]: versionPins({ assets: { [CLI]: sha256(BYTES.cli), [LAYER]: null } }) }) });
    const before = server.requests.length;
    const err = await refusal(VERSION, opts);
    expect(err.code).toBe('UNPINNED_ASSET');
    expect(err.message).toBe(`${LAYER} of mirrord ${VERSION} is not pinned in ${opts.pinsFile}: run mirrord-regress images pin ${VERSION} where GitHub is reachable, or give --pins FILE`);
    expect(server.requests.length).toBe(before);
  });

  it('the checked-in pins (all null) refuse every version, naming images/mirrord-versions.json', async () => {
    const err = await refusal(VERSION, { ...options(), pinsFile: undefined });
    expect(err.message).toBe(`${CLI} of mirrord ${VERSION} is not pinned in images/mirrord-versions.json: run mirrord-regress images pin ${VERSION} where GitHub is reachable, or give --pins FILE`);
  });

  it('an asset the base does not have is one line with the URL and the HTTP status', async () => {
    const opts = options({ pinsFile: writePinsFile(pinsDir, { '3.113.0': versionPins() }) });
    const err = await refusal('3.113.0', opts);
    expect(err.code).toBe('ASSET_MISSING');
    expect(err.message).toBe(`${CLI} of mirrord 3.113.0 is missing: ${server.url}/3.113.0/${CLI} answered HTTP 404 Not Found; check the version and the release base (--release-base)`);
    expect(filesUnder(opts.cacheDir)).toEqual([]);
  });

  it('a server that is down is one line with the URL and the errno', async () => {
    const url = await deadUrl();
    const opts = options({ releaseBase: url });
    const err = await refusal(VERSION, opts);
    expect(err.code).toBe('UNREACHABLE');
    const port = new URL(url).port;
    expect(err.message).toBe(`cannot reach ${url}/${VERSION}/${CLI} for ${CLI} of mirrord ${VERSION}: connect ECONNREFUSED 127.0.0.1:${port}; check the network and the release base (--release-base)`);
    expect(filesUnder(opts.cacheDir)).toEqual([]);
  });

  it('a redirect loop is one line showing the loop', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'redirect', to: '/loop/a' });
    server.faults.set('/loop/a', { kind: 'redirect', to: '/loop/b' });
    server.faults.set('/loop/b', { kind: 'redirect', to: '/loop/a' });
    try {
      const opts = options();
      const err = await refusal(VERSION, opts);
      expect(err.code).toBe('REDIRECT_LOOP');
      const u = server.url;
      expect(err.message).toBe(`cannot download ${CLI} of mirrord ${VERSION}: ${u}/${VERSION}/${CLI} redirects in a loop (${u}/${VERSION}/${CLI} -> ${u}/loop/a -> ${u}/loop/b -> ${u}/loop/a)`);
      expect(filesUnder(opts.cacheDir)).toEqual([]);
    } finally {
      ['/loop/a', '/loop/b', `/${VERSION}/${CLI}`].forEach((p) => server.faults.delete(p));
    }
  });

  it('a body cut short is one line with the bytes that arrived, and leaves no temp file', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'truncate' });
    try {
      const opts = options();
      const err = await refusal(VERSION, opts);
      expect(err.code).toBe('TRUNCATED');
      // How many of the sent half reach the reader before Node reports the early end varies: 0 to half.
      const arrived = /cut short after (\d+) of/.exec(err.message)?.[1];
      expect(Number(arrived)).toBeLessThanOrEqual(Math.floor(BYTES.cli.length / 2));
      expect(err.message).toBe(
        `download of ${CLI} of mirrord ${VERSION} from ${server.url}/${VERSION}/${CLI} was cut short after ${arrived} of ${BYTES.cli.length} bytes (aborted (ECONNRESET)); try again`,
      );
      expect(filesUnder(opts.cacheDir)).toEqual([]);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('a server that stops sending is cut off after the idle timeout', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 2, delayMs: 2000 });
    try {
      const opts = options({ idleTimeoutMs: 300 });
      const err = await refusal(VERSION, opts);
      expect(err.code).toBe('TRUNCATED');
      expect(err.message).toContain(`was cut short after ${Math.ceil(BYTES.cli.length / 2)} of ${BYTES.cli.length} bytes (no data for 0.3 s (ETIMEDOUT)); try again`);
      expect(filesUnder(opts.cacheDir)).toEqual([]);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('an aborted fetch (Ctrl-C) rejects with the reason and leaves no temp file', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 10, delayMs: 100 });
    try {
      const controller = new AbortController();
      const opts = options({ signal: controller.signal, onProgress: (e) => e.kind === 'start' && setTimeout(() => controller.abort(new Error('SIGINT')), 150) });
      await expect(fetchRelease(VERSION, opts)).rejects.toThrow(new Error('SIGINT'));
      expect(filesUnder(opts.cacheDir)).toEqual([]);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });

  it('through the CLI, Ctrl-C during a download exits 130 and caches nothing of it', async () => {
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 20, delayMs: 200 });
    try {
      const cache = tempDir('cache');
      const child = regress(['images', 'fetch', VERSION, '--release-base', server.url, '--pins', options().pinsFile!, '--arch', 'x86_64'], { env: { MIRRORD_REGRESS_CACHE: cache.path } });
      let stderr = '';
      const onData = (d: Buffer) => {
        stderr += d.toString();
        if (!stderr.includes(`fetching ${CLI}`)) return;
        child.stderr!.off('data', onData);
        child.kill('SIGINT');
      };
      child.stderr!.on('data', onData);
      const r = await child;
      expect(r.exitCode, r.stderr).toBe(130);
      expect(r.stderr.split('\n').slice(1)).toEqual(['', 'interrupted: stopping runs and cleaning up...', 'interrupted: the file being fetched was not cached']);
      expect(filesUnder(cache.path)).toEqual([]);
    } finally {
      server.faults.delete(`/${VERSION}/${CLI}`);
    }
  });
});
