/**
 * What a mirrord release is made of, by name: the CLI and the layer per architecture (GitHub release
 * assets), the agent (an asset only where a mirror or the lab publishes it, else `/mirrord-agent` in the
 * agent image), and where each one sits under a release base.
 */
import { EnvironmentError, UsageError } from '../../cli/errors.ts';
import type { Strategy } from '../../model/result.ts';

export const ARCHES = ['x86_64', 'aarch64'] as const;
/** mirrord's spelling of the CPU, as in its asset names (`process.arch` says `x64`/`arm64`). */
export type Arch = (typeof ARCHES)[number];

/** The agent as a release asset: absent from GitHub's releases, present in the lab's publish. */
export const AGENT_ASSET = 'mirrord-agent';
/** Where the agent binary is inside `ghcr.io/metalbear-co/mirrord:<version>`. */
export const AGENT_IN_IMAGE = '/mirrord-agent';

export const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
export const ASSET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const cliAsset = (arch: Arch): string => `mirrord_linux_${arch}`;
export const layerAsset = (arch: Arch): string => `libmirrord_layer_linux_${arch}.so`;

/** Every Linux asset GitHub publishes per release, in the order the pins file lists them. */
export const LINUX_ASSETS: readonly string[] = ARCHES.flatMap((arch) => [cliAsset(arch), layerAsset(arch)]);

// Why a function: tests and `--arch` ask for the other architecture without patching process.arch.
/** This machine's architecture in mirrord's spelling; one line for a CPU mirrord has no Linux build for. */
export function hostArch(nodeArch: string = process.arch): Arch {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new EnvironmentError(`mirrord publishes Linux builds for x86_64 and aarch64 only; this machine is ${nodeArch}`, 'UNSUPPORTED_ARCH');
}

/** `--arch` as given by a user: mirrord's names, and Node's for convenience. */
export function parseArch(text: string): Arch {
  if ((ARCHES as readonly string[]).includes(text)) return text as Arch;
  if (text === 'x64' || text === 'arm64') return hostArch(text);
  throw new UsageError(`--arch takes ${ARCHES.join(' or ')}, got "${text}"`, 'BAD_ARCH');
}

/** The CLI asset for this machine (what `images build` puts in the mirrord image). */
export const DEFAULT_ASSET = cliAsset(process.arch === 'arm64' ? 'aarch64' : 'x86_64');

/** Docker's name for the architecture, to pick and check the agent image's platform. */
export const dockerArch = (arch: Arch): 'amd64' | 'arm64' => (arch === 'x86_64' ? 'amd64' : 'arm64');

/** The default agent image of a release (mirrord's `agent.image` default). */
export const agentImageRef = (version: string): string => `ghcr.io/metalbear-co/mirrord:${version}`;

/** Versions name directories and URLs: only plain x.y.z gets that far. */
export function assertVersion(version: string): void {
  if (!VERSION_PATTERN.test(version)) throw new UsageError(`mirrord version must look like 3.112.0, got "${version}"`, 'BAD_VERSION');
}

/** Asset names become path segments: no separators, no leading dot. */
export function assertAsset(asset: string): void {
  if (!ASSET_PATTERN.test(asset)) throw new UsageError(`asset must be a file name like ${DEFAULT_ASSET}, got "${asset}"`, 'BAD_ASSET');
}

/**
 * Paths under a release base, `/`-separated. A release's assets are at `<version>/<asset>`, as on GitHub;
 * the lab publishes the layer built with another guard strategy at `variants/<strategy>/<asset>`, beside
 * the versions (one set of variants per base: only 3.112.0's exec hook has a guard to vary).
 */
export const releaseLayout = {
  asset: (version: string, asset: string): string => `${version}/${asset}`,
  variant: (strategy: Strategy, asset: string): string => `variants/${strategy}/${asset}`,
};
