/** `run`: one cell (a scenario or any command) against one subject; exit codes fit `git bisect run`. */
import { Command, Option } from 'commander';
import { cellId, exitCodeFor, VERDICT_KINDS, type CellResult, type RunAs, type Strategy, type VerdictKind } from '../../model/result.ts';
import { scenarioById } from '../../../scenarios/index.ts';
import type { Scenario } from '../../../scenarios/scenario.ts';
import type { Runner } from '../../runners/runner.ts';
import { createRunner, runnerNames } from '../../runners/select.ts';
import { createStage, sweepStaleStages } from '../../stage.ts';
import { resolveSubject } from '../../subjects/registry.ts';
import { runCell } from '../../pipeline/run-cell.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import { clusterFor } from '../../cluster/for-run.ts';
import { formatEvidence } from '../../reports/evidence.ts';
import { shownAttempt } from '../../reports/cell-view.ts';
import { checkRuby, REPO_ROOT, resolveRuby } from '../context.ts';
import { UsageError } from '../errors.ts';
import { abortOnSignals } from '../interrupt.ts';
import * as parse from '../options.ts';
import { addSubjectOptions, subjectContext, type SubjectOptions } from '../subject-options.ts';

export { exitCodeFor };

/** Below this, `--timeout` is almost surely seconds typed as milliseconds: the lab alone takes longer to start. */
export const TIMEOUT_FLOOR_MS = 1000;
export const TIMEOUT_CEILING_MS = 3_600_000;

export function timeoutOption(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--timeout takes milliseconds as a plain integer, got "${text}"`);
  const n = Number(text);
  if (n < TIMEOUT_FLOOR_MS) throw new UsageError(`--timeout is in milliseconds and must be at least ${TIMEOUT_FLOOR_MS} (got ${n}; did you mean ${n * 1000}?)`);
  if (n > TIMEOUT_CEILING_MS) throw new UsageError(`--timeout must be at most ${TIMEOUT_CEILING_MS} ms (one hour), got ${n}`);
  return n;
}

export function expectOption(text: string): VerdictKind[] {
  const kinds = text.split(',').map((s) => s.trim());
  for (const k of kinds) {
    if (!(VERDICT_KINDS as readonly string[]).includes(k)) throw new UsageError(`--expect takes verdicts from ${VERDICT_KINDS.join(', ')} (comma-separated), got "${k}"`);
  }
  return kinds as VerdictKind[];
}

function pathOption(dir: string, previous: string[] = []): string[] {
  if (!dir.startsWith('/')) throw new UsageError(`--path takes an absolute directory, got "${dir}"`);
  return [...previous, dir];
}

interface RunOptions extends SubjectOptions {
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
  runner: string;
  rubyVersion?: string;
  expect?: VerdictKind[];
  path?: string[];
}

export function printCell(cell: CellResult, out: (line: string) => void): void {
  const expected = cell.matchesExpectation === null ? 'no expectation' : cell.matchesExpectation ? 'expected' : `UNEXPECTED: expected ${cell.expected.join(' or ')}`;
  const flaky = cell.flaky ? `, flaky: ${cell.attempts.map((a) => a.verdict.kind).join(' ')}` : '';
  out(`${cell.id}: ${cell.verdict} (${expected}${flaky})`);
  const shown = shownAttempt(cell);
  if (!shown) return;
  out(`  why: ${shown.verdict.summary}`);
  for (const line of formatEvidence(shown.verdict.evidence)) out(`  - ${line}`);
  const ruby = cell.platform.ruby ? `ruby ${cell.platform.ruby} ` : '';
  out(`  ${ruby}as ${shown.observation.user}, network ${shown.observation.network}, ${shown.observation.durationMs} ms`);
}

export function runCommand(): Command {
  const cmd = new Command('run')
    .description('run one scenario (or any command) against one subject and print the verdict with its evidence')
    .requiredOption('--subject <id>', 'what to test, e.g. lab@3.112.0')
    .option('--strategy <s>', 'guard strategy for subjects that have one (none, normal, forget)', parse.strategy)
    .option('--scenario <id>', 'scenario id (see `matrix --help` for the list)')
    .option('--exec', 'run the command after `--` as the workload instead of a scenario')
    .option('--repeat <n>', 'attempts; mixed outcomes are reported as flaky', parse.positiveInt('--repeat'), 1)
    .addOption(new Option('--as <who>', 'run the workload as this user').choices(['unprivileged', 'root']))
    .option('--timeout <ms>', `stop it after this many milliseconds (${TIMEOUT_FLOOR_MS}..${TIMEOUT_CEILING_MS}); a deadlock is called at once, without waiting`, timeoutOption)
    .option('--expect <verdicts>', 'expected verdict(s), comma-separated; overrides the table (an --exec run has none unless given)', expectOption)
    .option('--path <dir>', 'add a directory to the workload\'s PATH, before the system ones (repeatable)', pathOption)
    .option('--ruby <path>', 'Ruby to run workloads with (default: ruby on PATH, or MIRRORD_REGRESS_RUBY)');
  return addSubjectOptions(cmd)
    .option('--runner <name>', 'where the workload runs: host, or docker', 'host')
    .option('--ruby-version <v>', 'with --runner docker: 3.1 (bookworm) or 3.3 (trixie)')
    .option('--keep', 'keep the temp directory with events and report')
    .option('--json', 'print the cell result as JSON')
    .argument('[command...]', 'with --exec: the program and its arguments')
    .addHelpText('after', `
Exit codes (the git bisect run contract): 0 PASS; 1 a bug verdict (BYPASSED, HANG, VANISHED), each
only with the evidence of that bug; 125 the run says nothing about the subject (CRASH, FAIL,
INCONCLUSIVE, TIMEOUT, ERROR: git bisect skips it); 2 bad usage; 130 interrupted.
The workload's PATH holds the system directories only (plus --path): not the harness's own.

Examples:
  npx mirrord-regress run --subject lab@3.112.0 --strategy normal --scenario spawn-then-resolve
  npx mirrord-regress run --subject lab@3.112.0 --exec -- python3 -c 'import subprocess; subprocess.run(["true"])'
  npx mirrord-regress run --subject mirrord@3.112.0 --scenario spawn-then-resolve     # where GitHub is reachable
  npx mirrord-regress run --subject mirrord@3.112.0 --layer target/release/libmirrord_layer.so --scenario spawn-then-resolve`)
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
  const subject = resolveSubject(opts.subject, subjectContext(opts, [opts.strategy ?? 'normal']));
  let strategy: Strategy | null = opts.strategy ?? null;
  if (strategy && !subject.strategies.includes(strategy)) {
    throw new UsageError(subject.strategies.length
      ? `${subject.id} has no strategy ${strategy}: it runs with ${subject.strategies.join(', ')}`
      : `${subject.id} has no guard strategy to choose (only 3.112.0's exec hook holds a guard)`, 'STRATEGY_NOT_APPLICABLE');
  }
  if (!strategy && subject.strategies.length) strategy = 'normal'; // what 3.112.0 shipped
  const base: Scenario = opts.scenario
    ? scenarioById(opts.scenario)
    : { id: 'exec', description: command.join(' '), workload: { argv: command }, runAs: ['unprivileged'], timeoutMs: 10_000, inDefaultMatrix: false };
  // An arbitrary command has no row in the table: only the user can say what it should show.
  const expect = opts.expect ?? (opts.exec ? null : undefined);
  const pathDirs = [...(opts.path ?? []), ...(process.env.MIRRORD_REGRESS_WORKLOAD_PATH ?? '').split(':').filter(Boolean)];
  const runAs = opts.as ?? base.runAs[0] ?? 'unprivileged';
  const [runnerId] = runnerNames(opts.runner, opts.rubyVersion ? [opts.rubyVersion] : []);
  const ruby = resolveRuby(opts.ruby);
  if ('ruby' in base.workload && opts.runner === 'host') checkRuby(ruby);

  sweepStaleStages();
  const stage = createStage({ repoRoot: REPO_ROOT, keep: opts.keep, ruby });
  const { signal, dispose } = abortOnSignals();
  let runner: Runner | undefined;
  let cluster: Cluster | undefined;
  try {
    if ('c' in base.workload) stage.cProgram(base.workload.c);
    await subject.prepare(stage);
    cluster = await clusterFor([subject], [runnerId!], stage);
    runner = await createRunner(runnerId!, stage, cluster, { hostNetwork: subject.topology === 'kubernetes' });
    const key = { subject: subject.id, strategy, scenario: base.id, runAs, runner: runner.name };
    const cell = await runCell(
      { id: cellId(key), key, subject, scenario: base },
      { runner, stage, repeat: opts.repeat, timeoutMs: opts.timeout, signal, expect, keepPartial: true, pathDirs, evidenceSource: opts.evidence, cluster },
    );
    if (!cell) {
      process.stderr.write('interrupted before the first attempt finished: nothing was recorded\n');
      return 130;
    }
    if (opts.json) process.stdout.write(JSON.stringify(cell, null, 2) + '\n');
    else printCell(cell, (l) => process.stdout.write(l + '\n'));
    if (cell.interrupted) {
      process.stderr.write(`interrupted after ${cell.attempts.length} of ${opts.repeat} attempts: the verdict above is theirs\n`);
      return 130;
    }
    return exitCodeFor(cell.verdict);
  } finally {
    await runner?.dispose?.();
    await cluster?.dispose();
    dispose();
    stage.dispose();
    if (opts.keep) process.stderr.write(`kept: ${stage.root}\n`);
  }
}
