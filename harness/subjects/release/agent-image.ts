/**
 * The agent from its pinned image, where the release base has no `mirrord-agent` asset (GitHub's never
 * has): find the image on the engine by its digest (Id or RepoDigests), else pull `repo@digest`; create a
 * container (never started), copy `/mirrord-agent` out of it, remove it. The binary is cached by the image
 * digest, so later runs need no engine.
 */
import type Docker from 'dockerode';
import { EnvironmentError } from '../../cli/errors.ts';
import { DEFAULT_SOCKET, requireEngine } from '../../images/engine.ts';
import { ownerLabels } from '../../runners/docker/sweep.ts';
import { AGENT_ASSET, AGENT_IN_IMAGE, dockerArch, type Arch } from './assets.ts';
import type { ReleaseCache } from './cache.ts';
import { DEFAULT_PROGRESS_INTERVAL_MS, ProgressMeter, type OnProgress } from './progress.ts';
import { TarError, withTarFile } from './tar.ts';

export interface AgentImageOptions {
  version: string;
  arch: Arch;
  cache: ReleaseCache;
  /** The engine's socket. @default $MIRRORD_REGRESS_DOCKER_SOCKET, else /var/run/docker.sock */
  socketPath?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: OnProgress;
  /** @default 5000 */
  progressIntervalMs?: number;
}

export interface AgentFromImage {
  path: string;
  sha256: string;
  bytes: number;
  /** `repo@digest`: what the bytes were taken from. */
  source: string;
  imageId: string;
  from: 'cache' | 'image';
}

/** `ghcr.io/metalbear-co/mirrord:3.112.0` -> `ghcr.io/metalbear-co/mirrord` (a registry port is not a tag). */
export function repositoryOf(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

/** The agent of the pinned image: from the cache when its record and bytes check out, else extracted (needs an engine). */
export async function agentFromImage(image: { ref: string; digest: string }, opts: AgentImageOptions): Promise<AgentFromImage> {
  const env = opts.env ?? process.env;
  const pinned = `${repositoryOf(image.ref)}@${image.digest}`;
  const cached = opts.cache.agentRecord(image.digest, opts.arch);
  let damaged = '';
  if (cached) {
    const check = await opts.cache.check(cached.sha256);
    if (check.state === 'hit') return { path: check.path, sha256: cached.sha256, bytes: check.bytes, source: pinned, imageId: cached.imageId, from: 'cache' };
    opts.cache.forgetAgent(image.digest, opts.arch);
    if (check.state === 'damaged') damaged = `the cached agent of mirrord ${opts.version} (${check.path}) was damaged (sha256 ${check.actual}, extracted as ${cached.sha256}) and was removed, and extracting it again failed: `;
  }
  try {
    return await extract(pinned, image.digest, opts, opts.socketPath ?? env.MIRRORD_REGRESS_DOCKER_SOCKET ?? DEFAULT_SOCKET);
  } catch (e) {
    if (damaged && e instanceof EnvironmentError) throw new EnvironmentError(damaged + e.message, e.code, { cause: e });
    throw e;
  }
}

// Why a created container: getArchive needs one, and never starting it runs nothing from the image.
async function extract(pinned: string, digest: string, opts: AgentImageOptions, socketPath: string): Promise<AgentFromImage> {
  let docker: Docker;
  try {
    docker = await requireEngine(socketPath);
  } catch (e) {
    throw new EnvironmentError(
      `the agent of mirrord ${opts.version} needs either a pinned ${AGENT_ASSET} asset in the release base or a Docker engine to extract it from the pinned image ${pinned}: no Docker engine answers at ${socketPath} (start one: \`bash images/engine.sh start /tmp/dockerd.pid\`)`,
      'NO_DOCKER_FOR_AGENT',
      { cause: e },
    );
  }
  const info = (await localImage(docker, pinned, digest)) ?? (await pull(docker, pinned, digest, opts));
  const wantArch = dockerArch(opts.arch);
  if (info.Architecture !== wantArch) {
    throw new EnvironmentError(`the pinned agent image ${pinned} is for ${info.Architecture}, but the agent is wanted for ${opts.arch} (${wantArch})`, 'AGENT_IMAGE_ARCH');
  }
  const container = await docker.createContainer({ Image: info.Id, Cmd: [AGENT_IN_IMAGE], Labels: ownerLabels(), NetworkDisabled: true });
  try {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await container.getArchive({ path: AGENT_IN_IMAGE });
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404) throw new EnvironmentError(`the pinned agent image ${pinned} has no ${AGENT_IN_IMAGE}`, 'AGENT_NOT_IN_IMAGE');
      throw new EnvironmentError(`cannot copy ${AGENT_IN_IMAGE} out of ${pinned}: ${engineMessage(e)}`, 'AGENT_COPY', { cause: e });
    }
    const name = AGENT_IN_IMAGE.replace(/^\//, '');
    const stored = await withTarFile(archive as AsyncIterable<Buffer>, name, (file) => {
      opts.onProgress?.({ kind: 'start', version: opts.version, asset: AGENT_ASSET, source: `${AGENT_IN_IMAGE} in ${pinned}`, totalBytes: file.size });
      const meter = new ProgressMeter({ version: opts.version, asset: AGENT_ASSET, totalBytes: file.size }, opts.onProgress, opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
      return opts.cache.store(file.body, () => {}, (n) => meter.add(n));
    }).catch((e: unknown) => {
      if (e instanceof TarError) throw new EnvironmentError(`cannot copy ${AGENT_IN_IMAGE} out of ${pinned}: ${e.message}`, 'AGENT_COPY');
      throw e;
    });
    opts.cache.recordAgent(digest, opts.arch, { sha256: stored.sha256, bytes: stored.bytes, imageId: info.Id });
    return { ...stored, source: pinned, imageId: info.Id, from: 'image' };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/** The image on this engine whose Id is the digest, or whose RepoDigests name it. */
async function localImage(docker: Docker, pinned: string, digest: string): Promise<Docker.ImageInspectInfo | undefined> {
  for (const name of [digest, pinned]) {
    try {
      const info = await docker.getImage(name).inspect();
      if (info.Id === digest || (info.RepoDigests ?? []).includes(pinned)) return info;
    } catch {
      // not here under that name
    }
  }
  return undefined;
}

// Why by digest: a tag can be moved to other bytes, a digest cannot; the engine checks what it pulls against it.
async function pull(docker: Docker, pinned: string, digest: string, opts: AgentImageOptions): Promise<Docker.ImageInspectInfo> {
  opts.onProgress?.({ kind: 'start', version: opts.version, asset: AGENT_ASSET, source: `docker pull ${pinned}` });
  try {
    const stream = await docker.pull(pinned, { platform: `linux/${dockerArch(opts.arch)}` });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = events?.find((ev) => ev.error)?.error;
        if (err || failed) reject(err ?? new Error(failed));
        else resolve();
      });
    });
  } catch (e) {
    throw new EnvironmentError(
      `cannot pull ${pinned}, the pinned agent image of mirrord ${opts.version}: ${engineMessage(e)}; load it into this engine (\`docker pull\` where the registry is reachable, then \`docker save\` | \`docker load\`), or use a release base with a pinned ${AGENT_ASSET} asset`,
      'AGENT_PULL',
      { cause: e },
    );
  }
  const info = await localImage(docker, pinned, digest);
  if (!info) throw new EnvironmentError(`the engine pulled ${pinned} but has no image with that digest afterwards`, 'AGENT_PULL');
  return info;
}

/** The engine's own words, on one line. */
function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; reason?: string; message?: string };
  return (err.json?.message ?? err.message ?? String(e)).replace(/\s+/g, ' ').trim();
}
