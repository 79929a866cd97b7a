/** One attempt: wrap the workload in the subject, run it, decide the verdict from what was seen. */
import { join } from 'node:path';
import type { Cluster } from '../cluster/cluster.ts';
import { PodError, type AgentPod } from '../cluster/pod.ts';
import type { Attempt, Observation, RunAs, Strategy } from '../model/result.ts';
import { notRun } from '../runners/not-run.ts';
import { ENDED_FILE } from '../runners/runner.ts';
import { readFileSync } from 'node:fs';
import type { Layout, Runner } from '../runners/runner.ts';
import type { Stage } from '../stage.ts';
import type { Subject } from '../subjects/subject.ts';
import { decide } from '../verdict/decide.ts';

/** What to run: a scenario's Ruby script or C program, or any command (`run --exec`). */
export type Workload = { ruby: string; args: string[] } | { c: string; args: string[] } | { argv: string[] };

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
  /** The cluster subjects run against (an agent pod per attempt). */
  cluster?: Cluster;
}

/**
 * With MIRRORD_REGRESS_SEED set, each attempt's random workload (spawn-random-thread) gets its own
 * seed, derived from the base, the cell and how many attempts of that cell ran before it: attempts
 * still differ from each other, but a whole run (a test, a flaky bisect) repeats exactly.
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

/** When the workload ended, as its wrapper recorded it; now, when it was stopped before it could. */
function workloadEndedAt(dir: string): number {
  try {
    const ms = Number(readFileSync(join(dir, ENDED_FILE), 'utf8').trim());
    if (Number.isFinite(ms) && ms > 0) return ms;
  } catch {
    // stopped by the harness (deadlock, timeout, Ctrl-C): the stop is the end
  }
  return Date.now();
}

/**
 * How many attempts of `label` this process has started, this one included: a cell's attempt number in a
 * matrix, and across probes in a bisect, whose flaky search runs the same cell one attempt at a time.
 */
const runsByLabel = new Map<string, number>();
function nthRun(label: string): number {
  const n = (runsByLabel.get(label) ?? 0) + 1;
  runsByLabel.set(label, n);
  return n;
}

export function workloadArgv(workload: Workload, layout: Layout): string[] {
  if ('ruby' in workload) return [layout.ruby, join(layout.rubyDir, workload.ruby), ...workload.args];
  if ('c' in workload) return [layout.cProgram(workload.c), ...workload.args];
  return workload.argv;
}

/** The attempt's agent pod, or why there is none (an ERROR: the cluster failed, not the subject). */
async function agentPod(input: AttemptInput): Promise<AgentPod | string | undefined> {
  if (input.subject.topology !== 'cluster') return undefined;
  if (!input.cluster) return `${input.subject.id} runs against the cluster, but none was started`;
  const down = input.cluster.failure();
  if (down) return `the cluster is down: ${down}`;
  try {
    return await input.cluster.startPod(input.subject.agentCommand!());
  } catch (e) {
    if (e instanceof PodError) return e.message;
    throw e;
  }
}

export async function runAttempt(input: AttemptInput): Promise<Attempt> {
  const startedAt = new Date().toISOString();
  const evidenceSource = input.evidenceSource ?? input.subject.evidenceSource;
  const pod = await agentPod(input);
  if (typeof pod === 'string') {
    const observation: Observation = notRun(pod, { user: input.runAs === 'root' ? 'root' : 'unprivileged', evidenceSource });
    return { attempt: input.attempt, startedAt, observation, verdict: decide(observation) };
  }
  const dir = input.stage.attemptDir(`${input.label}-${input.attempt}`);
  const eventsPath = join(dir, 'events.jsonl');
  const reportPath = join(dir, 'report.jsonl');
  const layout = input.runner.layout(input.stage);
  const { argv, env } = input.subject.wrap(workloadArgv(input.workload, layout), {
    strategy: input.strategy,
    labCli: layout.labCli,
    eventsPath: layout.mapPath(eventsPath),
    dir: layout.mapPath(dir),
    mapPath: layout.mapPath,
    agentAddress: pod?.address,
  });
  const seed = attemptSeed(process.env.MIRRORD_REGRESS_SEED, input.label, nthRun(input.label));
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
      evidenceSource,
      detectDeadlock: input.detectDeadlock,
    });
    if (pod) observation.cluster = await pod.finish(workloadEndedAt(dir));
    // The node dying mid-run tears every link down: what the attempt then did says nothing of the subject.
    const down = input.cluster?.failure();
    if (down && !observation.harnessError) observation.harnessError = `the cluster went down during the attempt: ${down}`;
    return { attempt: input.attempt, startedAt, observation, verdict: decide(observation) };
  } finally {
    // finish() stopped it already; this is for a runner that threw.
    await pod?.stop();
    input.stage.release(dir);
  }
}
