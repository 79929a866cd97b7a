/** One attempt: wrap the workload in the subject, run it, decide the verdict from what was seen. */
import { join } from 'node:path';
import type { Attempt, RunAs, Strategy } from '../model/result.ts';
import type { Layout, Runner } from '../runners/runner.ts';
import type { Stage } from '../stage.ts';
import type { Subject } from '../subjects/subject.ts';
import { decide } from '../verdict/decide.ts';

/** What to run: a scenario's Ruby script, or any command (`run --exec`). */
export type Workload = { ruby: string; args: string[] } | { argv: string[] };

export interface AttemptInput {
  subject: Subject;
  strategy: Strategy | null;
  workload: Workload;
  label: string;
  runAs: RunAs;
  timeoutMs: number;
  runner: Runner;
  stage: Stage;
  attempt: number;
  /** @default 0 */
  lingerMs?: number;
  signal?: AbortSignal;
  /** Extra directories for the workload's PATH, before the system ones. @default [] */
  pathDirs?: string[];
  /** Judge from outside only, ignoring the layer's events. @default the subject's own */
  evidenceSource?: 'layer' | 'black-box';
  /** @default true */
  detectDeadlock?: boolean;
}

/**
 * With MIRRORD_REGRESS_SEED set, each attempt's random workload (spawn-random-thread) gets its own
 * seed, derived from the base, the cell and the attempt number: attempts still differ from each
 * other, but a whole run (a test, a flaky bisect) repeats exactly.
 */
export function attemptSeed(base: string | undefined, label: string, attempt: number): string | undefined {
  if (base === undefined || base === '') return undefined;
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (const ch of `${base}/${label}/${attempt}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h);
}

export function workloadArgv(workload: Workload, layout: Layout): string[] {
  return 'ruby' in workload ? [layout.ruby, join(layout.rubyDir, workload.ruby), ...workload.args] : workload.argv;
}

export async function runAttempt(input: AttemptInput): Promise<Attempt> {
  const dir = input.stage.attemptDir(`${input.label}-${input.attempt}`);
  const eventsPath = join(dir, 'events.jsonl');
  const reportPath = join(dir, 'report.jsonl');
  const layout = input.runner.layout(input.stage);
  const { argv, env } = input.subject.wrap(workloadArgv(input.workload, layout), {
    strategy: input.strategy,
    labCli: layout.labCli,
    eventsPath: layout.mapPath(eventsPath),
    dir: layout.mapPath(dir),
  });
  const startedAt = new Date().toISOString();
  const seed = attemptSeed(process.env.MIRRORD_REGRESS_SEED, input.label, input.attempt);
  try {
    const observation = await input.runner.run({
      argv,
      env: seed === undefined ? env : { ...env, MIRRORD_REGRESS_SEED: seed },
      runAs: input.runAs,
      timeoutMs: input.timeoutMs,
      lingerMs: input.lingerMs ?? 0,
      dir,
      eventsPath,
      reportPath,
      signal: input.signal,
      pathDirs: input.pathDirs,
      evidenceSource: input.evidenceSource ?? input.subject.evidenceSource,
      detectDeadlock: input.detectDeadlock,
    });
    return { attempt: input.attempt, startedAt, observation, verdict: decide(observation) };
  } finally {
    input.stage.release(dir);
  }
}
