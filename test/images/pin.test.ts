/**
 * `images pin` against local stand-ins for GitHub's release downloads and ghcr.io's registry: the right
 * hashes and digest land in a temp copy of the pins file, one line each; failures change nothing.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../harness/cli/errors.ts';
import { pinRelease, type PinOptions } from '../../harness/images/pin.ts';
import { fetchRelease } from '../../harness/subjects/release/fetch-release.ts';
import { PINS_FILE, readPins } from '../../harness/subjects/release/pins.ts';
import { regress } from '../support/cli.ts';
import { BYTES, layOutRelease, removeTempDirs, tempDir } from '../release/support/fixture.ts';
import { deadUrl, filesUnder, layOut, serveDir, sha256, startRegistry, type RegistryStandIn, type ReleaseServer } from '../release/support/release-base.ts';

afterAll(removeTempDirs);

const V = '3.112.0';
const ASSETS = {
  mirrord_linux_x86_64: Buffer.from('cli x86_64'),
  'libmirrord_layer_linux_x86_64.so': Buffer.from('layer x86_64'),
  mirrord_linux_aarch64: Buffer.from('cli aarch64'),
  'libmirrord_layer_linux_aarch64.so': Buffer.from('layer aarch64'),
};
const DIGEST = `sha256:${'d'.repeat(64)}`;
const DIGEST_113 = `sha256:${'e'.repeat(64)}`;

let dir: { path: string; remove: () => void };
let release: ReleaseServer;
let registry: RegistryStandIn;

beforeAll(async () => {
  dir = tempDir('pin');
  for (const v of [V, '3.113.0']) layOut(join(dir.path, 'github'), Object.fromEntries(Object.entries(ASSETS).map(([a, b]) => [`${v}/${a}`, b])));
  layOut(join(dir.path, 'reuploaded'), { [`${V}/mirrord_linux_x86_64`]: Buffer.from('a re-uploaded asset') });
  release = await serveDir(join(dir.path, 'github'));
  registry = await startRegistry('metalbear-co/mirrord', { [V]: DIGEST, '3.113.0': DIGEST_113 });
});
afterAll(async () => {
  await release.close();
  await registry.close();
  dir.remove();
});

// Each test starts from a fresh copy of the real file; the real one is never written.
function freshCopy(): string {
  const file = join(dir.path, `pins-${Math.random().toString(36).slice(2)}.json`);
  copyFileSync(PINS_FILE, file);
  return file;
}

const pin = (version: string, opts: PinOptions) => pinRelease(version, { releaseBase: release.url, registry: registry.url, env: {}, ...opts });

function changedLines(a: string, b: string): [string, string][] {
  const la = a.split('\n');
  const lb = b.split('\n');
  expect(lb.length).toBe(la.length);
  return la.flatMap((line, i) => (line === lb[i] ? [] : [[line, lb[i]!] as [string, string]]));
}

describe('images pin', () => {
  it('pins every Linux asset and the agent image digest, one changed line each', async () => {
    const file = freshCopy();
    const before = readFileSync(file, 'utf8');
    const outcome = await pin(V, { pinsFile: file });
    expect(outcome.pins).toEqual([
      ...Object.entries(ASSETS).map(([a, b]) => ({ what: a, value: `sha256:${sha256(b)}`, source: `${release.url}/${V}/${a}`, changed: true })),
      { what: `agent image ghcr.io/metalbear-co/mirrord:${V}`, value: DIGEST, source: `${registry.url}/v2/metalbear-co/mirrord/manifests/${V}`, changed: true },
    ]);
    const line = (asset: string, value: string, last = false) => `        "${asset}": ${value}${last ? '' : ','}`;
    expect(changedLines(before, readFileSync(file, 'utf8'))).toEqual([
      [line('mirrord_linux_x86_64', 'null'), line('mirrord_linux_x86_64', `"${sha256(ASSETS.mirrord_linux_x86_64)}"`)],
      [line('libmirrord_layer_linux_x86_64.so', 'null'), line('libmirrord_layer_linux_x86_64.so', `"${sha256(ASSETS['libmirrord_layer_linux_x86_64.so'])}"`)],
      [line('mirrord_linux_aarch64', 'null'), line('mirrord_linux_aarch64', `"${sha256(ASSETS.mirrord_linux_aarch64)}"`)],
      [line('libmirrord_layer_linux_aarch64.so', 'null', true), line('libmirrord_layer_linux_aarch64.so', `"${sha256(ASSETS['libmirrord_layer_linux_aarch64.so'])}"`, true)],
      [line('digest', 'null', true), line('digest', `"${DIGEST}"`, true)],
    ]);
    // The anonymous-token dance: challenged, token from the realm the challenge names, then asked again.
    expect(registry.requests.slice(-3)).toEqual([
      `HEAD /v2/metalbear-co/mirrord/manifests/${V}`,
      `GET /token?service=stand-in&scope=repository%3Ametalbear-co%2Fmirrord%3Apull`,
      `HEAD /v2/metalbear-co/mirrord/manifests/${V} (Bearer stand-in-token)`,
    ]);
  });

  it('the same pins again change nothing; a different hash is refused without --force, and nothing is written', async () => {
    const file = freshCopy();
    await pin(V, { pinsFile: file });
    const pinned = readFileSync(file, 'utf8');
    expect((await pin(V, { pinsFile: file })).pins.every((p) => !p.changed)).toBe(true);
    const other = await serveDir(join(dir.path, 'reuploaded'));
    try {
      const err = await pin(V, { pinsFile: file, releaseBase: other.url, assets: ['mirrord_linux_x86_64'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect((err as EnvironmentError).code).toBe('PIN_CHANGED');
      expect((err as Error).message).toBe(
        `mirrord_linux_x86_64 of mirrord ${V} is pinned to sha256:${sha256(ASSETS.mirrord_linux_x86_64)} in ${file}, but ${other.url}/${V}/mirrord_linux_x86_64 now has sha256:${sha256('a re-uploaded asset')}: check the release, then rerun with --force to replace the pin`,
      );
      expect(readFileSync(file, 'utf8')).toBe(pinned);
      await pin(V, { pinsFile: file, releaseBase: other.url, assets: ['mirrord_linux_x86_64'], force: true });
      expect(readPins(file).versions[V]!.assets.mirrord_linux_x86_64).toBe(sha256('a re-uploaded asset'));
      expect(readPins(file).versions[V]!.agentImage!.digest).toBe(DIGEST);
    } finally {
      await other.close();
    }
  });

  it('adds a version the file did not list, in release order, with its agent image', async () => {
    const file = freshCopy();
    await pin('3.113.0', { pinsFile: file });
    const pins = readPins(file);
    expect(Object.keys(pins.versions)).toEqual(['3.111.0', '3.112.0', '3.112.1', '3.113.0']);
    expect(pins.versions['3.113.0']!.agentImage).toEqual({ ref: 'ghcr.io/metalbear-co/mirrord:3.113.0', digest: DIGEST_113 });
  });

  it('a release server that is down is one line naming the URL and the errno, and the file is untouched', async () => {
    const file = freshCopy();
    const url = await deadUrl();
    const err = await pin(V, { pinsFile: file, releaseBase: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toBe(
      `cannot reach ${url}/${V}/mirrord_linux_x86_64 for mirrord_linux_x86_64 of mirrord ${V}: connect ECONNREFUSED 127.0.0.1:${new URL(url).port}; check the network and the release base (--release-base)`,
    );
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(PINS_FILE, 'utf8'));
  });

  it('an asset the release lacks, and an image the registry lacks, are one line each; the file is untouched', async () => {
    const file = freshCopy();
    const missing = await pin('9.9.9', { pinsFile: file }).catch((e: unknown) => e);
    expect((missing as Error).message).toBe(`mirrord_linux_x86_64 of mirrord 9.9.9 is missing: ${release.url}/9.9.9/mirrord_linux_x86_64 answered HTTP 404 Not Found; check the version and the release base (--release-base)`);
    layOut(join(dir.path, 'github'), Object.fromEntries(Object.entries(ASSETS).map(([a, b]) => [`3.114.0/${a}`, b])));
    const noImage = await pin('3.114.0', { pinsFile: file }).catch((e: unknown) => e);
    expect((noImage as EnvironmentError).code).toBe('IMAGE_MISSING');
    expect((noImage as Error).message).toBe(
      `cannot read the agent image ghcr.io/metalbear-co/mirrord:3.114.0: ${registry.url}/v2/metalbear-co/mirrord/manifests/3.114.0 answered HTTP 404 Not Found: is the version released, and is the image on this registry?`,
    );
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(PINS_FILE, 'utf8'));
  });

  it('rejects a malformed version, asset or base before any download', async () => {
    const before = release.requests.length;
    await expect(pin('latest', { pinsFile: freshCopy() })).rejects.toThrow(new UsageError('mirrord version must look like 3.112.0, got "latest"', 'BAD_VERSION'));
    await expect(pin(V, { pinsFile: freshCopy(), assets: ['../etc/passwd'] })).rejects.toBeInstanceOf(UsageError);
    await expect(pin(V, { pinsFile: freshCopy(), releaseBase: 'ftp://x' })).rejects.toThrow(new UsageError('--release-base must be an http(s) URL or a directory, got "ftp://x"', 'BAD_RELEASE_BASE'));
    expect(release.requests.length).toBe(before);
  });

  it('pins a lab-style directory base (agent asset, variants) into a new pins file, which fetchRelease then uses offline', async () => {
    const lab = join(dir.path, 'lab');
    layOutRelease(lab);
    const file = join(dir.path, `new-${Math.random().toString(36).slice(2)}.json`);
    const assets = ['mirrord_linux_x86_64', 'libmirrord_layer_linux_x86_64.so', 'mirrord-agent'];
    const outcome = await pin(V, { pinsFile: file, releaseBase: lab, assets, variants: ['none', 'forget'] });
    expect(outcome.pins.map((p) => `${p.what} ${p.value}`)).toEqual([
      `mirrord_linux_x86_64 sha256:${sha256(BYTES.cli)}`,
      `libmirrord_layer_linux_x86_64.so sha256:${sha256(BYTES.layer)}`,
      `mirrord-agent sha256:${sha256(BYTES.agent)}`,
      `variants/none/libmirrord_layer_linux_x86_64.so sha256:${sha256(BYTES.none)}`,
      `variants/forget/libmirrord_layer_linux_x86_64.so sha256:${sha256(BYTES.forget)}`,
    ]);
    expect(readPins(file).versions[V]).toEqual({
      assets: { mirrord_linux_x86_64: sha256(BYTES.cli), 'libmirrord_layer_linux_x86_64.so': sha256(BYTES.layer), 'mirrord-agent': sha256(BYTES.agent) },
      variants: { none: { 'libmirrord_layer_linux_x86_64.so': sha256(BYTES.none) }, forget: { 'libmirrord_layer_linux_x86_64.so': sha256(BYTES.forget) } },
    });
    const cache = tempDir('cache').path;
    const fetched = await fetchRelease(V, { pinsFile: file, releaseBase: lab, arch: 'x86_64', cacheDir: cache, env: {} });
    expect(readFileSync(fetched.variants.forget!)).toEqual(BYTES.forget);
    expect(filesUnder(cache)).toHaveLength(5);
  });

  it('through the CLI: one stdout line per pin, exit 0; a refusal is one stderr line, exit 2', async () => {
    const file = freshCopy();
    const args = ['images', 'pin', V, '--pins', file, '--release-base', release.url, '--registry', registry.url];
    const ok = await regress(args);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.split('\n')).toEqual([
      ...Object.entries(ASSETS).map(([a, b]) => `pinned mirrord ${V} ${a} sha256:${sha256(b)}`),
      `pinned mirrord ${V} agent image ghcr.io/metalbear-co/mirrord:${V} ${DIGEST}`,
    ]);
    const again = await regress([...args, '--asset', 'mirrord_linux_x86_64']);
    expect(again.stdout).toBe(`pinned mirrord ${V} mirrord_linux_x86_64 sha256:${sha256(ASSETS.mirrord_linux_x86_64)} (unchanged)`);
    const bad = await regress([...args, '--variants', 'strong']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('mirrord-regress: unknown strategy "strong"; choose one of none, normal, forget');
  });
});
