/** Pieces of an Observation that every runner computes the same way. */
import { constants } from 'node:os';

const TAIL_BYTES = 4000;

/** The last TAIL_BYTES of an output stream. */
export function tail(text: string | undefined): string {
  if (!text) return '';
  return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
}

export function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

/**
 * Splits a shell-style exit status (from an init or wrapper shell) into exit code or signal:
 * 128+n means signal n. A workload that itself exits 129..192 is misread as a signal; shells give
 * no way to tell the two apart, and workloads here exit 0, 1 or 255.
 */
export function decodeStatus(rc: number): { exitCode: number | null; signal: string | null } {
  if (rc > 128 && rc <= 128 + 64) return { exitCode: null, signal: signalName(rc - 128) };
  return { exitCode: rc, signal: null };
}

/** Whether a command line is a subject's intproxy (`mirrord-lab intproxy`, `mirrord intproxy`). */
export function isIntproxyCommand(cmdline: string): boolean {
  return /(^|\s|\/)(mirrord|mirrord-lab) intproxy\b/.test(cmdline);
}

/**
 * The harness's own failure inside the run (the sandbox init, the launcher): exit 125 and a last stderr
 * line `mirrord-regress: ...`. Returns that line without the prefix, or undefined for a workload's 125.
 */
export function harnessFailure(exitCode: number | null, stderr: string): string | undefined {
  if (exitCode !== 125) return undefined;
  const last = stderr.trim().split('\n').pop() ?? '';
  return last.startsWith('mirrord-regress: ') ? last.slice('mirrord-regress: '.length) : undefined;
}
