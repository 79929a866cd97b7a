/**
 * Integration tests need root (namespaces, dropping to `nobody`), Ruby and the built lab. Outside CI
 * a missing piece skips them with the reason; in CI (`CI` set) they run and fail instead.
 */
import { existsSync } from 'node:fs';
import { execaSync } from 'execa';
import { LAB_CLI } from './repo.ts';

function has(cmd: string): boolean {
  try {
    execaSync(cmd, ['--version']);
    return true;
  } catch {
    return false;
  }
}

export const missingForLab: string[] = [
  ...(process.getuid?.() === 0 ? [] : ['root (for network/PID namespaces and setpriv)']),
  ...(has('ruby') ? [] : ['ruby (apt-get install ruby)']),
  ...(existsSync(LAB_CLI) ? [] : ['the lab build (npm run build:lab)']),
];

/** Skip (locally) or fail (in CI) when the lab's integration prerequisites are missing. */
export const skipLabTests = missingForLab.length > 0 && !process.env.CI;
if (skipLabTests) console.warn(`skipping lab integration tests: missing ${missingForLab.join(', ')}`);

/** The C vfork probe also needs a C compiler (`cc`): the harness builds it on the host. */
export const missingForC: string[] = has('cc') ? [] : ['cc (apt-get install gcc)'];
export const skipCTests = missingForC.length > 0 && !process.env.CI;
if (skipCTests) console.warn(`skipping C probe tests: missing ${missingForC.join(', ')}`);
export const skipCLabTests = (missingForLab.length > 0 || missingForC.length > 0) && !process.env.CI;
