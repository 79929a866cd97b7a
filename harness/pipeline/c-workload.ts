/**
 * C workloads (scenarios/c) are built on the host with the system's `cc`, into the stage, so the
 * run user reads them there and the docker runner finds them through the stage bind mount. The
 * host is the oldest base (Debian bookworm), so a binary built here also runs on the trixie image.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execaSync } from 'execa';
import { EnvironmentError } from '../cli/errors.ts';
import { guardFs } from '../cli/fs-errors.ts';

export const NO_CC = 'a C compiler is needed for the C vfork scenario: apt-get install -y gcc';

export interface CBuild {
  /** Where scenarios/c is. */
  sourceDir: string;
  /** The directory the program goes to (created, world-readable). */
  outDir: string;
  /** The source file, e.g. `vfork_probe.c`. */
  source: string;
  /** The compiler's environment (its PATH decides which `cc` runs). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The first line of a compiler's complaint that says what is wrong. */
function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\berror\b/i.test(l)) ?? lines[0] ?? 'no output';
}

/** `cc -O2 -Wall -o <outDir>/<name> <source>`; returns the program's path, or fails in one line. */
export function buildCProgram(b: CBuild): string {
  const src = join(b.sourceDir, b.source);
  const out = join(b.outDir, basename(b.source, '.c'));
  guardFs({ path: b.outDir, action: 'create', option: 'TMPDIR' }, () => {
    mkdirSync(b.outDir, { recursive: true });
    chmodSync(b.outDir, 0o755);
  });
  const r = execaSync('cc', ['-O2', '-Wall', '-o', out, src], { reject: false, env: b.env, extendEnv: b.env === undefined, stdin: 'ignore' });
  if ((r.failed && r.exitCode === undefined) || r.exitCode === 127) {
    throw new EnvironmentError(NO_CC, 'NO_CC');
  }
  if (r.exitCode !== 0) {
    throw new EnvironmentError(`cc could not build scenarios/c/${b.source}: ${firstError(String(r.stderr))}`, 'C_BUILD');
  }
  // The run user (nobody, or regress in a container) executes it.
  chmodSync(out, 0o755);
  return out;
}
