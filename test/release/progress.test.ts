/** Progress: one start line per download, progress lines for large ones, and the words the CLI prints. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRelease } from '../../harness/subjects/release/fetch-release.ts';
import { formatProgress, ProgressMeter, type ReleaseProgress } from '../../harness/subjects/release/progress.ts';
import { AGENT, BYTES, CLI, LAYER, removeTempDirs, tempDir, VERSION, writePinsFile } from './support/fixture.ts';
import { layOut, serveDir, sha256, type ReleaseServer } from './support/release-base.ts';

afterAll(removeTempDirs);

describe('formatProgress', () => {
  it('says what, which version, from where and how big; then how far', () => {
    expect(formatProgress({ kind: 'start', version: '3.112.0', asset: CLI, source: 'https://x/3.112.0/mirrord_linux_x86_64', totalBytes: 47_500_000 })).toBe(
      'fetching mirrord_linux_x86_64 of mirrord 3.112.0 from https://x/3.112.0/mirrord_linux_x86_64 (45.3 MiB)',
    );
    expect(formatProgress({ kind: 'start', version: '3.112.0', asset: AGENT, source: 'docker pull ghcr.io/metalbear-co/mirrord@sha256:ab' })).toBe(
      'fetching mirrord-agent of mirrord 3.112.0 from docker pull ghcr.io/metalbear-co/mirrord@sha256:ab',
    );
    expect(formatProgress({ kind: 'progress', version: '3.112.0', asset: CLI, bytes: 23_750_000, totalBytes: 47_500_000 })).toBe('  mirrord_linux_x86_64 of mirrord 3.112.0: 22.6 MiB of 45.3 MiB (50%)');
    expect(formatProgress({ kind: 'progress', version: '3.112.0', asset: CLI, bytes: 900 })).toBe('  mirrord_linux_x86_64 of mirrord 3.112.0: 900 bytes');
  });
});

describe('ProgressMeter', () => {
  it('reports at most once per interval, by the clock it is given', () => {
    let now = 0;
    const events: ReleaseProgress[] = [];
    const meter = new ProgressMeter({ version: 'v', asset: 'a', totalBytes: 100 }, (e) => events.push(e), 5000, () => now);
    meter.add(10);
    now = 4999;
    meter.add(10);
    now = 5000;
    meter.add(10);
    now = 6000;
    meter.add(10);
    now = 10_000;
    meter.add(10);
    expect(events).toEqual([
      { kind: 'progress', version: 'v', asset: 'a', bytes: 30, totalBytes: 100 },
      { kind: 'progress', version: 'v', asset: 'a', bytes: 50, totalBytes: 100 },
    ]);
  });
});

describe('fetchRelease progress', () => {
  let root: { path: string; remove: () => void };
  let server: ReleaseServer;
  beforeAll(async () => {
    root = tempDir('release-progress');
    layOut(join(root.path, 'base'), { [`${VERSION}/${CLI}`]: BYTES.big, [`${VERSION}/${LAYER}`]: BYTES.layer, [`${VERSION}/${AGENT}`]: BYTES.agent });
    server = await serveDir(join(root.path, 'base'));
    server.faults.set(`/${VERSION}/${CLI}`, { kind: 'slow', chunks: 6, delayMs: 60 });
  });
  afterAll(async () => {
    await server.close();
    root.remove();
  });

  it('a large, slow download reports its bytes as it goes; every download says when it starts', async () => {
    const events: ReleaseProgress[] = [];
    const pinsFile = writePinsFile(root.path, { [VERSION]: { assets: { [CLI]: sha256(BYTES.big), [LAYER]: sha256(BYTES.layer), [AGENT]: sha256(BYTES.agent) } } });
    await fetchRelease(VERSION, { releaseBase: server.url, pinsFile, arch: 'x86_64', cacheDir: tempDir('cache').path, env: {}, onProgress: (e) => events.push(e), progressIntervalMs: 50 });
    const cli = events.filter((e) => e.asset === CLI);
    expect(cli[0]).toEqual({ kind: 'start', version: VERSION, asset: CLI, source: `${server.url}/${VERSION}/${CLI}`, totalBytes: BYTES.big.length });
    const progress = cli.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const bytes = progress.map((e) => (e.kind === 'progress' ? e.bytes : 0));
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(bytes.at(-1)).toBeLessThanOrEqual(BYTES.big.length);
    expect(events.filter((e) => e.asset !== CLI && e.kind === 'start').map((e) => e.asset)).toEqual([LAYER, AGENT]);
  });
});
