/** Timing helpers for the benchmark scripts (never for tests). */
import { execa } from 'execa';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of one command, in ms. */
export async function timeCommand(argv: string[], env: Record<string, string> = {}): Promise<{ ms: number; exitCode: number | undefined }> {
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, env, stdin: 'ignore' });
  return { ms: performance.now() - t0, exitCode: r.exitCode };
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
