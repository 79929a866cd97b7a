/** `run`: one cell (a scenario or any command) against one subject; exit codes fit `git bisect run`. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { cellId, type CellResult, type RunAs, type Strategy, type VerdictKind } from '../../model/result.ts';
import { scenarioById } from '../../../scenarios/index.ts';
import type { Scenario } from '../../../scenarios/scenario.ts';
import type { Runner } from '../../runners/runner.ts';
import { createRunner, runnerNames } from '../../runners/select.ts';
import { createStage, sweepStaleStages } from '../../stage.ts';
import { resolveSubject } from '../../subjects/registry.ts';
import { runCell } from '../../matrix/run-cell.ts';
import { formatEvidence } from '../../reports/evidence.ts';
import { checkRuby, LAB_BUILD_DIR, REPO_ROOT, resolveRuby } from '../context.ts';
import { UsageError } from '../errors.ts';
import { abortOnSignals } from '../interrupt.ts';
import * as parse from '../options.ts';

/** `git bisect run` contract: 0 good, 1 bad, 125 cannot test. */
export function exitCodeFor(verdict: VerdictKind): number {
  if (verdict === 'PASS') return 0;
  if (verdict === 'ERROR') return 125;
  return 1;
}

interface RunOptions {
  subject: string;
  strategy?: Strategy;
  scenario?: string;
  exec?: boolean;
  repeat: number;
  as?: RunAs;
  timeout?: number;
  ruby?: string;
  keep?: boolean;
  json?: boolean;
  labBuild?: string;
  runner: string;
  rubyVersion?: string;
}

export function printCell(cell: CellResult, out: (line: string) => void): void {
  const expected = cell.matchesExpectation ? 'expected' : `UNEXPECTED: expected ${cell.expected.join(' or ')}`;
  const flaky = cell.flaky ? `, flaky: ${cell.attempts.map((a) => a.verdict.kind).join(' ')}` : '';
  out(`${cell.id}: ${cell.verdict} (${expected}${flaky})`);
  const shown = cell.attempts.find((a) => a.verdict.kind === cell.verdict) ?? cell.attempts[0];
  if (!shown) return;
  out(`  why: ${shown.verdict.summary}`);
  for (const line of formatEvidence(shown.verdict.evidence)) out(`  - ${line}`);
  out(`  ruby ${cell.platform.ruby ?? '?'} as ${shown.observation.user}, network ${shown.observation.network}, ${shown.observation.durationMs} ms`);
}

export function runCommand(): Command {
  return new Command('run')
    .description('run one scenario (or any command) against one subject and print the verdict with its evidence')
    .requiredOption('--subject <id>', 'what to test, e.g. lab@3.112.0')
    .option('--strategy <s>', 'guard strategy for subjects that have one (none, normal, forget)', parse.strategy)
    .option('--scenario <id>', 'scenario id (see `matrix --help` for the list)')
    .option('--exec', 'run the command after `--` as the workload instead of a scenario')
    .option('--repeat <n>', 'attempts; mixed outcomes are reported as flaky', parse.positiveInt('--repeat'), 1)
    .addOption(new Option('--as <who>', 'run the workload as this user').choices(['unprivileged', 'root']))
    .option('--timeout <ms>', 'call it a HANG after this long', parse.positiveInt('--timeout'))
    .option('--ruby <path>', 'Ruby to run workloads with (default: ruby on PATH, or MIRRORD_REGRESS_RUBY)')
    .option('--lab-build <dir>', 'use the lab built in this directory (mirrord-lab + libmirrord_layer.so) instead of lab/target/release')
    .option('--runner <name>', 'where the workload runs: host, or docker', 'host')
    .option('--ruby-version <v>', 'with --runner docker: 3.1 (bookworm) or 3.3 (trixie)')
    .option('--keep', 'keep the temp directory with events and report')
    .option('--json', 'print the cell result as JSON')
    .argument('[command...]', 'with --exec: the program and its arguments')
    .addHelpText('after', `
Exit codes (the git bisect run contract): 0 PASS, 1 a bug verdict (BYPASSED, HANG, VANISHED, CRASH),
125 ERROR (the run says nothing about the subject), 2 bad usage.

Examples:
  npx mirrord-regress run --subject lab@3.112.0 --strategy normal --scenario spawn-then-resolve
  npx mirrord-regress run --subject lab@3.112.0 --exec -- python3 -c 'import subprocess; subprocess.run(["true"])'`)
    .action(async (command: string[], opts: RunOptions) => {
      process.exitCode = await run(command, opts);
    });
}

async function run(command: string[], opts: RunOptions): Promise<number> {
  if (Boolean(opts.scenario) === Boolean(opts.exec)) {
    throw new UsageError('give exactly one of --scenario ID or --exec -- CMD [ARGS...]');
  }
  if (opts.exec && command.length === 0) throw new UsageError('--exec needs a command after --');
  if (!opts.exec && command.length) throw new UsageError(`unexpected arguments: ${command.join(' ')} (did you mean --exec?)`);
  const subject = resolveSubject(opts.subject, { labBuildDir: opts.labBuild ? resolve(opts.labBuild) : LAB_BUILD_DIR });
  let strategy: Strategy | null = opts.strategy ?? null;
  if (strategy && !subject.strategies.includes(strategy)) {
    throw new UsageError(`${subject.id} has no guard strategy to choose (only lab@3.112.0's exec hook holds a guard)`, 'STRATEGY_NOT_APPLICABLE');
  }
  if (!strategy && subject.strategies.length) strategy = 'normal'; // what 3.112.0 shipped
  const base: Scenario = opts.scenario
    ? scenarioById(opts.scenario)
    : { id: 'exec', description: command.join(' '), workload: { argv: command }, runAs: ['unprivileged'], timeoutMs: 10_000, inDefaultMatrix: false };
  const runAs = opts.as ?? base.runAs[0] ?? 'unprivileged';
  const [runnerId] = runnerNames(opts.runner, opts.rubyVersion ? [opts.rubyVersion] : []);
  const ruby = resolveRuby(opts.ruby);
  if ('ruby' in base.workload && opts.runner === 'host') checkRuby(ruby);

  sweepStaleStages();
  const stage = createStage({ repoRoot: REPO_ROOT, keep: opts.keep, ruby });
  const { signal, dispose } = abortOnSignals();
  let runner: Runner | undefined;
  try {
    await subject.prepare(stage);
    runner = await createRunner(runnerId!, stage);
    const key = { subject: subject.id, strategy, scenario: base.id, runAs, runner: runner.name };
    const cell = await runCell(
      { id: cellId(key), key, subject, scenario: base },
      { runner, stage, repeat: opts.repeat, timeoutMs: opts.timeout, signal },
    );
    if (!cell) {
      process.stderr.write('interrupted: nothing was recorded\n');
      return 130;
    }
    if (opts.json) process.stdout.write(JSON.stringify(cell, null, 2) + '\n');
    else printCell(cell, (l) => process.stdout.write(l + '\n'));
    if (opts.keep) process.stderr.write(`kept: ${stage.root}\n`);
    return exitCodeFor(cell.verdict);
  } finally {
    await runner?.dispose?.();
    dispose();
    stage.dispose();
  }
}
