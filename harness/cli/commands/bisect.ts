/** `bisect`: the first bad release or commit (or, with --find-fix, the first good one after a bad). */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { execa } from 'execa';
import { scenarioById } from '../../../scenarios/index.ts';
import type { Strategy } from '../../model/result.ts';
import { bisect, type SearchResult } from '../../bisect/search.ts';
import { bisectFlaky, FLAKY_DEFAULTS, type FlakyResult } from '../../bisect/flaky.ts';
import { commitsBetween, openRepository, resolveCommit, subject as commitSubject } from '../../bisect/git.ts';
import { Interrupted, makeProbe } from '../../bisect/probe.ts';
import { SessionDir, type SessionSpec } from '../../bisect/session.ts';
import { appendProbe, loadProbes } from '../../bisect/state.ts';
import { HostRunner } from '../../runners/host/host-runner.ts';
import { sweepStaleStages } from '../../stage.ts';
import { LAB_PROFILES } from '../../subjects/lab.ts';
import { checkRuby, LAB_BUILD_DIR, REPO_ROOT, resolveRuby } from '../context.ts';
import { UsageError } from '../errors.ts';
import { abortOnSignals } from '../interrupt.ts';
import * as parse from '../options.ts';

interface BisectOptions {
  scenario?: string;
  strategy?: Strategy;
  good?: string;
  bad?: string;
  git?: string;
  build?: string;
  artifacts: string;
  profile: string;
  findFix?: boolean;
  flaky?: boolean;
  confidence: number;
  repeat: number;
  out: string;
  resume?: boolean;
  ruby?: string;
}

/** Thrown by the probe when attempts disagree: the search restarts flaky-aware. */
class Disagreement extends Error {}

function confidence(text: string): number {
  const n = Number(text);
  if (!(n > 0 && n < 1)) throw new UsageError(`--confidence must be between 0 and 1 (e.g. 0.99), got "${text}"`);
  return n;
}

export function bisectCommand(): Command {
  return new Command('bisect')
    .description('find the first bad release or commit for a scenario, also when the bug only shows in some runs')
    .option('--scenario <id>', 'scenario to probe with (e.g. spawn-then-resolve)')
    .option('--strategy <s>', 'guard strategy, for candidates that have one', parse.strategy)
    .option('--good <version|commit>', 'a candidate known to pass')
    .option('--bad <version|commit>', 'a candidate known to fail')
    .option('--git <path>', 'bisect commits of this repository (scratch worktrees; your working tree is never touched)')
    .option('--build <cmd>', 'with --git: shell command that builds a checkout (a failed build is a skip)')
    .option('--artifacts <dir>', 'with --git: where the build leaves mirrord-lab and libmirrord_layer.so (relative to the checkout, or absolute)', 'lab/target/release')
    .option('--profile <version>', 'with --git: lab profile to run the built lab with', '3.112.1')
    .option('--find-fix', 'search for the first good candidate after a bad one (which release fixed it?)')
    .option('--flaky', 'repeat probes as needed to reach --confidence (Bayesian search); automatic when attempts disagree')
    .option('--confidence <p>', 'target confidence of the flaky-aware search', confidence, FLAKY_DEFAULTS.confidence)
    .option('--repeat <n>', 'attempts per probe in the deterministic search (disagreement switches to --flaky)', parse.positiveInt('--repeat'), 1)
    .option('--out <dir>', 'session directory: session.json, probes.jsonl (state), probes.log, result.json', 'bisect-out')
    .option('--resume', 'continue the session in --out without rerunning finished probes')
    .option('--ruby <path>', 'Ruby to run workloads with')
    .addHelpText('after', `
Releases (lab profiles, oldest first): ${LAB_PROFILES.join(', ')}.
Exit codes: 0 culprit found, 1 no single culprit (ambiguous after skips, or budget spent), 2 bad usage
(including good/bad that do not behave as stated), 130 interrupted.

As a git bisect run script instead:  git bisect run npx mirrord-regress run --subject ... --scenario ...
(run exits 0 PASS, 1 bug, 125 ERROR = skip).

Examples:
  npx mirrord-regress bisect --scenario spawn-then-resolve --good 3.111.0 --bad 3.112.0
  npx mirrord-regress bisect --scenario spawn-then-resolve --bad 3.112.0 --good 3.112.1 --find-fix
  npx mirrord-regress bisect --git ../lab-src --build 'cargo build --release' --good v1 --bad main --scenario spawn-then-resolve`)
    .action(async (opts: BisectOptions) => {
      process.exitCode = await run(opts);
    });
}

async function specFromOptions(opts: BisectOptions): Promise<SessionSpec> {
  if (!opts.scenario) throw new UsageError('--scenario is required (or --resume)');
  scenarioById(opts.scenario);
  if (!opts.good || !opts.bad) throw new UsageError('--good and --bad are required (or --resume)');
  if (opts.good === opts.bad) throw new UsageError(`--good and --bad are the same (${opts.good}): nothing to search`, 'BAD_RANGE');
  const common = { scenario: opts.scenario, strategy: opts.strategy ?? null, findFix: Boolean(opts.findFix), flaky: Boolean(opts.flaky), confidence: opts.confidence, repeat: opts.repeat };
  if (!opts.git) {
    if (opts.build) throw new UsageError('--build needs --git');
    for (const v of [opts.good, opts.bad]) {
      if (!(LAB_PROFILES as readonly string[]).includes(v)) throw new UsageError(`unknown version "${v}"; releases: ${LAB_PROFILES.join(', ')}`, 'UNKNOWN_VERSION');
    }
    const [older, newer] = opts.findFix ? [opts.bad, opts.good] : [opts.good, opts.bad];
    if (LAB_PROFILES.indexOf(older as never) > LAB_PROFILES.indexOf(newer as never)) {
      throw new UsageError(opts.findFix ? `--bad ${opts.bad} must be older than --good ${opts.good} with --find-fix` : `--good ${opts.good} must be older than --bad ${opts.bad} (use --find-fix to search for a fix)`, 'BAD_RANGE');
    }
    return { ...common, good: opts.good, bad: opts.bad, source: { kind: 'releases', subjectKind: 'lab' }, candidates: [...LAB_PROFILES] };
  }
  if (!opts.build) throw new UsageError('--git needs --build CMD (the command that builds a checkout)');
  if (!(LAB_PROFILES as readonly string[]).includes(opts.profile)) throw new UsageError(`unknown --profile "${opts.profile}"; choose one of ${LAB_PROFILES.join(', ')}`);
  const repo = await openRepository(resolve(opts.git));
  // The first word that is not an environment assignment (`CARGO_TARGET_DIR=... cargo build`).
  const tool = opts.build.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
  if ((await execa('sh', ['-c', `command -v "${tool}"`], { reject: false })).exitCode !== 0) {
    throw new UsageError(`build command not found: ${tool}`, 'BUILD_NOT_FOUND');
  }
  const good = await resolveCommit(repo, opts.good);
  const bad = await resolveCommit(repo, opts.bad);
  if (good === bad) throw new UsageError(`--good and --bad are the same commit (${good.slice(0, 12)})`, 'BAD_RANGE');
  const candidates = opts.findFix ? await commitsBetween(repo, bad, good) : await commitsBetween(repo, good, bad);
  return { ...common, good, bad, source: { kind: 'commits', repo, build: opts.build, artifacts: opts.artifacts, profile: opts.profile }, candidates };
}

async function label(spec: SessionSpec, id: string): Promise<string> {
  return spec.source.kind === 'commits' ? await commitSubject(spec.source.repo, id) : id;
}

async function run(opts: BisectOptions): Promise<number> {
  const session = new SessionDir(resolve(opts.out));
  const spec = opts.resume ? session.loadSpec() : await specFromOptions(opts);
  const scenario = scenarioById(spec.scenario);
  const ruby = resolveRuby(opts.ruby);
  checkRuby(ruby);
  if (!opts.resume) session.begin(spec);
  sweepStaleStages();

  const { signal, dispose } = abortOnSignals();
  const out = (l: string) => process.stdout.write(`${l}\n`);
  let switched = false;
  const probe = makeProbe({
    spec, scenario, buildCache: join(session.dir, 'builds'), runner: new HostRunner(), repoRoot: REPO_ROOT, labBuildDir: LAB_BUILD_DIR, ruby, signal,
    repeat: spec.flaky ? 1 : spec.repeat,
    onDetail: (d) => {
      session.logDetail(d);
      process.stderr.write(`probe ${d.candidate.slice(0, 12)}: ${d.verdict} — ${d.summary}\n`);
    },
    onDisagreement: (candidate) => {
      if (!spec.flaky) throw new Disagreement(candidate);
    },
  });
  const onRecord = (r: Parameters<typeof appendProbe>[1]) => appendProbe(session.statePath, r);
  const good = spec.candidates.indexOf(spec.good);
  const bad = spec.candidates.indexOf(spec.bad);
  try {
    let result: SearchResult | FlakyResult;
    try {
      result = spec.flaky
        ? await bisectFlaky({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), confidence: spec.confidence, onRecord })
        : await bisect({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), findFix: spec.findFix, onRecord });
    } catch (e) {
      if (e instanceof Interrupted || signal.aborted) {
        process.stderr.write(`interrupted: finished probes are kept in ${session.statePath}; continue with --resume --out ${opts.out}\n`);
        return 130;
      }
      if (!(e instanceof Disagreement)) throw e;
      if (spec.findFix) throw new UsageError(`attempts disagree at ${e.message}: the bug is intermittent, and --find-fix has no flaky-aware search`);
      switched = true;
      spec.flaky = true;
      process.stderr.write(`attempts disagree at ${e.message}: switching to the flaky-aware search (confidence ${spec.confidence})\n`);
      result = await bisectFlaky({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), confidence: spec.confidence, onRecord });
    }
    if (signal.aborted) {
      process.stderr.write(`interrupted: finished probes are kept in ${session.statePath}; continue with --resume --out ${opts.out}\n`);
      return 130;
    }
    session.writeResult({ spec, switchedToFlaky: switched, result, probes: loadProbes(session.statePath), details: session.details() });
    if (result.kind === 'endpoints') throw new UsageError(result.message, 'ENDPOINTS');
    const details = session.details();
    const last = (id: string) => [...details].reverse().find((d) => d.candidate === id);
    const [culprit, other, culpritWord, otherWord] =
      'firstGood' in result ? [result.firstGood, result.lastBad, 'first good', 'last bad'] : [result.firstBad, result.lastGood, 'first bad', 'last good'];
    const conf = 'confidence' in result ? `confidence ${(result.confidence * 100).toFixed(1)}%` : 'deterministic';
    const runs = 'runs' in result ? result.runs : result.probes.length;
    out(`${culpritWord}: ${await label(spec, culprit)} (${otherWord}: ${await label(spec, other)}), ${conf}, runs spent: ${runs}`);
    if (result.skipped.length) out(`skipped (error or failed build): ${result.skipped.map((s) => s.slice(0, 12)).join(', ')}`);
    if (result.ambiguousBetween) out(`ambiguous: the culprit is one of ${result.ambiguousBetween.map((s) => s.slice(0, 12)).join(', ')}`);
    for (const id of [culprit, other]) {
      const d = last(id);
      if (d) out(`  ${id.slice(0, 12)}: ${d.verdict} — ${d.summary}`);
    }
    const strategy = spec.strategy ? ` --strategy ${spec.strategy}` : '';
    if (spec.source.kind === 'releases') {
      out(`Reproduce with: npx mirrord-regress run --subject ${spec.source.subjectKind}@${culprit}${culprit === '3.112.0' ? strategy : ''} --scenario ${spec.scenario}`);
    } else {
      out(`Reproduce with: git -C ${spec.source.repo} worktree add /tmp/culprit ${culprit.slice(0, 12)} && (cd /tmp/culprit && ${spec.source.build}) && npx mirrord-regress run --subject lab@${spec.source.profile} --lab-build /tmp/culprit/${spec.source.artifacts}${strategy} --scenario ${spec.scenario}`);
    }
    out(`probes: ${session.statePath}`);
    return result.ambiguousBetween || ('stoppedBy' in result && result.stoppedBy !== 'confidence') ? 1 : 0;
  } finally {
    dispose();
  }
}
