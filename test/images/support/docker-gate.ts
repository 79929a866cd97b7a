/**
 * Docker tests need an engine and a Debian base image. Outside CI a missing piece skips them with a warning;
 * with CI set they run, and fail on the missing piece.
 */
import { imageId, rubyBases, type RubyVersion } from '../../../harness/images/bases.ts';
import { engine } from '../../../harness/images/engine.ts';

export async function missingForDocker(rubies: RubyVersion[]): Promise<string[]> {
  const docker = engine();
  try {
    await docker.ping();
  } catch {
    return ['a Docker engine at /var/run/docker.sock (bash images/engine.sh start /tmp/dockerd.pid)'];
  }
  const missing: string[] = [];
  for (const ruby of rubies) {
    const base = rubyBases[ruby];
    if (!(await imageId(docker, base.local)) && !(await imageId(docker, base.public))) {
      missing.push(`${base.local} (bash images/base/make-base-image.sh ${base.suite})`);
    }
  }
  return missing;
}

/** True when the tests should be skipped (and says why); never in CI. */
export async function skipDockerTests(what: string, rubies: RubyVersion[]): Promise<boolean> {
  const missing = await missingForDocker(rubies);
  if (missing.length === 0 || process.env.CI) return false;
  console.warn(`skipping ${what}: missing ${missing.join(', ')}`);
  return true;
}
