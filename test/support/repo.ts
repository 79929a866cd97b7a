/** Paths of this repository, for tests. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LAB_BUILD_DIR = join(REPO_ROOT, 'lab', 'target', 'release');
export const LAB_CLI = join(LAB_BUILD_DIR, 'mirrord-lab');
