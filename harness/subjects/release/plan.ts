/**
 * What one release needs from the pins, for one architecture: the files with their sha256, and where the
 * agent comes from. Every refusal (an unpinned version, asset, agent or variant) is said here, before
 * anything is fetched.
 */
import { EnvironmentError } from '../../cli/errors.ts';
import { STRATEGIES, type Strategy } from '../../model/result.ts';
import { AGENT_ASSET, cliAsset, layerAsset, releaseLayout, type Arch } from './assets.ts';
import type { PinsFile, VersionPins } from './pins.ts';

export interface PinnedFile {
  role: 'cli' | 'layer' | 'agent' | 'variant';
  /** The release asset's name (a variant's is the layer's). */
  asset: string;
  /** Its path under the release base (releaseLayout). */
  relPath: string;
  /** How provenance and progress name it: the asset, or `variants/<strategy>/<asset>`. */
  name: string;
  sha256: string;
  strategy?: Strategy;
  /** How messages name it: `mirrord_linux_x86_64 of mirrord 3.112.0`. */
  what: string;
}

export interface ReleasePlan {
  version: string;
  arch: Arch;
  cli: PinnedFile;
  layer: PinnedFile;
  agent: { kind: 'asset'; file: PinnedFile } | { kind: 'image'; ref: string; digest: string };
  variants: PinnedFile[];
}

const howToPin = (version: string) => `run mirrord-regress images pin ${version} where GitHub is reachable, or give --pins FILE`;

// Why one function: the plan is the whole list of refusals, so a run never stops halfway through a release.
/** The plan for `version` on `arch`; `pinsLabel` names the pins file in refusals. */
export function planRelease(pins: PinsFile, version: string, arch: Arch, pinsLabel: string): ReleasePlan {
  const { v, asset } = pinnedAssets(pins, version, pinsLabel);
  return {
    version,
    arch,
    cli: asset('cli', cliAsset(arch)),
    layer: asset('layer', layerAsset(arch)),
    agent: AGENT_ASSET in v.assets ? { kind: 'asset', file: asset('agent', AGENT_ASSET) } : agentImage(v, version, pinsLabel),
    variants: variants(v, version, arch, pinsLabel),
  };
}

/** The version's pins, and a maker of its pinned files (refusing unpinned ones). */
function pinnedAssets(pins: PinsFile, version: string, pinsLabel: string) {
  const v = pins.versions[version];
  if (!v) throw new EnvironmentError(`mirrord ${version} is not pinned in ${pinsLabel}: ${howToPin(version)}`, 'UNPINNED_VERSION');
  const asset = (role: 'cli' | 'layer' | 'agent', name: string): PinnedFile => {
    const what = `${name} of mirrord ${version}`;
    const sha256 = v.assets[name];
    if (!sha256) throw new EnvironmentError(`${what} is not pinned in ${pinsLabel}: ${howToPin(version)}`, 'UNPINNED_ASSET');
    return { role, asset: name, relPath: releaseLayout.asset(version, name), name, sha256, what };
  };
  return { v, asset };
}

/** The CLI alone (`--kubeconfig`: a real cluster runs the agent; the CLI embeds the layer). */
export function planCli(pins: PinsFile, version: string, arch: Arch, pinsLabel: string): PinnedFile {
  return pinnedAssets(pins, version, pinsLabel).asset('cli', cliAsset(arch));
}

/** The agent from its image, which needs the digest pinned: a tag can move. */
function agentImage(v: VersionPins, version: string, pinsLabel: string): ReleasePlan['agent'] {
  if (!v.agentImage?.digest) {
    const which = v.agentImage ? `agentImage.digest of ${v.agentImage.ref}` : 'agentImage';
    throw new EnvironmentError(`the agent of mirrord ${version} is not pinned in ${pinsLabel} (no ${AGENT_ASSET} asset, no ${which}): ${howToPin(version)}`, 'UNPINNED_AGENT');
  }
  return { kind: 'image', ref: v.agentImage.ref, digest: v.agentImage.digest };
}

/** The variants the pins list for this architecture's layer; one listed with a null pin is refused. */
function variants(v: VersionPins, version: string, arch: Arch, pinsLabel: string): PinnedFile[] {
  const name = layerAsset(arch);
  return STRATEGIES.filter((s) => v.variants?.[s] && name in v.variants[s]!).map((strategy) => {
    const relPath = releaseLayout.variant(strategy, name);
    const what = `${relPath} of mirrord ${version}`;
    const sha256 = v.variants![strategy]![name];
    if (!sha256) throw new EnvironmentError(`${what} is not pinned in ${pinsLabel}: ${howToPin(version)}`, 'UNPINNED_ASSET');
    return { role: 'variant' as const, asset: name, relPath, name: relPath, sha256, strategy, what };
  });
}
