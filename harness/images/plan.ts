/** `images build --only ... --ruby ...` -> the images to ensure, in build order (each Ruby image first). */
import { UsageError } from '../cli/errors.ts';
import { RUBY_VERSIONS, type RubyVersion } from './bases.ts';
import type { ImageRequest } from './catalog.ts';
import { VERSION_PATTERN } from '../subjects/release/assets.ts';
import { compareVersions, pinnedSha256, type PinsFile } from '../subjects/release/pins.ts';

export interface BuildPlan {
  requests: ImageRequest[];
  /** Why a default target was left out (an unpinned mirrord version). */
  skipped: string[];
}

/** Without --only: ruby, lab, and every mirrord version pinned for `asset`. */
export function planBuilds(only: string[] | undefined, rubies: string[], pins: PinsFile, asset: string): BuildPlan {
  const rubyList = rubies.map(rubyVersion);
  const targets: { kind: 'ruby' | 'lab' | 'mirrord'; version?: string }[] = [];
  const skipped: string[] = [];
  const pinned = Object.keys(pins.versions).sort(compareVersions).filter((v) => pinnedSha256(pins, v, asset));
  const unpinned = Object.keys(pins.versions).sort(compareVersions).filter((v) => !pinnedSha256(pins, v, asset));
  const allMirrord = () => {
    targets.push(...pinned.map((version) => ({ kind: 'mirrord' as const, version })));
    skipped.push(...unpinned.map((v) => `mirrord@${v}: no sha256 pinned for ${asset} (run \`mirrord-regress images pin ${v}\` where the network exists)`));
  };
  if (!only) {
    targets.push({ kind: 'ruby' }, { kind: 'lab' });
    allMirrord();
  } else {
    for (const item of only) {
      if (item === 'ruby' || item === 'lab') targets.push({ kind: item });
      else if (item === 'mirrord') allMirrord();
      else if (item.startsWith('mirrord@') && VERSION_PATTERN.test(item.slice('mirrord@'.length))) targets.push({ kind: 'mirrord', version: item.slice('mirrord@'.length) });
      else throw new UsageError(`--only takes ruby, lab, mirrord or mirrord@VERSION (e.g. mirrord@3.112.0), got "${item}"`, 'BAD_ONLY');
    }
  }
  const requests = rubyList.flatMap((ruby) => targets.map((t) => ({ ...t, ruby })));
  return { requests, skipped };
}

function rubyVersion(text: string): RubyVersion {
  if (!(RUBY_VERSIONS as readonly string[]).includes(text)) {
    throw new UsageError(`--ruby takes ${RUBY_VERSIONS.join(', ')}, got "${text}"`, 'BAD_RUBY');
  }
  return text as RubyVersion;
}
