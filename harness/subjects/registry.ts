/** Turns subject ids given by users into Subjects, with one-line errors for unknown ones. */
import { UsageError } from '../cli/errors.ts';
import { LAB_PROFILES, LabSubject, type LabProfile } from './lab.ts';
import type { Subject } from './subject.ts';

export const DEFAULT_SUBJECTS = LAB_PROFILES.map((p) => `lab@${p}`);

export function resolveSubject(id: string, ctx: { labBuildDir: string }): Subject {
  const [kind, version] = id.split('@');
  if (kind === 'lab' && LAB_PROFILES.includes(version as LabProfile)) {
    return new LabSubject(version as LabProfile, ctx.labBuildDir);
  }
  throw new UsageError(`unknown subject "${id}"; known: ${DEFAULT_SUBJECTS.join(', ')}`, 'UNKNOWN_SUBJECT');
}
