/** The "Reproduce with" command of a bisect's culprit, shared by the CLI's last lines and report.html. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ARTIFACTS_FROM } from './probe.ts';
import type { SessionSpec } from './session.ts';

/** Where the culprit's build left the lab, as recorded in its build cache entry. */
function builtFrom(buildsDir: string, sha: string): string | undefined {
  try {
    return readFileSync(join(buildsDir, sha, ARTIFACTS_FROM), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A `run` of the culprit release, or a worktree of the culprit commit, its build, and a `run` of what it built. */
export function reproduceCommand(spec: SessionSpec, culprit: string, buildsDir: string): string {
  const strategy = spec.strategy ? ` --strategy ${spec.strategy}` : '';
  if (spec.source.kind === 'releases') {
    return `npx mirrord-regress run --subject ${spec.source.subjectKind}@${culprit}${culprit === '3.112.0' ? strategy : ''} --scenario ${spec.scenario}`;
  }
  const from = builtFrom(buildsDir, culprit) ?? spec.source.artifacts ?? 'target/release';
  const labBuild = isAbsolute(from) ? from : `/tmp/culprit/${from}`;
  return `git -C ${spec.source.repo} worktree add /tmp/culprit ${culprit.slice(0, 12)} && (cd /tmp/culprit && ${spec.source.build}) && npx mirrord-regress run --subject lab@${spec.source.profile} --lab-build ${labBuild}${strategy} --scenario ${spec.scenario}`;
}
