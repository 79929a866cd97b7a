/**
 * regress.yml, checked here as far as it can be without GitHub: every `matrix` command of every job,
 * for every value of its strategy matrix, is run with `--plan` (the Linux jobs' as they are, the macOS
 * job's with `--platform darwin`), so a renamed option or subject breaks this test and not a user's
 * CI. Then what ties the jobs together: shard counts, the artifacts each job uploads and the merge of
 * each job's shards, and every option of every mirrord-regress command in both workflows.
 */
import { describe, expect, it } from 'vitest';
import { scenarioById } from '../../scenarios/index.ts';
import { regress } from '../support/cli.ts';
import { commandOf, matrixCombos, optionValue, readWorkflow, regressWords, substitute, WORKFLOWS, type Job, type Step } from './support/workflow.ts';

const regressYml = readWorkflow('regress.yml');
const jobs = Object.entries(regressYml.jobs);
const sharded = jobs.filter(([, job]) => job.steps.some((s) => regressWords(s.run)?.[0] === 'matrix'));
const onLinux = sharded.filter(([, job]) => job['runs-on'].startsWith('ubuntu-'));
const onMac = sharded.filter(([, job]) => job['runs-on'].startsWith('macos-'));

/** The job's matrix command for one combo of its strategy matrix, as words after `mirrord-regress`. */
function matrixCommand(job: Job, combo: Record<string, string>): string[] {
  const steps = job.steps.filter((s) => regressWords(s.run)?.[0] === 'matrix');
  expect(steps).toHaveLength(1);
  return regressWords(substitute(steps[0]!.run!, combo))!;
}

/** The cell lines and the count line of a `--plan`. */
function readPlan(stdout: string): { cells: { id: string; expect: string }[]; count: RegExpExecArray } {
  const lines = stdout.trim().split('\n');
  const count = /^(\d+) cells planned for (\w+)(?: \(shard (\d+)\/(\d+) of (\d+)\))?/.exec(lines.at(-1) ?? '');
  expect(count, stdout).not.toBeNull();
  const cells = lines.slice(0, -1).map((l) => {
    const m = /^(\S+): (expect [A-Z]+(?: or [A-Z]+)*|no expectation) \(/.exec(l);
    expect(m, l).not.toBeNull();
    return { id: m![1]!, expect: m![2]! };
  });
  expect(cells).toHaveLength(Number(count![1]));
  return { cells, count: count! };
}

describe('regress.yml plans', () => {
  it('has a Linux host, a Linux docker and a macOS job to plan', () => {
    expect(onLinux.map(([id]) => id)).toEqual(['linux-host', 'linux-docker']);
    expect(onMac.map(([id]) => id)).toEqual(['macos-host']);
  });

  it.each(onLinux)('%s: each shard\'s matrix command plans a matrix that is not empty', async (_id, job) => {
    for (const combo of matrixCombos(job)) {
      const words = matrixCommand(job, combo);
      const r = await regress([...words, '--plan']);
      expect(r.exitCode, `${words.join(' ')} --plan\n${r.stderr}`).toBe(0);
      const { cells, count } = readPlan(r.stdout);
      expect(cells.length, words.join(' ')).toBeGreaterThan(0);
      expect(count[2]).toBe('linux');
    }
  }, 120_000);

  it('macos-host: every Ruby cell of every shard expects PASS on darwin, and the shards cover the plan', async () => {
    const [, job] = onMac[0]!;
    let covered = 0;
    let total = -1;
    for (const combo of matrixCombos(job)) {
      const words = matrixCommand(job, combo);
      const r = await regress([...words, '--plan', '--platform', 'darwin']);
      expect(r.exitCode, `${words.join(' ')} --plan --platform darwin\n${r.stderr}`).toBe(0);
      const { cells, count } = readPlan(r.stdout);
      expect(count[2]).toBe('darwin');
      expect(cells.length).toBeGreaterThan(0);
      for (const c of cells) {
        const scenario = scenarioById(c.id.split('/')[2]!);
        if ('ruby' in scenario.workload) expect(c.expect, c.id).toBe('expect PASS');
        expect(c.id.startsWith('lab-exec@'), `${c.id}: macOS runs no cluster, so lab-exec@X only`).toBe(true);
      }
      covered += cells.length;
      total = Number(count[5]);
    }
    expect(covered).toBe(total);
  }, 120_000);
});

describe('regress.yml ties its jobs together', () => {
  it.each(sharded)('%s: --shard i/n over exactly 1..n, one artifact per shard holding its --out', (_id, job) => {
    const shards = (job.strategy?.matrix?.shard as number[] | undefined) ?? [];
    for (const combo of matrixCombos(job)) {
      const words = matrixCommand(job, combo);
      const [i, n] = optionValue(words, '--shard')!.split('/').map(Number);
      expect(i).toBe(Number(combo.shard));
      expect(shards).toEqual(Array.from({ length: n! }, (_, k) => k + 1));
      const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
      expect(upload.if).toBe('${{ !cancelled() }}');
      expect(substitute(String(upload.with!.path), combo)).toBe(optionValue(words, '--out'));
      expect(substitute(String(upload.with!.name), combo)).toMatch(new RegExp(`^results-.+-${combo.shard}$`));
    }
  });

  it('the report job merges each job\'s shards (one plan per merge), when any job ran, and fails on a merge\'s exit', () => {
    const report = regressYml.jobs.report!;
    expect(report.needs).toEqual(sharded.map(([id]) => id));
    expect(report.if).toBe('${{ !cancelled() }}');
    const download = report.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ pattern: 'results-*', path: 'shards' });
    // Each job's artifacts, less the shard number: one plan each.
    const plans = new Set(sharded.flatMap(([, job]) => {
      const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
      return matrixCombos(job).map((c) => substitute(String(upload.with!.name), c).replace(/-\d+$/, ''));
    }));
    const merges = report.steps.filter((s) => regressWords(s.run)?.slice(0, 2).join(' ') === 'report merge');
    expect(merges.map((s) => regressWords(s.run)![2])).toEqual([...plans].map((p) => `${download.with!.path}/${p}-*/results.json`));
    for (const s of merges) {
      expect(s.if, s.name).toBe('${{ !cancelled() }}');
      expect(s['continue-on-error' as keyof Step], 'a merge that fails must fail the job').toBeUndefined();
    }
    const outs = merges.map((s) => optionValue(regressWords(s.run)!, '--out')!);
    expect(new Set(outs.map((o) => o.split('/')[0]))).toEqual(new Set(['merged']));
    const html = report.steps.find((s) => regressWords(s.run)?.slice(0, 2).join(' ') === 'report html')!;
    expect(regressWords(html.run)![2]).toBe('merged/*/results.json');
  });
});

describe('every mirrord-regress command in the workflows', () => {
  const commands = WORKFLOWS.flatMap((file) =>
    Object.entries(readWorkflow(file).jobs).flatMap(([id, job]) =>
      job.steps.flatMap((s) => {
        const words = regressWords(s.run);
        if (!words) return [];
        // Options the step's environment puts on its command line ($STRATEGY_OPTION and the like).
        const fromEnv = Object.values(s.env ?? {}).flatMap((v) => String(v).match(/--[a-z][a-z-]*/g) ?? []);
        return [{ where: `${file} ${id}: ${s.name ?? s.run}`, run: s.run!, words, options: [...words.filter((w) => w.startsWith('--')).map((w) => w.split('=')[0]!), ...fromEnv] }];
      }),
    ),
  );

  it('is alone in its step', () => {
    for (const c of commands) expect(c.run.split('npx mirrord-regress').length - 1, c.where).toBe(1);
  });

  it('uses only options its --help lists', async () => {
    const helps = new Map<string, string>();
    for (const c of commands) {
      const command = commandOf(c.words).join(' ');
      if (!helps.has(command)) {
        const r = await regress([...commandOf(c.words), '--help']);
        expect(r.exitCode, `${command} --help\n${r.stderr}`).toBe(0);
        helps.set(command, r.stdout);
      }
      for (const option of c.options) expect(helps.get(command), `${c.where}: ${option}`).toMatch(new RegExp(`(^|\\s)${option}[\\s,=<]`));
    }
    expect([...helps.keys()].sort()).toEqual(['bisect', 'images build', 'lab build', 'matrix', 'report html', 'report merge']);
  }, 120_000);
});
