/** Runs the real `mirrord-regress` binary, as users do. */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './repo.ts';

export const BIN = join(REPO_ROOT, 'bin', 'mirrord-regress.js');

export function regress(args: string[], opts: { env?: Record<string, string> } = {}) {
  return execa(process.execPath, [BIN, ...args], { reject: false, cwd: REPO_ROOT, env: opts.env });
}

/** A private TMPDIR (traversable by the run user) so a test can check that nothing is left in it. */
export function privateTmp(): { dir: string; env: Record<string, string>; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'regress-test-'));
  chmodSync(dir, 0o755);
  return { dir, env: { TMPDIR: dir }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Live processes whose command line mentions `needle` (e.g. a private TMPDIR). */
export function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmd.includes(needle) && state !== 'Z') found.push(`${pid} ${cmd}`);
    } catch {
      // gone
    }
  }
  return found;
}

export async function eventually<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
