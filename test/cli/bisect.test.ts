/**
 * bisect over releases and over real commits: a temp git repository of the lab's source whose
 * history introduces the bug in one commit and breaks the build in another; real cargo builds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN, eventually, regress } from '../support/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bisect-test-'));
const repo = join(tmp, 'lab-src');
const target = join(tmp, 'target');
const BUILD = `CARGO_TARGET_DIR=${target} cargo build --release --quiet`;
const shas: string[] = [];

async function git(...args: string[]) {
  return (await execa('git', ['-C', repo, ...args], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } })).stdout.trim();
}

async function commit(message: string, edit: () => void) {
  edit();
  await git('add', '-A');
  await git('commit', '-q', '-m', message);
  shas.push(await git('rev-parse', 'HEAD'));
}

const execHooks = () => join(repo, 'layer', 'src', 'exec_hooks.rs');
const rewrite = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`test setup: ${from} not in ${file}`);
  writeFileSync(file, text.replace(from, to));
};
const note = (n: number) => () => writeFileSync(join(repo, 'NOTES'), `change ${n}\n`);

const bisectCommits = (out: string, extra: string[] = []) =>
  regress(['bisect', '--git', repo, '--build', BUILD, '--artifacts', join(target, 'release'), '--profile', '3.112.1', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', shas.at(-1)!, '--out', out, ...extra]);

describe.skipIf(skipLabTests)('bisect', () => {
  beforeAll(async () => {
    for (const part of ['Cargo.toml', 'Cargo.lock', 'layer', 'cli']) cpSync(join(REPO_ROOT, 'lab', part), join(repo, part), { recursive: true });
    await execa('git', ['init', '-q', repo]);
    await commit('c0: the lab as released', () => writeFileSync(join(repo, '.gitignore'), 'target/\n'));
    await commit('c1', note(1));
    await commit('c2', note(2));
    // The regression: 3.112.1's exec hook starts holding a DetourGuard across the exec again.
    await commit('c3: hold a guard in the exec hook', () =>
      rewrite(execHooks(), '    let mut copy = [(0 as c_int', '    let _guard = DetourGuard::new();\n    let mut copy = [(0 as c_int'));
    await commit('c4: breaks the build', () => rewrite(execHooks(), 'const MAX_ENV', 'const MAX_ENV: = ;\nconst UNUSED_MAX_ENV'));
    await commit('c5: fixes the build', () => rewrite(execHooks(), 'const MAX_ENV: = ;\nconst UNUSED_MAX_ENV', 'const MAX_ENV'));
    await commit('c6', note(6));
    await commit('c7', note(7));
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('releases: first bad 3.112.0 after 3.111.0, with both verdicts and a reproduce line', async () => {
    const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', '--good', '3.111.0', '--bad', '3.112.0', '--out', join(tmp, 'rel')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^first bad: 3\.112\.0 \(last good: 3\.111\.0\), deterministic, runs spent: 2$/m);
    expect(r.stdout).toMatch(/3\.112\.0: BYPASSED — getaddrinfo bypassed/);
    expect(r.stdout).toMatch(/3\.111\.0: PASS — exit 0/);
    expect(r.stdout).toMatch(/^Reproduce with: npx mirrord-regress run --subject lab@3\.112\.0 --scenario spawn-then-resolve$/m);
    const result = JSON.parse(readFileSync(join(tmp, 'rel', 'result.json'), 'utf8'));
    expect(result.probes.map((p: { candidate: string }) => p.candidate).sort()).toEqual(['3.111.0', '3.112.0']);
  });

  it('releases --find-fix: the first good after the bad is 3.112.1', async () => {
    const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', '--bad', '3.112.0', '--good', '3.112.1', '--find-fix', '--out', join(tmp, 'fix')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^first good: 3\.112\.1 \(last bad: 3\.112\.0\)/m);
  });

  it('commits: finds the commit that introduced the bug; the commit that does not build is skipped', async () => {
    const out = join(tmp, 'commits');
    const r = await bisectCommits(out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^first bad: ${shas[3]!.slice(0, 7)}\\w* c3: hold a guard in the exec hook \\(last good: ${shas[2]!.slice(0, 7)}\\w* c2\\)`, 'm'));
    const probes = readFileSync(join(out, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(probes.length).toBeLessThanOrEqual(Math.ceil(Math.log2(8)) + 2 + 1); // + the skipped build
    const skipped = probes.filter((p: { outcome: string }) => p.outcome === 'skip').map((p: { candidate: string }) => p.candidate);
    expect(skipped.every((c: string) => c === shas[4])).toBe(true);
    // The user's working tree was never touched, and no scratch worktree is left registered.
    expect(await git('status', '--porcelain')).toBe('');
    expect((await git('worktree', 'list')).split('\n')).toHaveLength(1);
  }, 240_000);

  it('commits: SIGKILL mid-search, then --resume gives the same answer without redoing finished probes', async () => {
    const out = join(tmp, 'resume');
    const child = bisectCommits(out);
    const state = join(out, 'probes.jsonl');
    await eventually(() => existsSync(state) && readFileSync(state, 'utf8').trim().split('\n').length >= 2, 180_000, 'two finished probes');
    child.kill('SIGKILL');
    await child;
    const before = readFileSync(state, 'utf8').trim().split('\n').map((l) => JSON.parse(l).candidate as string);
    const r = await regress(['bisect', '--resume', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^first bad: ${shas[3]!.slice(0, 7)}`, 'm'));
    const all = readFileSync(state, 'utf8').trim().split('\n').map((l) => JSON.parse(l).candidate as string);
    expect(all.slice(0, before.length)).toEqual(before);
    for (const c of before) expect(all.filter((x) => x === c)).toHaveLength(1);
    // A killed search leaves its scratch worktree registered; git prunes it once the directory is gone.
    await execa('git', ['-C', repo, 'worktree', 'prune']);
    expect(await git('status', '--porcelain')).toBe('');
  }, 300_000);

  it('commits: Ctrl-C mid-search exits 130, records no false skip, and leaves no worktree', async () => {
    const out = join(tmp, 'sigint');
    const child = bisectCommits(out);
    const log = join(out, 'probes.log');
    await eventually(() => existsSync(log) && readFileSync(log, 'utf8').trim().split('\n').length >= 3, 180_000, 'three finished probes');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted: finished probes are kept in .*; continue with --resume/);
    const probes = readFileSync(join(out, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // Only the commit that really does not build may be a skip; an interrupted build is not one.
    expect(probes.filter((p: { outcome: string }) => p.outcome === 'skip').every((p: { candidate: string }) => p.candidate === shas[4])).toBe(true);
    expect((await git('worktree', 'list')).split('\n')).toHaveLength(1);
  }, 240_000);

  it('commits, intermittent bug: --flaky finds the culprit with the stated confidence, building each commit once', async () => {
    const out = join(tmp, 'flaky');
    const r = await bisectCommits(out, ['--scenario', 'spawn-random-thread', '--flaky']);
    expect(r.exitCode, r.stderr).toBe(0);
    const m = /^first bad: (\w+) .*\), confidence ([\d.]+)%, runs spent: (\d+)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(shas[3]!.startsWith(m![1]!)).toBe(true);
    expect(Number(m![2])).toBeGreaterThanOrEqual(99);
    const probes = readFileSync(join(out, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { candidate: string });
    // Repeated probes of the same commits (the point of a flaky search), but one build per commit.
    expect(probes.length).toBeGreaterThan(new Set(probes.map((p) => p.candidate)).size);
    expect(readdirSync(join(out, 'builds')).length).toBeLessThanOrEqual(new Set(probes.map((p) => p.candidate)).size);
  }, 300_000);

  it('releases: attempts that disagree switch the search to the flaky-aware one by themselves', async () => {
    const r = await regress(['bisect', '--scenario', 'spawn-random-thread', '--good', '3.111.0', '--bad', '3.112.0', '--repeat', '12', '--out', join(tmp, 'auto')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/attempts disagree at 3\.112\.0: switching to the flaky-aware search \(confidence 0\.99\)/);
    expect(r.stdout).toMatch(/^first bad: 3\.112\.0 \(last good: 3\.111\.0\), confidence \d+\.\d%, runs spent: \d+$/m);
  });

  it('works as a `git bisect run` script through run\'s exit codes (0 good, 1 bad, 125 skip)', async () => {
    // Its own target dir: cargo judges freshness by mtimes relative to the package root, so an
    // in-place checkout after builds of other checkouts into a shared target can reuse their output.
    const own = join(tmp, 'target-git-bisect');
    const script = `CARGO_TARGET_DIR=${own} cargo build --release --quiet || exit 125; exec "${process.execPath}" "${BIN}" run --subject lab@3.112.1 --lab-build ${join(own, 'release')} --scenario spawn-then-resolve`;
    await git('bisect', 'start', shas.at(-1)!, shas[0]!);
    try {
      const r = await execa('git', ['-C', repo, 'bisect', 'run', 'sh', '-c', script], { reject: false });
      expect(r.stdout).toMatch(new RegExp(`^${shas[3]} is the first bad commit$`, 'm'));
    } finally {
      await git('bisect', 'reset');
    }
  }, 240_000);

  it.each([
    [['--good', '3.112.0', '--bad', '3.112.0'], /--good and --bad are the same \(3\.112\.0\)/],
    [['--good', '3.105.0', '--bad', '3.112.0'], /unknown version "3\.105\.0"/],
    [['--good', '3.112.1', '--bad', '3.111.0'], /--good 3\.112\.1 must be older than --bad 3\.111\.0/],
    [['--good', '3.111.0', '--bad', '3.112.0', '--git', '/nonexistent/repo', '--build', 'true'], /repository \/nonexistent\/repo does not exist/],
    [['--good', 'HEAD~1', '--bad', 'HEAD', '--git', REPO_ROOT, '--build', 'no-such-builder --release'], /build command not found: no-such-builder|has uncommitted changes/],
    [['--good', 'nope', '--bad', 'HEAD', '--git', '@REPO', '--build', 'true'], /unknown commit "nope"/],
    [['--good', '3.111.0', '--bad', '3.112.0', '--scenario', 'nope'], /unknown scenario "nope"/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const real = args.map((a) => (a === '@REPO' ? repo : a));
    const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', ...real, '--out', join(tmp, `bad-${Math.random()}`)]);
    expect(r.stderr).toMatch(message);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a dirty repository is refused', async () => {
    writeFileSync(join(repo, 'NOTES'), 'uncommitted\n');
    try {
      const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', 'HEAD', '--git', repo, '--build', 'true', '--out', join(tmp, 'dirty')]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/has uncommitted changes/);
    } finally {
      await git('checkout', '--', 'NOTES');
    }
  });
});
