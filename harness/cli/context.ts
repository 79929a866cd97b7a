/** Facts every command needs: where the repo and the lab build are, which Ruby to use. */
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { labBuildDir } from '../subjects/lab.ts';
import { EnvironmentError } from './errors.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LAB_BUILD_DIR = labBuildDir(REPO_ROOT);

/** The Ruby that runs workloads: `--ruby`, else MIRRORD_REGRESS_RUBY, else `ruby` on PATH. */
export function resolveRuby(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.MIRRORD_REGRESS_RUBY ?? 'ruby';
}

/** Fails with one line when the Ruby cannot run; returns its version. */
export function checkRuby(ruby: string): string {
  try {
    return execaSync(ruby, ['-e', 'print RUBY_VERSION']).stdout.trim();
  } catch {
    throw new EnvironmentError(`Ruby not found or not runnable (${ruby}): install it with \`apt-get install -y ruby\`, or pass --ruby PATH`, 'NO_RUBY');
  }
}
