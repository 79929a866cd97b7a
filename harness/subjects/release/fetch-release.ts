/**
 * `fetchRelease(version)`: a mirrord release (CLI, layer, agent, the layer variants the pins list) as local
 * files, each checked against its pin before it is used, from a release base (GitHub, a mirror, a
 * directory) or the user's cache, which makes a second run work offline.
 */
import { EnvironmentError } from '../../cli/errors.ts';
import type { Strategy } from '../../model/result.ts';
import { AGENT_IN_IMAGE, assertVersion, hostArch, type Arch } from './assets.ts';
import { agentFromImage } from './agent-image.ts';
import { chooseReleaseBase, describeBase, describeSource, parseReleaseBase, sourceOf, type ReleaseBase } from './base.ts';
import { cacheDir, ReleaseCache } from './cache.ts';
import { openSource } from './download.ts';
import { PINS_FILE, PINS_FILE_LABEL, readPins } from './pins.ts';
import { planCli, planRelease, type PinnedFile } from './plan.ts';
import { DEFAULT_PROGRESS_INTERVAL_MS, ProgressMeter, type OnProgress } from './progress.ts';

export interface FetchReleaseOptions {
  /** An http(s) URL or a directory, laid out `<base>/<version>/<asset>`. @default $MIRRORD_REGRESS_RELEASE_BASE, else the pins file's releaseBaseUrl (GitHub) */
  releaseBase?: string;
  /** The pins every file is checked against. @default images/mirrord-versions.json */
  pinsFile?: string;
  /** Whose CLI and layer. @default this machine's */
  arch?: Arch;
  /** @default cacheDir(env): $MIRRORD_REGRESS_CACHE, else $XDG_CACHE_HOME/mirrord-regress, else ~/.cache/mirrord-regress */
  cacheDir?: string;
  /** The engine the agent is extracted with, when it comes from its image. @default $MIRRORD_REGRESS_DOCKER_SOCKET, else /var/run/docker.sock */
  dockerSocket?: string;
  /** Download starts and progress; nothing is printed otherwise. @default none */
  onProgress?: OnProgress;
  /** @default 5000 */
  progressIntervalMs?: number;
  /** Give up on a download when no byte arrives for this long. @default 60000 */
  idleTimeoutMs?: number;
  /** Stops the fetch (Ctrl-C): it rejects with the signal's reason and leaves no temp file. @default none */
  signal?: AbortSignal;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface ArtifactProvenance {
  /** The release asset (`mirrord_linux_x86_64`; a variant: `variants/none/libmirrord_layer_linux_x86_64.so`), or `/mirrord-agent` taken from the image. */
  asset: string;
  sha256: string;
  bytes: number;
  /** The URL or path it was fetched from (for a cache hit: would have been; the cache is keyed by content), or `repo@digest` of the agent image. */
  source: string;
  from: 'fetched' | 'cache' | 'image';
  /** The agent image it came from, when it did. */
  image?: { ref: string; digest: string; id: string };
}

export interface ReleaseProvenance {
  version: string;
  arch: Arch;
  /** The pins file as messages name it. */
  pinsFile: string;
  releaseBase: string;
  cli: ArtifactProvenance;
  layer: ArtifactProvenance;
  agent: ArtifactProvenance;
  variants: Partial<Record<Strategy, ArtifactProvenance>>;
}

export interface FetchedRelease {
  version: string;
  arch: Arch;
  /** Verified files in the cache (named by their sha256, executable): do not modify them, copy them to stage them. */
  cli: string;
  layer: string;
  agent: string;
  /** The layer built with another guard strategy, for each variant the pins list for this version and arch. */
  variants: Partial<Record<Strategy, string>>;
  provenance: ReleaseProvenance;
}

interface Context {
  version: string;
  base: ReleaseBase;
  cache: ReleaseCache;
  pinsLabel: string;
  opts: FetchReleaseOptions;
}

/** The release's CLI alone, verified (for `--kubeconfig`, where a real cluster runs the agent). */
export async function fetchReleaseCli(version: string, opts: FetchReleaseOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  assertVersion(version);
  const pinsLabel = opts.pinsFile ?? PINS_FILE_LABEL;
  const pins = readPins(opts.pinsFile ?? PINS_FILE, pinsLabel);
  const file = planCli(pins, version, opts.arch ?? hostArch(), pinsLabel);
  const chosen = chooseReleaseBase(opts.releaseBase, env, pins.releaseBaseUrl, pinsLabel);
  const ctx: Context = { version, base: parseReleaseBase(chosen.text, chosen.from), cache: new ReleaseCache(opts.cacheDir ?? cacheDir(env)), pinsLabel, opts };
  return (await fetchPinned(file, ctx)).path;
}

// Why plan first: every refusal (an unpinned asset) comes before the first byte is fetched.
/** The release's files for `opts.arch`, verified; see FetchReleaseOptions for where they come from. */
export async function fetchRelease(version: string, opts: FetchReleaseOptions = {}): Promise<FetchedRelease> {
  const env = opts.env ?? process.env;
  assertVersion(version);
  const pinsPath = opts.pinsFile ?? PINS_FILE;
  const pinsLabel = opts.pinsFile ?? PINS_FILE_LABEL;
  const pins = readPins(pinsPath, pinsLabel);
  const arch = opts.arch ?? hostArch();
  const plan = planRelease(pins, version, arch, pinsLabel);
  const chosen = chooseReleaseBase(opts.releaseBase, env, pins.releaseBaseUrl, pinsLabel);
  const base = parseReleaseBase(chosen.text, chosen.from);
  const ctx: Context = { version, base, cache: new ReleaseCache(opts.cacheDir ?? cacheDir(env)), pinsLabel, opts };

  const cli = await fetchPinned(plan.cli, ctx);
  const layer = await fetchPinned(plan.layer, ctx);
  const variants: Partial<Record<Strategy, ArtifactProvenance & { path: string }>> = {};
  for (const file of plan.variants) variants[file.strategy!] = await fetchPinned(file, ctx);
  let agent: ArtifactProvenance & { path: string };
  if (plan.agent.kind === 'asset') agent = await fetchPinned(plan.agent.file, ctx);
  else {
    opts.signal?.throwIfAborted();
    const got = await agentFromImage(plan.agent, { version, arch, cache: ctx.cache, socketPath: opts.dockerSocket, env, onProgress: opts.onProgress, progressIntervalMs: opts.progressIntervalMs });
    const image = { ref: plan.agent.ref, digest: plan.agent.digest, id: got.imageId };
    agent = { path: got.path, asset: AGENT_IN_IMAGE, sha256: got.sha256, bytes: got.bytes, source: got.source, from: got.from === 'cache' ? 'cache' : 'image', image };
  }

  const strip = ({ path: _path, ...p }: ArtifactProvenance & { path: string }): ArtifactProvenance => p;
  return {
    version,
    arch,
    cli: cli.path,
    layer: layer.path,
    agent: agent.path,
    variants: Object.fromEntries(Object.entries(variants).map(([s, v]) => [s, v.path])),
    provenance: {
      version,
      arch,
      pinsFile: pinsLabel,
      releaseBase: describeBase(base),
      cli: strip(cli),
      layer: strip(layer),
      agent: strip(agent),
      variants: Object.fromEntries(Object.entries(variants).map(([s, v]) => [s, strip(v)])),
    },
  };
}

// Why check the cache first: a verified copy needs no network; a damaged one is removed and fetched again.
/** One pinned file: from the cache when it holds the pinned bytes, else from the release base, verified while it streams. */
async function fetchPinned(file: PinnedFile, ctx: Context): Promise<ArtifactProvenance & { path: string }> {
  const source = sourceOf(ctx.base, file.relPath);
  const shown = describeSource(source);
  const asset = file.name;
  const cached = await ctx.cache.check(file.sha256);
  if (cached.state === 'hit') return { path: cached.path, asset, sha256: file.sha256, bytes: cached.bytes, source: shown, from: 'cache' };
  try {
    const opened = await openSource(source, { what: file.what }, { idleTimeoutMs: ctx.opts.idleTimeoutMs, signal: ctx.opts.signal });
    try {
      ctx.opts.onProgress?.({ kind: 'start', version: ctx.version, asset, source: shown, totalBytes: opened.totalBytes });
      const meter = new ProgressMeter({ version: ctx.version, asset, totalBytes: opened.totalBytes }, ctx.opts.onProgress, ctx.opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
      const stored = await ctx.cache.store(
        opened.body,
        (actual) => {
          if (actual !== file.sha256) {
            throw new EnvironmentError(
              `${file.what} from ${shown}: sha256 ${actual}, but ${ctx.pinsLabel} pins ${file.sha256}: the download is not the pinned release (tampered, or the pin is stale)`,
              'PIN_MISMATCH',
            );
          }
        },
        (n) => meter.add(n),
      );
      return { path: stored.path, asset, sha256: stored.sha256, bytes: stored.bytes, source: shown, from: 'fetched' };
    } finally {
      opened.close();
    }
  } catch (e) {
    if (cached.state === 'damaged' && e instanceof EnvironmentError) {
      const line = `the cached ${file.what} (${cached.path}) was damaged (sha256 ${cached.actual}, pinned ${file.sha256}) and was removed, and fetching it again failed: ${e.message}`;
      throw new EnvironmentError(line, e.code, { cause: e });
    }
    throw e;
  }
}
