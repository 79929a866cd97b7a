/**
 * The agent from its pinned image, when the release base has no `mirrord-agent` asset: a locally built
 * image (FROM local/debian:bookworm, a small file COPYed as /mirrord-agent) pinned by its image Id, as
 * ghcr.io's would be by digest. Without an engine: one line, unless the agent is cached already.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import { requireEngine } from '../../harness/images/engine.ts';
import { fetchRelease, type FetchReleaseOptions } from '../../harness/subjects/release/fetch-release.ts';
import { skipDockerTests } from '../images/support/docker-gate.ts';
import { removeStaleTestImages, removeThisRunsImages, TEST_LABELS } from '../images/support/test-images.ts';
import { BYTES, CLI, LAYER, layOutRelease, removeTempDirs, tempDir, VERSION, writePinsFile } from './support/fixture.ts';
import { filesUnder, sha256 } from './support/release-base.ts';

afterAll(removeTempDirs);

const AGENT_BYTES = Buffer.concat([Buffer.from('#!/bin/sh\necho fake-agent-from-image "$@"\n'), Buffer.alloc(200_000, 0x23)]);
const DEAD_SOCKET = '/nonexistent/docker.sock';
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

let root: { path: string; remove: () => void };
let base: string;

beforeAll(() => {
  root = tempDir('release-agent');
  base = join(root.path, 'base');
  layOutRelease(base);
});
afterAll(() => root.remove());

/** Pins for the release without a mirrord-agent asset: the agent comes from `agentImage`. */
function pinsWithImage(ref: string, digest: string | null, extra: Record<string, string> = {}): string {
  return writePinsFile(root.path, { [VERSION]: { assets: { [CLI]: sha256(BYTES.cli), [LAYER]: sha256(BYTES.layer), ...extra }, agentImage: { ref, digest } } });
}

const options = (pinsFile: string, over: FetchReleaseOptions = {}): FetchReleaseOptions => ({ releaseBase: base, pinsFile, arch: 'x86_64', cacheDir: tempDir('cache').path, env: {}, ...over });

async function refusal(opts: FetchReleaseOptions): Promise<EnvironmentError> {
  const err = await fetchRelease(VERSION, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EnvironmentError);
  expect((err as Error).message).not.toContain('\n');
  return err as EnvironmentError;
}

describe('the agent without an engine', () => {
  it('is one line saying what the agent needs, when it is neither an asset nor cached', async () => {
    const ref = 'ghcr.io/metalbear-co/mirrord:3.112.0';
    const digest = `sha256:${'a'.repeat(64)}`;
    const err = await refusal(options(pinsWithImage(ref, digest), { dockerSocket: DEAD_SOCKET }));
    expect(err.code).toBe('NO_DOCKER_FOR_AGENT');
    expect(err.message).toBe(
      `the agent of mirrord ${VERSION} needs either a pinned mirrord-agent asset in the release base or a Docker engine to extract it from the pinned image ghcr.io/metalbear-co/mirrord@${digest}: no Docker engine answers at ${DEAD_SOCKET} (start one: \`bash images/engine.sh start /tmp/dockerd.pid\`)`,
    );
  });

  it('an agent image with no digest pinned is refused before anything is fetched', async () => {
    const cache = tempDir('cache').path;
    const err = await refusal(options(pinsWithImage('ghcr.io/metalbear-co/mirrord:3.112.0', null), { cacheDir: cache }));
    expect(err.code).toBe('UNPINNED_AGENT');
    expect(err.message).toMatch(
      /^the agent of mirrord 3\.112\.0 is not pinned in .*\.json \(no mirrord-agent asset, no agentImage\.digest of ghcr\.io\/metalbear-co\/mirrord:3\.112\.0\): run mirrord-regress images pin 3\.112\.0 where GitHub is reachable, or give --pins FILE$/,
    );
    expect(filesUnder(cache)).toEqual([]);
  });
});

const skip = await skipDockerTests('agent image tests', ['3.1']);

describe.skipIf(skip)('the agent from a local image', () => {
  let docker: Docker;
  let withAgent: { ref: string; id: string };
  let withoutAgent: { ref: string; id: string };

  /** Builds FROM local/debian:bookworm with `lines`, labelled for removal; returns its tag and Id. */
  async function build(name: string, lines: string[], files: Record<string, Buffer>): Promise<{ ref: string; id: string }> {
    const context = join(root.path, `context-${name}`);
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), ['FROM local/debian:bookworm', ...lines, ''].join('\n'));
    for (const [file, bytes] of Object.entries(files)) writeFileSync(join(context, file), bytes, { mode: 0o755 });
    const ref = `mirrord-regress-test/${name}:${TEST_LABELS['mirrord-regress.test-run']!.replace(/[^a-z0-9]/g, '')}`;
    const stream = await docker.buildImage({ context, src: ['Dockerfile', ...Object.keys(files)] }, { t: ref, labels: TEST_LABELS, rm: true, forcerm: true });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => (err || events.some((e) => e.error) ? reject(err ?? new Error(events.find((e) => e.error)!.error)) : resolve())),
    );
    return { ref, id: (await docker.getImage(ref).inspect()).Id };
  }

  const containersOf = async (id: string) => (await docker.listContainers({ all: true, filters: { ancestor: [id] } })).map((c) => c.Id);

  beforeAll(async () => {
    docker = await requireEngine();
    await removeStaleTestImages(docker);
    withAgent = await build('agent', ['COPY mirrord-agent /mirrord-agent'], { 'mirrord-agent': AGENT_BYTES });
    withoutAgent = await build('no-agent', ['LABEL what=no-agent'], {});
  }, 120_000);
  afterAll(async () => {
    if (docker) await removeThisRunsImages(docker);
  });

  it('copies /mirrord-agent out of the image pinned by its Id, leaves no container, and caches it by the digest', async () => {
    const cache = tempDir('cache').path;
    const pins = pinsWithImage(withAgent.ref, withAgent.id);
    const release = await fetchRelease(VERSION, options(pins, { cacheDir: cache }));
    expect(readFileSync(release.agent)).toEqual(AGENT_BYTES);
    expect(release.agent).toBe(join(cache, 'sha256', sha256(AGENT_BYTES)));
    const repo = withAgent.ref.slice(0, withAgent.ref.lastIndexOf(':'));
    expect(release.provenance.agent).toEqual({
      asset: '/mirrord-agent',
      sha256: sha256(AGENT_BYTES),
      bytes: AGENT_BYTES.length,
      source: `${repo}@${withAgent.id}`,
      from: 'image',
      image: { ref: withAgent.ref, digest: withAgent.id, id: withAgent.id },
    });
    expect(await containersOf(withAgent.id)).toEqual([]);

    // Offline and without an engine: from the cache.
    const again = await fetchRelease(VERSION, options(pins, { cacheDir: cache, dockerSocket: DEAD_SOCKET }));
    expect(again.agent).toBe(release.agent);
    expect(again.provenance.agent.from).toBe('cache');

    // Damaged: extracted again from the image.
    writeFileSync(release.agent, 'bit rot');
    const repaired = await fetchRelease(VERSION, options(pins, { cacheDir: cache }));
    expect(readFileSync(repaired.agent)).toEqual(AGENT_BYTES);
    expect(repaired.provenance.agent.from).toBe('image');
    expect(filesUnder(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('uses the MIRRORD_REGRESS_DOCKER_SOCKET engine', async () => {
    const err = await refusal(options(pinsWithImage(withAgent.ref, withAgent.id), { env: { MIRRORD_REGRESS_DOCKER_SOCKET: DEAD_SOCKET } }));
    expect(err.code).toBe('NO_DOCKER_FOR_AGENT');
    expect(err.message).toContain(`no Docker engine answers at ${DEAD_SOCKET}`);
    const ok = await fetchRelease(VERSION, options(pinsWithImage(withAgent.ref, withAgent.id), { env: { MIRRORD_REGRESS_DOCKER_SOCKET: '/var/run/docker.sock' } }));
    expect(readFileSync(ok.agent)).toEqual(AGENT_BYTES);
  });

  it('an image without /mirrord-agent is one line, and leaves no container and nothing cached', async () => {
    const cache = tempDir('cache').path;
    const err = await refusal(options(pinsWithImage(withoutAgent.ref, withoutAgent.id), { cacheDir: cache }));
    expect(err.code).toBe('AGENT_NOT_IN_IMAGE');
    const repo = withoutAgent.ref.slice(0, withoutAgent.ref.lastIndexOf(':'));
    expect(err.message).toBe(`the pinned agent image ${repo}@${withoutAgent.id} has no /mirrord-agent`);
    expect(await containersOf(withoutAgent.id)).toEqual([]);
    // The CLI and layer were verified and cached; no agent record, no temp file.
    expect(filesUnder(cache)).toEqual([BYTES.cli, BYTES.layer].map((b) => join('sha256', sha256(b))).sort());
  });

  it('a digest the engine does not have is pulled by digest; a failed pull is one line', async () => {
    const err = await refusal(options(pinsWithImage('127.0.0.1:9/mirrord-regress/none:1', ZERO_DIGEST)));
    expect(err.code).toBe('AGENT_PULL');
    expect(err.message).toMatch(
      new RegExp(
        `^cannot pull 127\\.0\\.0\\.1:9/mirrord-regress/none@${ZERO_DIGEST}, the pinned agent image of mirrord ${VERSION}: .*connection refused.*; load it into this engine \\(\`docker pull\` where the registry is reachable, then \`docker save\` \\| \`docker load\`\\), or use a release base with a pinned mirrord-agent asset$`,
      ),
    );
  });

  it('an image for another architecture is refused', async () => {
    const pins = writePinsFile(root.path, {
      [VERSION]: { assets: { mirrord_linux_aarch64: sha256(BYTES.cli), 'libmirrord_layer_linux_aarch64.so': sha256(BYTES.layer) }, agentImage: { ref: withAgent.ref, digest: withAgent.id } },
    });
    const dir = join(root.path, 'arm-base');
    mkdirSync(join(dir, VERSION), { recursive: true });
    writeFileSync(join(dir, VERSION, 'mirrord_linux_aarch64'), BYTES.cli);
    writeFileSync(join(dir, VERSION, 'libmirrord_layer_linux_aarch64.so'), BYTES.layer);
    const err = await refusal(options(pins, { releaseBase: dir, arch: 'aarch64' }));
    expect(err.code).toBe('AGENT_IMAGE_ARCH');
    const repo = withAgent.ref.slice(0, withAgent.ref.lastIndexOf(':'));
    expect(err.message).toBe(`the pinned agent image ${repo}@${withAgent.id} is for amd64, but the agent is wanted for aarch64 (arm64)`);
  });
});
