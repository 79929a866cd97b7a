/**
 * `images pin <version>`, where the network exists: download each release asset once and record its
 * sha256, and ask the registry for the agent image's digest, in the pins file (all or nothing, written
 * atomically). A pin that exists and differs is refused without --force.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import type { Strategy } from '../model/result.ts';
import { agentImageRef, assertAsset, assertVersion, LINUX_ASSETS, releaseLayout } from '../subjects/release/assets.ts';
import { chooseReleaseBase, describeSource, parseReleaseBase, sourceOf, type ReleaseBase } from '../subjects/release/base.ts';
import { openSource, type DownloadOptions } from '../subjects/release/download.ts';
import {
  DEFAULT_RELEASE_BASE_URL,
  PINS_FILE,
  PINS_FILE_LABEL,
  readPins,
  withAssetPin,
  withImageDigest,
  withVariantPin,
  writePins,
  type PinsFile,
} from '../subjects/release/pins.ts';
import { ProgressMeter, type OnProgress } from '../subjects/release/progress.ts';
import { imageDigest } from '../subjects/release/registry.ts';

export interface PinOptions {
  /** Release assets to pin (`mirrord-agent` too, where the base has it). @default every Linux asset: CLI and layer, x86_64 and aarch64 */
  assets?: string[];
  /** Also pin the agent image's digest. @default true when `assets` is not given, else false */
  agentImage?: boolean;
  /** Also pin the layer variants of these strategies, for each layer among the assets. @default none */
  variants?: Strategy[];
  /** @default $MIRRORD_REGRESS_RELEASE_BASE, else the pins file's releaseBaseUrl */
  releaseBase?: string;
  /** The registry's base URL for the agent image. @default https://<host of agentImage.ref>, i.e. https://ghcr.io */
  registry?: string;
  /** @default images/mirrord-versions.json; another file is created when missing */
  pinsFile?: string;
  /** Replace pins that differ from what is served now. @default false */
  force?: boolean;
  /** @default 60000 */
  idleTimeoutMs?: number;
  onProgress?: OnProgress;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface PinLine {
  /** `mirrord_linux_x86_64`, `variants/none/libmirrord_layer_linux_x86_64.so`, or `agent image ghcr.io/...:3.112.0`. */
  what: string;
  /** `sha256:<hex>` of the asset, or the image digest. */
  value: string;
  source: string;
  /** False when the same value was pinned already. */
  changed: boolean;
}

export interface PinOutcome {
  version: string;
  pinsFile: string;
  pins: PinLine[];
}

const LAYER = /^libmirrord_layer_linux_[a-z0-9_]+\.so$/;

/** Pins `version` from its release base and registry; see PinOptions for what is pinned. */
export async function pinRelease(version: string, opts: PinOptions = {}): Promise<PinOutcome> {
  assertVersion(version);
  const env = opts.env ?? process.env;
  const assets = opts.assets ?? [...LINUX_ASSETS];
  assets.forEach(assertAsset);
  const layers = assets.filter((a) => LAYER.test(a));
  if (opts.variants?.length && layers.length === 0) throw new UsageError('--variants pins layer variants: include a layer in --asset, e.g. libmirrord_layer_linux_x86_64.so', 'BAD_VARIANTS');
  const path = opts.pinsFile ?? PINS_FILE;
  const label = opts.pinsFile ?? PINS_FILE_LABEL;
  const original: PinsFile = opts.pinsFile && !existsSync(path) ? { schema: 2, releaseBaseUrl: DEFAULT_RELEASE_BASE_URL, versions: {} } : readPins(path, label);
  const chosen = chooseReleaseBase(opts.releaseBase, env, original.releaseBaseUrl, label);
  const base = parseReleaseBase(chosen.text, chosen.from);
  const download: DownloadOptions = { idleTimeoutMs: opts.idleTimeoutMs };
  const before = original.versions[version];

  // One target per file to hash: its name in output, its path under the base, its pin now, and how to set it.
  const targets = [
    ...assets.map((asset) => ({
      name: asset,
      relPath: releaseLayout.asset(version, asset),
      previous: before?.assets[asset],
      set: (p: PinsFile, sha: string) => withAssetPin(p, version, asset, sha),
    })),
    ...(opts.variants ?? []).flatMap((strategy) =>
      layers.map((layer) => ({
        name: releaseLayout.variant(strategy, layer),
        relPath: releaseLayout.variant(strategy, layer),
        previous: before?.variants?.[strategy]?.[layer],
        set: (p: PinsFile, sha: string) => withVariantPin(p, version, strategy, layer, sha),
      })),
    ),
  ];

  // Everything is fetched before anything is compared or written: a failure changes nothing.
  let pins = original;
  const lines: PinLine[] = [];
  const conflicts: string[] = [];
  const record = (what: string, subject: string, value: string, source: string, previous: string | null | undefined) => {
    const changed = previous !== value;
    if (changed && previous && !opts.force) conflicts.push(`${subject} is pinned to ${previous} in ${label}, but ${source} now has ${value}`);
    lines.push({ what, value, source, changed });
  };
  for (const t of targets) {
    const got = await hashSource(base, t.relPath, { what: `${t.name} of mirrord ${version}`, version, asset: t.name }, download, opts.onProgress);
    record(t.name, `${t.name} of mirrord ${version}`, `sha256:${got.sha256}`, got.source, t.previous && `sha256:${t.previous}`);
    pins = t.set(pins, got.sha256);
  }
  if (opts.agentImage ?? opts.assets === undefined) {
    const ref = before?.agentImage?.ref ?? agentImageRef(version);
    opts.onProgress?.({ kind: 'start', version, asset: 'agent image digest', source: ref });
    const got = await imageDigest(ref, { ...download, registry: opts.registry });
    record(`agent image ${ref}`, `the agent image ${ref}`, got.digest, got.url, before?.agentImage?.digest);
    pins = withImageDigest(pins, version, ref, got.digest);
  }
  if (conflicts.length > 0) {
    const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : '';
    throw new EnvironmentError(`${conflicts[0]}${more}: check the release, then rerun with --force to replace the pin`, 'PIN_CHANGED');
  }
  if (lines.some((l) => l.changed)) writePins(pins, path);
  return { version, pinsFile: label, pins: lines };
}

// Why not cache it: a pin is trust on first use, made where GitHub is reachable; nothing is kept but the hash.
/** Streams one file of the release through sha256. */
async function hashSource(
  base: ReleaseBase,
  relPath: string,
  file: { what: string; version: string; asset: string },
  download: DownloadOptions,
  onProgress: OnProgress | undefined,
): Promise<{ sha256: string; source: string }> {
  const source = sourceOf(base, relPath);
  const opened = await openSource(source, { what: file.what }, download);
  try {
    onProgress?.({ kind: 'start', version: file.version, asset: file.asset, source: describeSource(source), totalBytes: opened.totalBytes });
    const meter = new ProgressMeter({ version: file.version, asset: file.asset, totalBytes: opened.totalBytes }, onProgress);
    const hash = createHash('sha256');
    for await (const chunk of opened.body) {
      hash.update(chunk);
      meter.add(chunk.length);
    }
    return { sha256: hash.digest('hex'), source: describeSource(source) };
  } finally {
    opened.close();
  }
}
