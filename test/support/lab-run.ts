/**
 * Runs a workload under a lab profile through the real host runner (namespaces, unprivileged user)
 * and keeps the raw evidence (every event line, the report) for assertions.
 */
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HostRunner } from '../../harness/runners/host/host-runner.ts';
import { createStage, type Stage } from '../../harness/stage.ts';
import { LabSubject, type LabProfile } from '../../harness/subjects/lab.ts';
import { workloadArgv, type Workload } from '../../harness/pipeline/run-attempt.ts';
import type { Observation, RunAs, Strategy, WorkloadStep } from '../../harness/model/result.ts';
import type { LabEvent } from '../../harness/observe/events.ts';
export type { LabEvent };
import { LAB_BUILD_DIR, REPO_ROOT } from './repo.ts';


export interface LabRun {
  observation: Observation;
  events: LabEvent[];
  report: WorkloadStep[];
  dir: string;
}

export interface LabRunOptions {
  strategy?: Strategy;
  runAs?: RunAs;
  timeoutMs?: number;
  lingerMs?: number;
  /** Extra args to `mirrord-lab exec` before `--` (e.g. `-f cfg.json`). */
  config?: object;
}

let stage: Stage | undefined;

function ensureStage(): Stage {
  stage ??= createStage({ repoRoot: REPO_ROOT, keep: true });
  return stage;
}

/** Removes the test stage (call from afterAll). */
export function disposeLabStage(): void {
  if (stage) rmSync(stage.root, { recursive: true, force: true });
  stage = undefined;
}

export async function runUnderLab(profile: LabProfile, workload: Workload, opts: LabRunOptions = {}): Promise<LabRun> {
  const st = ensureStage();
  const subject = new LabSubject(profile, LAB_BUILD_DIR);
  await subject.prepare(st);
  const dir = st.attemptDir(`${profile}-${opts.strategy ?? 'default'}`);
  const eventsPath = join(dir, 'events.jsonl');
  const reportPath = join(dir, 'report.jsonl');
  const runner = new HostRunner();
  const layout = runner.layout(st);
  const wrapped = subject.wrap(workloadArgv(workload, layout), { strategy: opts.strategy ?? null, labCli: layout.labCli, eventsPath, dir });
  let argv = wrapped.argv;
  if (opts.config) {
    const cfg = join(dir, 'config.json');
    (await import('node:fs')).writeFileSync(cfg, JSON.stringify(opts.config));
    argv = [argv[0]!, argv[1]!, '-f', cfg, ...argv.slice(2)];
  }
  const observation = await runner.run({
    argv,
    env: wrapped.env,
    runAs: opts.runAs ?? 'unprivileged',
    timeoutMs: opts.timeoutMs ?? 10_000,
    lingerMs: opts.lingerMs ?? 0,
    dir,
    eventsPath,
    reportPath,
  });
  const events = existsSync(eventsPath)
    ? readFileSync(eventsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LabEvent)
    : [];
  return { observation, events, report: observation.report, dir };
}

export const hookEvents = (run: LabRun, hook: string) => run.events.filter((e) => e.src === 'layer' && e.event === 'hook' && e.hook === hook);
export const lookups = (run: LabRun, name = 'db.default.svc.cluster.local') => hookEvents(run, 'getaddrinfo').filter((e) => e.name === name);
