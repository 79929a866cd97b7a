/**
 * The subject for what a build of a checkout left (source/build.ts): the lab's shape (mirrord-lab
 * beside the layer) runs as lab@<profile> of that build, with its events; mirrord's shape runs as a
 * mirrord build, judged from outside, with the CLI and agent the build made or those of a release.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../../cli/errors.ts';
import type { LabProfile } from '../lab.ts';
import { labRelease } from '../lab-release.ts';
import { ReleaseSubject, type ReleaseFiles } from '../release-subject.ts';
import type { Subject } from '../subject.ts';

export interface BuiltSubjectOptions {
  /** The subject's id, e.g. `mirrord-src:/src/mirrord@1a2b3c4d5e6f`. */
  id: string;
  /** The lab release a lab-shaped build behaves as. */
  profile?: LabProfile;
  /** The release a mirrord build is of (its Cargo version), for the predictions and a missing CLI or agent. */
  version?: string;
  /** Where a CLI and agent the build did not make come from. */
  releaseFiles?: (version: string) => Promise<ReleaseFiles>;
}

export function isLabBuild(dir: string): boolean {
  return existsSync(join(dir, 'mirrord-lab'));
}

export function builtSubject(dir: string, opts: BuiltSubjectOptions): Subject {
  if (isLabBuild(dir)) return labRelease(opts.profile ?? '3.112.1', dir);
  const version = opts.version ?? 'unknown';
  return new ReleaseSubject({
    id: opts.id,
    kind: 'mirrord-build',
    version,
    evidenceSource: 'black-box',
    strategies: [],
    releasedStrategy: null,
    obtain: async () => {
      const own = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : undefined);
      const cli = own('mirrord');
      const agent = own('mirrord-agent');
      const release = cli && agent || version === 'unknown' ? undefined : await opts.releaseFiles?.(version);
      if ((!cli || !agent) && !release) throw new EnvironmentError(`the build of ${opts.id} made no ${cli ? 'mirrord-agent' : 'mirrord CLI'}, and its Cargo.toml names no release to take it from: make --build build it too`, 'SOURCE_BUILD');
      return { cli: cli ?? release!.cli, layer: join(dir, 'libmirrord_layer.so'), agent: agent ?? release!.agent, variants: {} };
    },
  });
}
