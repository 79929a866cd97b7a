/**
 * The images other code asks for: `imageFor('lab' | 'mirrord', {ruby, version})` builds what is missing
 * (the Ruby image first) and returns a tag named after the inputs' key, so an unchanged image is reused.
 */
import type Docker from 'dockerode';
import { UsageError } from '../cli/errors.ts';
import { resolveBase, rubyBases, RUBY_VERSIONS, type RubyVersion } from './bases.ts';
import { buildImage, INPUTS_LABEL } from './build.ts';
import { requireEngine } from './engine.ts';
import { inputsKey, type BuildInputs } from './inputs.ts';
import { clusterInputs, labInputs, mirrordInputs, rubyInputs, type ImageKind } from './recipes.ts';
import { assertVersion, DEFAULT_ASSET } from '../subjects/release/assets.ts';
import { DEFAULT_RELEASE_BASE_URL, PINS_FILE, readPins } from '../subjects/release/pins.ts';

export { rubyBases, RUBY_VERSIONS, type RubyVersion, type ImageKind };

/** Where things are inside the images (the container runner's view). */
export const IN_IMAGE = {
  labCli: '/opt/mirrord-lab/mirrord-lab',
  labLayer: '/opt/mirrord-lab/libmirrord_layer.so',
  scenarios: '/opt/scenarios/ruby',
  mirrord: '/usr/local/bin/mirrord',
  user: 'regress',
  uid: 10001,
} as const;

export interface ImageRequest {
  kind: ImageKind;
  ruby: RubyVersion;
  /** mirrord release, for kind 'mirrord'. */
  version?: string;
}

export interface EnsureOptions {
  /** The pins (and release URL) mirrord images are checked against. */
  versionsFile?: string;
  /** Release asset; defaults to this machine's architecture. */
  asset?: string;
  networkMode?: string;
  /** Extra labels; they are inputs too, so labelled images never share a tag with plain ones. */
  labels?: Record<string, string>;
  onOutput?: (text: string) => void;
  socketPath?: string;
}

export interface EnsuredImage {
  tag: string;
  key: string;
  built: boolean;
  seconds: number;
}

/** Builds that are running, by tag: concurrent callers share one build. */
const inFlight = new Map<string, Promise<EnsuredImage>>();

export async function imageFor(kind: 'lab' | 'mirrord' | 'cluster', opts: { ruby: RubyVersion; version?: string }): Promise<string> {
  return (await ensureImage({ kind, ...opts })).tag;
}

export async function ensureImage(req: ImageRequest, opts: EnsureOptions = {}): Promise<EnsuredImage> {
  if (!(RUBY_VERSIONS as readonly string[]).includes(req.ruby)) {
    throw new UsageError(`unknown Ruby "${req.ruby}"; choose one of ${RUBY_VERSIONS.join(', ')}`, 'BAD_RUBY');
  }
  const docker = await requireEngine(opts.socketPath);
  const labels = opts.labels ?? {};
  if (req.kind === 'ruby') {
    const base = await resolveBase(docker, req.ruby);
    const hint = base.id ? undefined : `no local base image: \`bash images/base/make-base-image.sh ${rubyBases[req.ruby].suite}\` makes ${rubyBases[req.ruby].local} without a registry`;
    return ensureBuilt(docker, 'ruby', req.ruby, rubyInputs(req.ruby, base, labels), opts, hint);
  }
  if (req.kind === 'cluster') {
    // The node runs dnsmasq and the service, not workloads: its Ruby version is the base's, nothing more.
    const base = await resolveBase(docker, req.ruby);
    return ensureBuilt(docker, 'cluster', req.ruby, clusterInputs(base, labels), opts);
  }
  const rubyImage = (await ensureImage({ kind: 'ruby', ruby: req.ruby }, opts)).tag;
  if (req.kind === 'lab') return ensureBuilt(docker, 'lab', req.ruby, labInputs(req.ruby, rubyImage, labels), opts);
  if (req.kind !== 'mirrord') throw new UsageError(`unknown image kind "${String(req.kind)}"`, 'BAD_IMAGE');
  if (!req.version) throw new UsageError('a mirrord image needs a version, e.g. mirrord@3.112.0', 'BAD_VERSION');
  assertVersion(req.version);
  const versionsFile = opts.versionsFile ?? PINS_FILE;
  const recipe = { version: req.version, asset: opts.asset ?? DEFAULT_ASSET, releaseBaseUrl: readPins(versionsFile).releaseBaseUrl ?? DEFAULT_RELEASE_BASE_URL, versionsFile };
  return ensureBuilt(docker, 'mirrord', req.ruby, mirrordInputs(req.ruby, rubyImage, recipe, labels), opts);
}

export function imageTag(kind: ImageKind, ruby: RubyVersion, key: string): string {
  return `mirrord-regress/${kind}:${ruby}-${key.slice(0, 12)}`;
}

async function ensureBuilt(
  docker: Docker,
  kind: ImageKind,
  ruby: RubyVersion,
  inputs: BuildInputs,
  opts: EnsureOptions,
  failureHint?: string,
): Promise<EnsuredImage> {
  const key = inputsKey(inputs);
  const tag = imageTag(kind, ruby, key);
  const running = inFlight.get(tag);
  if (running) return running;
  const job = (async (): Promise<EnsuredImage> => {
    if ((await labelOf(docker, tag)) === key) return { tag, key, built: false, seconds: 0 };
    const start = performance.now();
    await buildImage(docker, { tag, key, inputs, networkMode: opts.networkMode, onOutput: opts.onOutput, failureHint });
    return { tag, key, built: true, seconds: (performance.now() - start) / 1000 };
  })();
  inFlight.set(tag, job);
  try {
    return await job;
  } finally {
    inFlight.delete(tag);
  }
}

async function labelOf(docker: Docker, tag: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(tag).inspect()).Config.Labels?.[INPUTS_LABEL];
  } catch {
    return undefined;
  }
}
