/**
 * `lab publish`: the lab as mirrord releases, in the shape of a release base (`<dir>/<version>/<asset>`),
 * so the very code that fetches, verifies and runs a real release runs the lab too. For each release
 * the lab mirrors: the CLI, the layer and the agent (an asset a real release does not have: its agent
 * lives in an image), each stamped with what it is; the 3.112.0 layer's other guard strategies as
 * `variants/<strategy>/<layer asset>`; and `pins.json` with the sha256 of every file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../cli/errors.ts';
import { writeFilesAtomic, ensureDir } from '../files.ts';
import { STRATEGIES, type Strategy } from '../model/result.ts';
import { LAB_PROFILES, type LabProfile } from './lab.ts';
import { AGENT_ASSET, cliAsset, hostArch, layerAsset, releaseLayout } from './release/assets.ts';
import { formatPins, type PinsFile } from './release/pins.ts';
import { stamped } from './stamp.ts';

/** The lab's build outputs a release is made of. */
export const LAB_BUILD_FILES = { cli: 'mirrord-lab', layer: 'libmirrord_layer.so', agent: 'mirrord-agent' } as const;
/** The strategy 3.112.0 shipped (`let _guard = DetourGuard::new();`). */
export const RELEASED_STRATEGY: Strategy = 'normal';
/** The one release whose exec hook holds a guard, so has strategies to choose. */
export const GUARDED_RELEASE: LabProfile = '3.112.0';

export function assetNames(arch: string = process.arch): { cli: string; layer: string; agent: string } {
  const a = hostArch(arch);
  return { cli: cliAsset(a), layer: layerAsset(a), agent: AGENT_ASSET };
}

export interface PublishedLab {
  dir: string;
  pinsFile: string;
  /** Every file written, relative to dir, with its sha256. */
  files: Record<string, string>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Reads the three build outputs, or says how to build them. */
function readBuild(buildDir: string): Record<keyof typeof LAB_BUILD_FILES, Buffer> {
  const out = {} as Record<keyof typeof LAB_BUILD_FILES, Buffer>;
  for (const [role, name] of Object.entries(LAB_BUILD_FILES) as [keyof typeof LAB_BUILD_FILES, string][]) {
    const path = join(buildDir, name);
    if (!existsSync(path)) throw new EnvironmentError(`the lab is not built (${path} missing): run \`npx mirrord-regress lab build\``, 'NO_LAB_BUILD');
    out[role] = readFileSync(path);
  }
  return out;
}

/** What `publishLab` would write to `outDir`: relative path -> bytes, and the pins that go with them. */
export function labReleases(buildDir: string, outDir: string, arch: string = process.arch): { files: Map<string, Buffer>; pins: PinsFile } {
  const build = readBuild(buildDir);
  const names = assetNames(arch);
  const files = new Map<string, Buffer>();
  const versions: PinsFile['versions'] = {};
  for (const version of LAB_PROFILES) {
    const layerFields: Record<string, string> = version === GUARDED_RELEASE ? { profile: version, strategy: RELEASED_STRATEGY } : { profile: version };
    const assets = {
      [names.cli]: stamped(build.cli, { version }, join(buildDir, LAB_BUILD_FILES.cli)),
      [names.layer]: stamped(build.layer, layerFields, join(buildDir, LAB_BUILD_FILES.layer)),
      [names.agent]: stamped(build.agent, { version }, join(buildDir, LAB_BUILD_FILES.agent)),
    };
    const entry: PinsFile['versions'][string] = { assets: {} };
    for (const [name, bytes] of Object.entries(assets)) {
      files.set(`${version}/${name}`, bytes);
      entry.assets[name] = sha256(bytes);
    }
    if (version === GUARDED_RELEASE) {
      entry.variants = {};
      for (const strategy of STRATEGIES.filter((s) => s !== RELEASED_STRATEGY)) {
        const bytes = stamped(build.layer, { profile: version, strategy }, join(buildDir, LAB_BUILD_FILES.layer));
        files.set(releaseLayout.variant(strategy, names.layer), bytes);
        entry.variants[strategy] = { [names.layer]: sha256(bytes) };
      }
    }
    versions[version] = entry;
  }
  // The directory itself is the default base: `--pins DIR/pins.json` alone runs it; a server's URL overrides.
  return { files, pins: { schema: 2, releaseBaseUrl: outDir, versions } };
}

/** Writes the lab's releases under `outDir` (all files, or none on a fault); returns where. */
export function publishLab(buildDir: string, outDir: string, opts: { option?: string; arch?: string } = {}): PublishedLab {
  const option = opts.option ?? '--out';
  const { files, pins } = labReleases(buildDir, outDir, opts.arch);
  ensureDir(outDir, option);
  for (const rel of new Set([...files.keys()].map((f) => f.split('/').slice(0, -1).join('/')))) ensureDir(join(outDir, rel), option);
  const pinsFile = join(outDir, 'pins.json');
  writeFilesAtomic(
    [...[...files].map(([rel, bytes]) => ({ path: join(outDir, rel), text: bytes, mode: 0o755 })), { path: pinsFile, text: formatPins(pins) }],
    option,
  );
  return { dir: outDir, pinsFile, files: Object.fromEntries([...files].map(([rel, b]) => [rel, sha256(b)])) };
}
