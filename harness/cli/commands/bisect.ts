/** `bisect`: the first bad release or commit (or, with --find-fix, the first good one after a bad). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { execa } from 'execa';
import { scenarioById } from '../../../scenarios/index.ts';
import type { Strategy } from '../../model/result.ts';
import { bisect, type SearchResult } from '../../bisect/search.ts';
import { bisectFlaky, FLAKY_DEFAULTS, type FlakyResult } from '../../bisect/flaky.ts';
import { commitsBetween, openRepository, resolveCommit, subject as commitSubject } from '../../bisect/git.ts';
import { Interrupted, makeProbe } from '../../bisect/probe.ts';
import { reproduceCommand } from '../../bisect/reproduce.ts';
import { SessionDir, type ProbeDetail, type SessionSpec } from '../../bisect/session.ts';
import { appendProbe, loadProbes } from '../../bisect/state.ts';
import { HostRunner } from '../../runners/host/host-runner.ts';
import { createStage, sweepStaleStages, type Stage } from '../../stage.ts';
import { Cluster } from '../../cluster/cluster.ts';
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
  artifacts?: string;
  profile: string;
  findFix?: boolean;
  flaky?: boolean;
  confidence: number;
  repeat: number;
  out?: string;
  resume?: boolean;
  ruby?: string;
}

/** Thrown by the probe when attempts disagree: the search restarts flaky-aware. */
class Disagreement extends Error {}

/** Where sessions go when --out is not given: one directory per bisect, named after it. */
export const SESSIONS_DIR = 'bisect-out';

const slug = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48);

/**
 * The default session directory of a bisect: its source, scenario, strategy and range, so two
 * different bisects (the README's release and --git examples) never share one, and the same
 * command run again (or with --resume) finds its own.
 */
export function defaultSessionDir(o: Pick<BisectOptions, 'scenario' | 'good' | 'bad' | 'git' | 'strategy' | 'findFix'>): string {
  const source = o.git ? `git-${slug(basename(resolve(o.git)))}` : 'lab';
  const parts = [source, slug(o.scenario ?? ''), ...(o.strategy ? [o.strategy] : []), `${slug(o.good ?? '')}..${slug(o.bad ?? '')}`, ...(o.findFix ? ['fix'] : [])];
  return join(SESSIONS_DIR, parts.join('-'));
}

function describeSpec(spec: SessionSpec): string {
  const id = (c: string) => (spec.source.kind === 'commits' ? c.slice(0, 12) : c);
  const where = spec.source.kind === 'commits' ? ` in ${spec.source.repo}` : '';
  return `${spec.scenario}${spec.strategy ? `/${spec.strategy}` : ''}${where}, good ${id(spec.good)}, bad ${id(spec.bad)}${spec.findFix ? ', --find-fix' : ''}`;
}

/** `--resume` without --out: the session the range names, else the only one in bisect-out/. */
function sessionToResume(opts: BisectOptions): string {
  if (opts.scenario && opts.good && opts.bad) return defaultSessionDir(opts);
  const found = (existsSync(join(SESSIONS_DIR, 'session.json')) ? [SESSIONS_DIR] : []).concat(
    (existsSync(SESSIONS_DIR) ? readdirSync(SESSIONS_DIR) : []).map((n) => join(SESSIONS_DIR, n)).filter((d) => existsSync(join(d, 'session.json'))),
  );
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new UsageError(`nothing to resume: no session in ${resolve(SESSIONS_DIR)}; give --out DIR (the session directory)`, 'NOTHING_TO_RESUME');
  throw new UsageError(`--resume needs --out DIR: ${SESSIONS_DIR}/ holds ${found.length} sessions (${found.map((d) => basename(d)).join(', ')})`, 'NOTHING_TO_RESUME');
}

export function bisectCommand(): Command {
  return new Command('bisect')
    .description('find the first bad release or commit for a scenario, also when the bug only shows in some runs')
    .option('--scenario <id>', 'scenario to probe with (e.g. spawn-then-resolve)', parse.nonEmpty('--scenario', 'a scenario id, e.g. spawn-then-resolve'))
    .option('--strategy <s>', 'guard strategy, for candidates that have one', parse.strategy)
    .option('--good <version|commit>', 'a candidate known to pass', parse.nonEmpty('--good', 'a release or a commit'))
    .option('--bad <version|commit>', 'a candidate known to fail', parse.nonEmpty('--bad', 'a release or a commit'))
    .option('--git <path>', 'bisect commits of this repository (scratch worktrees; your working tree is never touched)', parse.nonEmpty('--git', 'a repository path'))
    .option('--build <cmd>', 'with --git: shell command that builds a checkout (a failed build is a skip)', parse.nonEmpty('--build', 'the command that builds a checkout, e.g. \'cargo build --release\''))
    .option('--artifacts <dir>', 'with --git: where the build leaves libmirrord_layer.so (and the lab\'s mirrord-lab and mirrord-agent, or mirrord\'s own CLI and agent when built too), relative to the checkout or absolute (default: found in CARGO_TARGET_DIR or a target/ dir of the checkout)', parse.nonEmpty('--artifacts', 'a directory'))
    .option('--profile <version>', 'with --git: lab profile to run the built lab with', '3.112.1')
    .option('--find-fix', 'search for the first good candidate after a bad one (which release fixed it?)')
    .option('--flaky', 'repeat probes as needed to reach --confidence (Bayesian search); automatic when attempts disagree')
    .option('--confidence <p>', 'target confidence of the flaky-aware search, between 0 and 1', parse.fraction('--confidence', '0.99'), FLAKY_DEFAULTS.confidence)
    .option('--repeat <n>', `attempts per probe in the deterministic search, 1-${parse.LIMITS.repeat} (disagreement switches to --flaky)`, parse.positiveInt('--repeat', parse.LIMITS.repeat), 1)
    .option('--out <dir>', `session directory: session.json, probes.jsonl (state), probes.log, result.json, report.html (default: ${SESSIONS_DIR}/<source>-<scenario>-<good>..<bad>)`, parse.nonEmpty('--out', 'a directory'))
    .option('--resume', 'continue the session in --out (or the one of the range given) without rerunning finished probes')
    .option('--ruby <path>', 'Ruby to run workloads with', parse.nonEmpty('--ruby', 'the path of a Ruby'))
    .addHelpText('after', `
Releases (lab profiles, oldest first): ${LAB_PROFILES.join(', ')}.
Exit codes: 0 culprit found, 1 no single culprit (ambiguous after skips, or budget spent), 2 bad usage
(including good/bad that do not behave as stated), 130 interrupted.

One bisect per session directory (a second one is refused). A bisect that ends before its range is
confirmed (bad range, a build that fails at an endpoint) leaves no session behind.

Builds (--git): as root, the build runs in its own PID namespace that the kernel kills when the
harness dies, even by SIGKILL. Without root it runs in its own process group: Ctrl-C stops all of
it, but a SIGKILL of the harness can leave the build running.

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
    if (opts.artifacts) throw new UsageError('--artifacts needs --git');
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
  if ((await execa('sh', ['-c', 'command -v "$1"', 'sh', tool], { reject: false })).exitCode !== 0) {
    throw new UsageError(`build command not found: ${tool}`, 'BUILD_NOT_FOUND');
  }
  const good = await resolveCommit(repo, opts.good);
  const bad = await resolveCommit(repo, opts.bad);
  if (good === bad) throw new UsageError(`--good and --bad are the same commit (${good.slice(0, 12)})`, 'BAD_RANGE');
  const candidates = opts.findFix ? await commitsBetween(repo, bad, good) : await commitsBetween(repo, good, bad);
  return { ...common, good, bad, source: { kind: 'commits', repo, build: opts.build, artifacts: opts.artifacts ?? null, profile: opts.profile }, candidates };
}

async function label(spec: SessionSpec, id: string): Promise<string> {
  return spec.source.kind === 'commits' ? await commitSubject(spec.source.repo, id) : id;
}

async function run(opts: BisectOptions): Promise<number> {
  if (opts.resume) {
    const dir = resolve(opts.out ?? sessionToResume(opts));
    const session = new SessionDir(dir);
    if (!session.hasSpec()) throw new UsageError(`nothing to resume in ${dir} (no session.json)`, 'NOTHING_TO_RESUME');
    const ruby = resolveRuby(opts.ruby);
    checkRuby(ruby);
    session.open();
    let spec: SessionSpec;
    try {
      spec = session.loadSpec();
      scenarioById(spec.scenario);
      loadProbes(session.statePath);
    } catch (e) {
      session.close();
      throw e;
    }
    return search(session, spec, ruby, false);
  }
  const spec = await specFromOptions(opts);
  const ruby = resolveRuby(opts.ruby);
  checkRuby(ruby);
  const session = new SessionDir(resolve(opts.out ?? defaultSessionDir(opts)));
  session.open();
  try {
    session.begin(spec, describeSpec);
  } catch (e) {
    session.close();
    throw e;
  }
  return search(session, spec, ruby, true);
}

/** Whether the session holds no probe record: nothing worth resuming. */
function holdsNoProbe(session: SessionDir): boolean {
  try {
    return statSync(session.statePath).size === 0;
  } catch {
    return true;
  }
}

/** The endpoint failure as one line, with what the failed probe showed (a build's last line...). */
function endpointLine(message: string, candidate: string, details: ProbeDetail[]): string {
  const d = [...details].reverse().find((x) => x.candidate === candidate);
  if (!d) return message;
  return `${message}: ${d.verdict === 'SKIP' ? '' : `${d.verdict} — `}${d.summary}`;
}

async function search(session: SessionDir, spec: SessionSpec, ruby: string, fresh: boolean): Promise<number> {
  const scenario = scenarioById(spec.scenario);
  const resumeHint = `continue with --resume --out ${session.dir}`;
  let discard = false;
  let signals: ReturnType<typeof abortOnSignals> | undefined;
  let clusterStage: Stage | undefined;
  let cluster: Cluster | undefined;
  try {
    sweepStaleStages();
    signals = abortOnSignals();
    const { signal } = signals;
    // One cluster for the whole search: every probe's agent gets a pod in it (lab-exec needs none).
    if (!(spec.source.kind === 'releases' && spec.source.subjectKind === 'lab-exec')) {
      clusterStage = createStage({ repoRoot: REPO_ROOT, ruby });
      cluster = await Cluster.start({ dir: join(clusterStage.root, 'cluster') });
    }
    const runner = new HostRunner(cluster ? { netns: await cluster.laptopNamespace() } : {});
    const out = (l: string) => process.stdout.write(`${l}\n`);
    let switched = false;
    const probe = makeProbe({
      spec, scenario, buildCache: session.buildsDir, runner, cluster, repoRoot: REPO_ROOT, labBuildDir: LAB_BUILD_DIR, ruby, signal,
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
    const interrupted = (): number => {
      if (fresh && holdsNoProbe(session)) {
        discard = true;
        process.stderr.write('interrupted before the first probe finished: nothing was recorded\n');
      } else {
        process.stderr.write(`interrupted: finished probes are kept in ${session.statePath}; ${resumeHint}\n`);
        try {
          session.writeReport(spec);
        } catch (e) {
          process.stderr.write(`report.html not written: ${(e as Error).message}\n`);
        }
      }
      return 130;
    };
    let result: SearchResult | FlakyResult;
    try {
      result = spec.flaky
        ? await bisectFlaky({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), confidence: spec.confidence, onRecord })
        : await bisect({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), findFix: spec.findFix, onRecord });
    } catch (e) {
      if (e instanceof Interrupted || signal.aborted) return interrupted();
      if (!(e instanceof Disagreement)) throw e;
      if (spec.findFix) throw new UsageError(`attempts disagree at ${e.message}: the bug is intermittent, and --find-fix has no flaky-aware search`);
      switched = true;
      spec.flaky = true;
      process.stderr.write(`attempts disagree at ${e.message}: switching to the flaky-aware search (confidence ${spec.confidence})\n`);
      result = await bisectFlaky({ candidates: spec.candidates, good, bad, probe, priors: loadProbes(session.statePath), confidence: spec.confidence, onRecord });
    }
    if (signal.aborted) return interrupted();
    if (result.kind === 'endpoints') {
      // The range itself is wrong (or cannot be built): nothing in this session is worth resuming.
      const line = endpointLine(result.message, result.candidate, session.details());
      if (fresh) discard = true;
      else session.writeResult({ spec, switchedToFlaky: switched, result, probes: loadProbes(session.statePath), details: session.details() });
      throw new UsageError(line, 'ENDPOINTS');
    }
    session.writeResult({ spec, switchedToFlaky: switched, result, probes: loadProbes(session.statePath), details: session.details() });
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
    out(`Reproduce with: ${reproduceCommand(spec, culprit, session.buildsDir)}`);
    out(`probes: ${session.statePath}`);
    out(`report: ${session.reportPath}`);
    return result.ambiguousBetween || ('stoppedBy' in result && result.stoppedBy !== 'confidence') ? 1 : 0;
  } catch (e) {
    if (fresh && holdsNoProbe(session)) discard = true;
    throw e;
  } finally {
    await cluster?.dispose();
    clusterStage?.dispose();
    signals?.dispose();
    if (discard) session.discard();
    else session.close();
  }
}
