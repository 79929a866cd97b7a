/** Turns subject ids given by users into Subjects, with one-line errors for unknown ones. */
import { UsageError } from '../cli/errors.ts';
import { LAB_PROFILES, LabSubject, type LabProfile } from './lab.ts';
import { labRelease } from './lab-release.ts';
import { mirrordRelease, type MirrordReleaseContext } from './mirrord-release.ts';
import { VERSION_PATTERN } from './release/assets.ts';
import { SOURCE_PREFIX, sourceSubject, type SourceContext } from './source/source-subject.ts';
import type { Subject } from './subject.ts';

export const DEFAULT_SUBJECTS = LAB_PROFILES.map((p) => `lab@${p}`);

export interface SubjectContext extends MirrordReleaseContext, Pick<SourceContext, 'build' | 'artifacts' | 'strategies'> {
  /** The lab build lab@X and lab-exec@X run (lab/target/release, or --lab-build). */
  labBuildDir: string;
}

const KNOWN = `lab@X and lab-exec@X for X in ${LAB_PROFILES.join(', ')}, mirrord@X for a pinned release X, mirrord-src:CHECKOUT[@REV]`;

export function resolveSubject(id: string, ctx: SubjectContext): Subject {
  if (id.startsWith(SOURCE_PREFIX)) {
    if (ctx.layer) throw new UsageError(`--layer applies to mirrord@X subjects; ${id} builds its own layer`, 'BAD_LAYER');
    return sourceSubject(id, ctx);
  }
  if ((ctx.build || ctx.artifacts) && !id.startsWith(SOURCE_PREFIX)) throw new UsageError(`--build and --artifacts apply to mirrord-src: subjects, not ${id}`, 'BAD_BUILD');
  const at = id.indexOf('@');
  const kind = at < 0 ? id : id.slice(0, at);
  const version = at < 0 ? '' : id.slice(at + 1);
  if (ctx.layer && kind !== 'mirrord') throw new UsageError(`--layer applies to mirrord@X subjects (a release run with your layer), not ${id}`, 'BAD_LAYER');
  const lab = LAB_PROFILES.includes(version as LabProfile) ? (version as LabProfile) : undefined;
  if (kind === 'lab' && lab) return labRelease(lab, ctx.labBuildDir);
  if (kind === 'lab-exec' && lab) return new LabSubject(lab, ctx.labBuildDir);
  if (kind === 'mirrord' && VERSION_PATTERN.test(version)) return mirrordRelease(version, ctx);
  throw new UsageError(`unknown subject "${id}"; known: ${KNOWN}`, 'UNKNOWN_SUBJECT');
}
