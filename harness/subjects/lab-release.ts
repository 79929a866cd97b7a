/**
 * lab@X: the lab built here (lab/target/release, or --lab-build DIR), published into the stage as
 * releases (lab-publish.ts) and run as one: the same subject, process model and cluster as a real
 * mirrord release, with the lab's own events as evidence.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Strategy } from '../model/result.ts';
import { STRATEGIES } from '../model/result.ts';
import type { Stage } from '../stage.ts';
import type { LabProfile } from './lab.ts';
import { assetNames, GUARDED_RELEASE, publishLab, RELEASED_STRATEGY } from './lab-publish.ts';
import { ReleaseSubject, type ReleaseFiles } from './release-subject.ts';
import { releaseLayout } from './release/assets.ts';

/** One publish per stage and build directory, shared by every lab@ subject of a run (pins.json is written last). */
function publishedDir(stage: Stage, buildDir: string): string {
  const dir = join(stage.root, 'lab-release', createHash('sha256').update(buildDir).digest('hex').slice(0, 12));
  if (!existsSync(join(dir, 'pins.json'))) publishLab(buildDir, dir, { option: 'TMPDIR' });
  return dir;
}

export function labReleaseFiles(stage: Stage, buildDir: string, version: LabProfile): ReleaseFiles {
  const dir = publishedDir(stage, buildDir);
  const names = assetNames();
  const variants: Partial<Record<Strategy, string>> = {};
  if (version === GUARDED_RELEASE) {
    for (const s of STRATEGIES.filter((x) => x !== RELEASED_STRATEGY)) variants[s] = join(dir, ...releaseLayout.variant(s, names.layer).split('/'));
  }
  return { cli: join(dir, version, names.cli), layer: join(dir, version, names.layer), agent: join(dir, version, names.agent), variants };
}

export function labRelease(version: LabProfile, buildDir: string): ReleaseSubject {
  const guarded = version === GUARDED_RELEASE;
  return new ReleaseSubject({
    id: `lab@${version}`,
    kind: 'lab',
    version,
    evidenceSource: 'layer',
    strategies: guarded ? STRATEGIES : [],
    releasedStrategy: guarded ? RELEASED_STRATEGY : null,
    obtain: async (stage) => labReleaseFiles(stage, buildDir, version),
  });
}
