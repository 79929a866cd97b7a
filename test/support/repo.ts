/** Paths of this repository, for tests. */
import { fileURLToPath } from 'node:url';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LAB_BUILD_DIR = join(REPO_ROOT, 'lab', 'target', 'release');
export const LAB_CLI = join(LAB_BUILD_DIR, 'mirrord-lab');

/** Copies the lab's sources (the whole cargo workspace, not its target/) to `dest`: a repo a test can commit. */
export function copyLabSources(dest: string): void {
  for (const part of readdirSync(join(REPO_ROOT, 'lab'))) {
    if (part !== 'target') cpSync(join(REPO_ROOT, 'lab', part), join(dest, part), { recursive: true });
  }
}
