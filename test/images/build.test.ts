/**
 * The real builds, against the engine: the Ruby image is keyed and reused, and the mirrord image's
 * download-and-verify path runs against a local release server (host networking, 127.0.0.1).
 * Everything built here carries TEST_LABELS and is removed in afterAll.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { ensureImage, IN_IMAGE, type EnsuredImage, type EnsureOptions } from '../../harness/images/catalog.ts';
import { requireEngine } from '../../harness/images/engine.ts';
import { formatPins } from '../../harness/subjects/release/pins.ts';
import { skipDockerTests } from './support/docker-gate.ts';
import { deadUrl, startReleaseServer, type ReleaseServer } from './support/release-server.ts';
import { removeStaleTestImages, removeThisRunsImages, TEST_LABEL, TEST_LABELS } from './support/test-images.ts';
import { LAB_CLI } from '../support/repo.ts';

const VERSION = '3.112.0';
const ASSET = 'mirrord_linux_x86_64';
const FAKE = Buffer.from('#!/bin/sh\necho fake-mirrord "$@"\n');
const FAKE_SHA = createHash('sha256').update(FAKE).digest('hex');

const skip = await skipDockerTests('image build tests', ['3.1', '3.3']);
const skipLab = !existsSync(LAB_CLI) && !process.env.CI;
if (skipLab && !skip) console.warn('skipping the lab image test: the lab is not built (npm run build:lab)');

let server: ReleaseServer;
let dir: string;
let firstRuby: EnsuredImage;

/** A temp versions file: the real one is never sent by these tests. */
function versionsFile(name: string, releaseBaseUrl: string, pin: string | null): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, formatPins({ schema: 2, releaseBaseUrl, versions: { [VERSION]: { assets: { [ASSET]: pin } } } }));
  return path;
}

function opts(extra: EnsureOptions = {}): EnsureOptions {
  return { labels: TEST_LABELS, networkMode: 'host', asset: ASSET, ...extra };
}

function run(image: string, argv: string[], user = 'root') {
  const labels = Object.entries(TEST_LABELS).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  return execa('docker', ['run', '--rm', '--network', 'none', ...labels, '--user', user, image, ...argv], { reject: false });
}

async function buildError(versions: string): Promise<EnvironmentError> {
  const err = await ensureImage({ kind: 'mirrord', ruby: '3.1', version: VERSION }, opts({ versionsFile: versions })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EnvironmentError);
  expect((err as Error).message).not.toContain('\n');
  return err as EnvironmentError;
}

describe.skipIf(skip)('image builds', () => {
  beforeAll(async () => {
    const docker = await requireEngine();
    await removeStaleTestImages(docker);
    server = await startReleaseServer({ [`/${VERSION}/${ASSET}`]: FAKE });
    dir = mkdtempSync(join(tmpdir(), 'regress-images-'));
    firstRuby = await ensureImage({ kind: 'ruby', ruby: '3.1' }, opts());
    console.info(`ruby 3.1 image: first build ${firstRuby.seconds.toFixed(1)} s`);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeThisRunsImages(await requireEngine());
  }, 120_000);

  it('the Ruby image is keyed by its inputs: built once, then reused', async () => {
    expect(firstRuby.built).toBe(true);
    expect(firstRuby.tag).toBe(`mirrord-regress/ruby:3.1-${firstRuby.key.slice(0, 12)}`);
    const start = performance.now();
    const again = await ensureImage({ kind: 'ruby', ruby: '3.1' }, opts());
    console.info(`ruby 3.1 image: cached in ${((performance.now() - start) / 1000).toFixed(2)} s`);
    expect(again).toEqual({ tag: firstRuby.tag, key: firstRuby.key, built: false, seconds: 0 });
    const inspect = await (await requireEngine()).getImage(firstRuby.tag).inspect();
    expect(inspect.Config.Labels).toMatchObject({ 'mirrord-regress.inputs': firstRuby.key, [TEST_LABEL]: '1' });
    const ruby = await run(firstRuby.tag, ['sh', '-c', 'ruby -e "print RUBY_VERSION"; echo " $(id -u)"; for c in ip ps setpriv; do command -v $c; done'], IN_IMAGE.user);
    expect(ruby.stdout).toMatch(new RegExp(`^3\\.1\\.\\d+ ${IN_IMAGE.uid}\\n`));
    expect(ruby.stdout.trim().split('\n')).toHaveLength(4);
  }, 60_000);

  it('mirrord: the right checksum builds, and the image holds the served bytes', async () => {
    const before = server.requests.length;
    const image = await ensureImage({ kind: 'mirrord', ruby: '3.1', version: VERSION }, opts({ versionsFile: versionsFile('good', server.url, FAKE_SHA) }));
    expect(image.built).toBe(true);
    expect(server.requests.slice(before)).toEqual([`/${VERSION}/${ASSET}`]);
    const out = await run(image.tag, ['mirrord', '--version']);
    expect(out.stdout).toBe('fake-mirrord --version');
    const bytes = await run(image.tag, ['sh', '-c', `stat -c %a ${IN_IMAGE.mirrord}; sha256sum ${IN_IMAGE.mirrord}`]);
    expect(bytes.stdout).toBe(`755\n${FAKE_SHA}  ${IN_IMAGE.mirrord}`);
  }, 120_000);

  it('mirrord: a schema 1 pins file still builds (fetch-verified.rb reads both schemas)', async () => {
    const path = join(dir, 'schema1.json');
    writeFileSync(path, JSON.stringify({ schema: 1, releaseBaseUrl: server.url, versions: { [VERSION]: { [ASSET]: FAKE_SHA } } }, null, 2) + '\n');
    const image = await ensureImage({ kind: 'mirrord', ruby: '3.1', version: VERSION }, opts({ versionsFile: path }));
    expect((await run(image.tag, ['mirrord', '--version'])).stdout).toBe('fake-mirrord --version');
  }, 120_000);

  it('mirrord: a wrong checksum fails the build, naming expected and actual', async () => {
    const wrong = 'a'.repeat(64);
    const err = await buildError(versionsFile('wrong', server.url, wrong));
    expect(err.code).toBe('IMAGE_BUILD');
    expect(err.message).toBe(
      `sha256 mismatch for mirrord ${VERSION} asset ${ASSET} from ${server.url}/${VERSION}/${ASSET}: expected ${wrong}, actual ${FAKE_SHA}`,
    );
  }, 120_000);

  it('mirrord: a missing pin fails before any download, saying how to pin', async () => {
    const before = server.requests.length;
    const err = await buildError(versionsFile('unpinned', server.url, null));
    expect(err.message).toBe(
      `no sha256 pinned for mirrord ${VERSION} asset ${ASSET} in images/mirrord-versions.json: run \`mirrord-regress images pin ${VERSION}\` where the network exists`,
    );
    expect(server.requests.length).toBe(before);
  }, 120_000);

  it('mirrord: an unreachable server fails with the URL and the error', async () => {
    const url = await deadUrl();
    const err = await buildError(versionsFile('down', url, FAKE_SHA));
    expect(err.message).toMatch(new RegExp(`^cannot download ${url}/${VERSION}/${ASSET}: Errno::ECONNREFUSED: `));
  }, 120_000);

  it.skipIf(skipLab)('lab: the host-built lab and the workloads run as regress on bookworm and trixie', async () => {
    for (const ruby of ['3.1', '3.3'] as const) {
      const image = await ensureImage({ kind: 'lab', ruby }, opts());
      const script = [
        `${IN_IMAGE.labCli} --version`,
        `test -r ${IN_IMAGE.labLayer}`,
        `ruby -c ${IN_IMAGE.scenarios}/spawn_then_resolve.rb`,
        `test -r ${IN_IMAGE.scenarios}/lib/regress_report.rb && echo readable`,
      ].join(' && ');
      const out = await run(image.tag, ['sh', '-c', script], IN_IMAGE.user);
      expect(out.exitCode, `${ruby}: ${out.stderr}`).toBe(0);
      expect(out.stdout).toMatch(/Syntax OK\nreadable$/);
    }
  }, 180_000);
});
