/** `matrix`: the cross product, run in parallel, stored as it goes, reported at the end. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SCENARIOS, defaultScenarios, scenarioById } from '../../../scenarios/index.ts';
import { STRATEGIES, type Strategy } from '../../model/result.ts';
import { planMatrix, parseShard, selectShard, type Shard } from '../../matrix/plan.ts';
import { planCountLine, planLine, plannedExpectation } from '../../matrix/expected-plan.ts';
import type { ExpectationPlatform } from '../../../scenarios/expectations.ts';
import { createProgress } from '../../matrix/progress.ts';
import { runMatrix } from '../../matrix/run-matrix.ts';
import { ResultStore } from '../../matrix/store.ts';
import { toTerminalTable } from '../../reports/terminal.ts';
import { writeReports } from '../../reports/write.ts';
import type { Runner } from '../../runners/runner.ts';
import { createRunner, runnerNames } from '../../runners/select.ts';
import { createStage, sweepStaleStages, type Stage } from '../../stage.ts';
import { claimOutputDir } from '../../output-dir.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import { clusterFor } from '../../cluster/for-run.ts';
import { DEFAULT_SUBJECTS, resolveSubject } from '../../subjects/registry.ts';
import { checkRuby, REPO_ROOT, resolveRuby } from '../context.ts';
import { UsageError } from '../errors.ts';
import { abortOnSignals } from '../interrupt.ts';
import * as parse from '../options.ts';
import { addSubjectOptions, subjectContext, type SubjectOptions } from '../subject-options.ts';

interface MatrixOptions extends SubjectOptions {
  subjects: string[];
  strategies: Strategy[];
  scenarios?: string[];
  repeat: number;
  jobs: number;
  shard?: Shard;
  out: string;
  resume?: boolean;
  timeout?: number;
  ruby?: string;
  runner: string;
  rubies: string[];
  keep?: boolean;
  plan?: boolean;
  platform: ExpectationPlatform;
}

export function matrixCommand(): Command {
  const { LIMITS } = parse;
  const cmd = new Command('matrix')
    .description('run subjects x strategies x scenarios (x run-as), compare with the expected-verdict table, write reports')
    .option('--subjects <ids>', 'comma-separated subjects', parse.nonEmptyList('--subjects', 'subject, e.g. lab@3.112.0'), DEFAULT_SUBJECTS)
    .option('--strategies <list>', 'comma-separated guard strategies (for subjects that have them)', parse.strategyList, [...STRATEGIES])
    .option('--scenarios <ids>', 'comma-separated scenario ids (default: the default set)', parse.nonEmptyList('--scenarios', 'scenario id, e.g. spawn-then-resolve'))
    .option('--repeat <n>', `attempts per cell, 1-${LIMITS.repeat}; disagreeing attempts make a cell flaky`, parse.positiveInt('--repeat', LIMITS.repeat), 1)
    .option('--jobs <n>', `cells run in parallel, 1-${LIMITS.jobs}`, parse.positiveInt('--jobs', LIMITS.jobs), 2)
    .option('--shard <i/n>', 'run only shard i of n (round-robin); merge with `report merge`', parseShard)
    .option('--out <dir>', 'output directory for results.json, junit.xml, summary.md, report.html (one matrix at a time)', parse.nonEmpty('--out', 'a directory'), 'results')
    .option('--resume', 'finish a killed run: only cells missing from <out>/results.json are run')
    .option('--timeout <ms>', `override every scenario's timeout, ${parse.TIMEOUT_FLOOR_MS}-${LIMITS.timeoutMs} ms`, parse.timeoutMs('--timeout'))
    .option('--ruby <path>', 'Ruby to run workloads with (default: ruby on PATH, or MIRRORD_REGRESS_RUBY)', parse.nonEmpty('--ruby', 'the path of a Ruby'))
    .option('--runner <name>', 'where workloads run: host, or docker (pinned images, --network none, user regress)', 'host')
    .option('--rubies <list>', 'with --runner docker: Ruby versions, a matrix axis (3.1 = bookworm, 3.3 = trixie)', parse.nonEmptyList('--rubies', 'Ruby version, e.g. 3.3'), [])
    .option('--keep', 'keep the temp directory with every attempt\'s events and report (printed at the end, also when interrupted)')
    .option('--plan', 'print every planned cell with its expectation and why, and run nothing (no stage, cluster, engine, build or download)')
    .addOption(new Option('--platform <os>', 'the platform whose expectations apply; another than this machine\'s only with --plan').choices(['linux', 'darwin']).default(process.platform));
  return addSubjectOptions(cmd)
    .addHelpText('after', `
Scenarios: ${SCENARIOS.map((s) => `${s.id}${s.inDefaultMatrix ? '*' : ''}`).join(', ')}  (* = default set)
Exit codes: 0 every cell as expected (--plan: planned), 1 some cell unexpected, 2 bad usage or environment, 130 interrupted.`)
    .action(async (opts: MatrixOptions) => {
      process.exitCode = await matrix(opts);
    });
}

async function matrix(opts: MatrixOptions): Promise<number> {
  if (!opts.plan && opts.platform !== process.platform) {
    throw new UsageError(`--platform ${opts.platform}: this machine runs ${process.platform}, so a real run can only show ${process.platform}'s verdicts (add --plan to see what ${opts.platform} should show)`, 'BAD_PLATFORM');
  }
  const runnerIds = runnerNames(opts.runner, opts.rubies);
  const shard = opts.shard;
  const ctx = subjectContext(opts, opts.strategies);
  const subjects = opts.subjects.map((id) => resolveSubject(id, ctx));
  const scenarios = opts.scenarios ? opts.scenarios.map(scenarioById) : defaultScenarios();
  const plan = planMatrix({ subjects, strategies: opts.strategies, scenarios, runners: runnerIds });
  if (plan.length === 0) throw new UsageError('the matrix is empty: no subject takes any of the given strategies');
  const kube = subjects.filter((s) => s.topology === 'kubernetes');
  if (kube.length && kube.length !== subjects.length) throw new UsageError('with --kubeconfig every subject runs against that cluster: leave out the lab@ subjects, or run them in a matrix of their own');
  if (opts.plan) {
    const planned = selectShard(plan, shard).map((c) => plannedExpectation(c, opts.platform));
    for (const p of planned) process.stdout.write(`${planLine(p)}\n`);
    process.stdout.write(`${planCountLine(planned, { platform: opts.platform, ofTotal: plan.length, shard })}\n`);
    return 0;
  }
  const ruby = resolveRuby(opts.ruby);
  if (opts.runner === 'host') checkRuby(ruby);

  // Everything above only reads; from here on the output directory is ours until release().
  const out = claimOutputDir(resolve(opts.out), { option: '--out', purpose: 'matrix' });
  let stage: Stage | undefined;
  let signals: ReturnType<typeof abortOnSignals> | undefined;
  const runners = new Map<string, Runner>();
  let cluster: Cluster | undefined;
  try {
    const store = new ResultStore(out.path, plan.map((c) => c.id), shard);
    if (opts.resume) store.resume();
    sweepStaleStages();
    stage = createStage({ repoRoot: REPO_ROOT, ruby, keep: opts.keep });
    // C workloads are built before anything starts, so a missing compiler is one line up front.
    for (const s of scenarios) if ('c' in s.workload) stage.cProgram(s.workload.c);
    signals = abortOnSignals();
    for (const s of subjects) await s.prepare(stage);
    cluster = await clusterFor(subjects, runnerIds, stage, (l) => process.stderr.write(`${l}\n`));
    for (const id of runnerIds) runners.set(id, await createRunner(id, stage, cluster, { hostNetwork: kube.length > 0 }));
    const { interrupted } = await runMatrix({
      cells: selectShard(plan, shard),
      store,
      runners,
      stage,
      jobs: opts.jobs,
      repeat: opts.repeat,
      timeoutMs: opts.timeout,
      progress: createProgress(),
      signal: signals.signal,
      cluster,
      evidenceSource: opts.evidence,
    });
    const file = store.snapshot();
    if (interrupted) {
      process.stderr.write(store.size
        ? `interrupted: ${file.cells.length} cells recorded in ${store.path}; run again with --resume to finish\n`
        : 'interrupted before the first cell finished: nothing was recorded\n');
      return 130;
    }
    writeReports(file, out.path);
    process.stdout.write(toTerminalTable(file, { color: Boolean(process.stdout.isTTY) }) + '\n');
    process.stdout.write(`reports: ${out.path}/{results.json,junit.xml,summary.md,report.html}\n`);
    return file.cells.every((c) => c.matchesExpectation !== false) ? 0 : 1;
  } finally {
    for (const r of runners.values()) await r.dispose?.();
    await cluster?.dispose();
    signals?.dispose();
    stage?.dispose();
    out.release();
    if (stage?.kept) process.stderr.write(`kept: ${stage.root}\n`);
  }
}
