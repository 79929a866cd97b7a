/**
 * bisect over releases and over real commits: a temp git repository of the lab's source whose
 * history introduces the bug in one commit and breaks the build in another; real cargo builds.
 * Also: session hygiene (no session left by a bisect that fails before its range holds, one
 * bisect per session, default directories per bisect) and builds that die with the harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import tmpPkg from 'tmp';
import { BIN, eventually, regress } from '../support/cli.ts';
import { copyLabSources, REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';
import { SCENARIOS } from '../../scenarios/index.ts';

let tmp = '';
let repo = '';
let target = '';
let BUILD = '';
let removeTmp = () => {};
const shas: string[] = [];

/** The CLI from another working directory (default session directories are relative to it). */
function regressIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { reject: false, cwd, env });
}

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

// Seeded: the intermittent scenario's attempts repeat exactly, so a flaky search is the same search every run.
const SEEDED = { env: { MIRRORD_REGRESS_SEED: '11' } };
const bisectCommits = (out: string, extra: string[] = []) =>
  regress(['bisect', '--git', repo, '--build', BUILD, '--artifacts', join(target, 'release'), '--profile', '3.112.1', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', shas.at(-1)!, '--out', out, ...extra], SEEDED);

describe.skipIf(skipLabTests)('bisect', () => {
  beforeAll(async () => {
    const t = tmpPkg.dirSync({ prefix: 'bisect-test-', unsafeCleanup: true });
    tmp = t.name;
    removeTmp = t.removeCallback;
    repo = join(tmp, 'lab-src');
    target = join(tmp, 'target');
    BUILD = `CARGO_TARGET_DIR=${target} cargo build --release --quiet`;
    copyLabSources(repo);
    await execa('git', ['init', '-q', '-b', 'trunk', repo]);
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
  afterAll(() => removeTmp());

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
    const r = await regress(['bisect', '--scenario', 'spawn-random-thread', '--good', '3.111.0', '--bad', '3.112.0', '--repeat', '12', '--out', join(tmp, 'auto')], SEEDED);
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

  it.each<[string, string[], () => string]>([
    ['same release twice', ['--good', '3.112.0', '--bad', '3.112.0'], () => '--good and --bad are the same (3.112.0): nothing to search'],
    ['unknown release', ['--good', '3.105.0', '--bad', '3.112.0'], () => 'unknown version "3.105.0"; releases: 3.111.0, 3.112.0, 3.112.1'],
    ['releases in the wrong order', ['--good', '3.112.1', '--bad', '3.111.0'], () => '--good 3.112.1 must be older than --bad 3.111.0 (use --find-fix to search for a fix)'],
    ['unknown scenario', ['--good', '3.111.0', '--bad', '3.112.0', '--scenario', 'nope'], () => `unknown scenario "nope"; known: ${SCENARIOS.map((x) => x.id).join(', ')}`],
    ['--build without --git', ['--good', '3.111.0', '--bad', '3.112.0', '--build', 'true'], () => '--build needs --git'],
    ['--artifacts without --git', ['--good', '3.111.0', '--bad', '3.112.0', '--artifacts', 'target/release'], () => '--artifacts needs --git'],
    ['--git without --build', ['--good', 'HEAD~1', '--bad', 'HEAD', '--git', '@REPO'], () => '--git needs --build CMD (the command that builds a checkout)'],
    ['missing repository', ['--good', 'v1', '--bad', 'HEAD', '--git', '/nonexistent/repo', '--build', 'true'], () => 'repository /nonexistent/repo does not exist'],
    ['build tool not found', ['--good', 'HEAD~1', '--bad', 'HEAD', '--git', '@REPO', '--build', 'no-such-builder --release'], () => 'build command not found: no-such-builder'],
    ['unknown commit', ['--good', 'nope', '--bad', 'HEAD', '--git', '@REPO', '--build', 'true'], () => `unknown commit "nope" in ${repo}`],
    ['commits in the wrong order', ['--good', '@SHA3', '--bad', '@SHA1', '--git', '@REPO', '--build', 'true'], () => `${shas[3]!.slice(0, 12)} is not an ancestor of ${shas[1]!.slice(0, 12)}: not a range to bisect`],
    ['empty --build', ['--good', 'HEAD~1', '--bad', 'HEAD', '--git', '@REPO', '--build', ' '], () => "--build is empty: give the command that builds a checkout, e.g. 'cargo build --release'"],
  ])('bad input, %s: this one line, exit 2, no session directory', async (_, args, line) => {
    const real = args.map((a) => (a === '@REPO' ? repo : a === '@SHA3' ? shas[3]! : a === '@SHA1' ? shas[1]! : a));
    const out = join(tmp, `bad-${Math.random()}`);
    const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', ...real, '--out', out]);
    expect(r.stderr).toBe(`mirrord-regress: ${line()}`);
    expect(r.exitCode).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('a dirty repository is refused', async () => {
    writeFileSync(join(repo, 'NOTES'), 'uncommitted\n');
    try {
      const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', 'HEAD', '--git', repo, '--build', 'true', '--out', join(tmp, 'dirty')]);
      expect(r.stderr).toBe(`mirrord-regress: repository ${repo} has uncommitted changes: commit or stash them first (bisect builds commits, not your working tree)`);
      expect(r.exitCode).toBe(2);
      expect(existsSync(join(tmp, 'dirty'))).toBe(false);
    } finally {
      await git('checkout', '--', 'NOTES');
    }
  });

  it('an endpoint that does not hold: exit 2 with what it showed, and no session left to trip over', async () => {
    const out = join(tmp, 'wrong-endpoint');
    const r = await regress(['bisect', '--scenario', 'spawn-then-resolve', '--good', '3.112.0', '--bad', '3.112.1', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^mirrord-regress: known-good 3\.112\.0 probed bad: it is not a good endpoint: BYPASSED — getaddrinfo bypassed/);
    expect(existsSync(out)).toBe(false);
  });

  it('the README\'s two examples, as written, from one directory: their own default sessions, artifacts found in the checkout\'s target/', async () => {
    const cwd = join(tmp, 'readme');
    mkdirSync(cwd);
    cpSync(repo, join(cwd, '..', 'readme-lab-src'), { recursive: true });
    const src = join(cwd, '..', 'readme-lab-src');
    await execa('git', ['-C', src, 'tag', 'v1', shas[2]!]);
    await execa('git', ['-C', src, 'branch', 'main', shas[3]!]);
    const releases = await regressIn(cwd, ['bisect', '--scenario', 'spawn-then-resolve', '--good', '3.111.0', '--bad', '3.112.0']);
    expect(releases.exitCode, releases.stderr).toBe(0);
    const commits = await regressIn(cwd, ['bisect', '--git', '../readme-lab-src', '--build', 'cargo build --release', '--good', 'v1', '--bad', 'main', '--scenario', 'spawn-then-resolve']);
    expect(commits.exitCode, commits.stderr).toBe(0);
    expect(commits.stdout).toMatch(new RegExp(`^first bad: ${shas[3]!.slice(0, 7)}\\w* c3: hold a guard in the exec hook`, 'm'));
    expect(commits.stdout).toMatch(/--lab-build \/tmp\/culprit\/target\/release --scenario spawn-then-resolve$/m);
    expect(readdirSync(join(cwd, 'bisect-out')).sort()).toEqual(['git-readme-lab-src-spawn-then-resolve-v1..main', 'lab-spawn-then-resolve-3.111.0..3.112.0']);
    // Run again, it finds its own session and says how to continue it.
    const again = await regressIn(cwd, ['bisect', '--scenario', 'spawn-then-resolve', '--good', '3.111.0', '--bad', '3.112.0']);
    const dir = join(cwd, 'bisect-out', 'lab-spawn-then-resolve-3.111.0..3.112.0');
    expect(again.stderr).toBe(`mirrord-regress: ${dir} already holds a bisect session (spawn-then-resolve, good 3.111.0, bad 3.112.0): continue it with --resume --out ${dir}, or choose another --out`);
  }, 240_000);

  it('--artifacts that the build does not fill: the probe says which --artifacts to give', async () => {
    const out = join(tmp, 'wrong-artifacts');
    const r = await regress(['bisect', '--git', repo, '--build', BUILD, '--artifacts', 'nowhere', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', shas[1]!, '--out', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`mirrord-regress: known-good ${shas[0]} could not be probed (skip), so the range cannot be checked: the build left no libmirrord_layer.so in --artifacts nowhere, but in ${join(target, 'release')}: give --artifacts ${join(target, 'release')}`);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

/** Live processes carrying `mark` in their environment: what a build left behind. */
function marked(mark: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`REGRESS_TEST_MARK=${mark}`)) continue;
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z') continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
    } catch {
      // gone
    }
  }
  return found;
}

describe.skipIf(skipLabTests)('bisect builds and sessions: nothing left, nothing taken', () => {
  let dir = '';
  let src = '';
  let remove = () => {};
  beforeAll(async () => {
    const t = tmpPkg.dirSync({ prefix: 'bisect-tree-', unsafeCleanup: true });
    dir = t.name;
    remove = t.removeCallback;
    src = join(dir, 'repo');
    await execa('git', ['init', '-q', src]);
    for (const n of [1, 2, 3]) {
      writeFileSync(join(src, 'NOTES'), `change ${n}\n`);
      await execa('git', ['-C', src, 'add', '-A']);
      await execa('git', ['-C', src, 'commit', '-q', '-m', `c${n}`], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    }
  });
  afterAll(() => remove());

  // Stops at STOP's existence, so a resumed session's build ends quickly.
  const hangingBuild = (stop: string) => `[ -e ${stop} ] || { sleep 300 & sleep 300; }; exit 1`;
  const start = (out: string, mark: string, stop: string) =>
    regressIn(dir, ['bisect', '--git', src, '--build', hangingBuild(stop), '--good', 'HEAD~2', '--bad', 'HEAD', '--scenario', 'spawn-then-resolve', '--out', out], { REGRESS_TEST_MARK: mark });

  it.skipIf(process.getuid?.() !== 0)('SIGKILL of the harness mid-build takes the whole build down; a second bisect on the session is refused while it runs, and takes it over after', async () => {
    const out = join(dir, 'killed');
    const mark = `kill-${process.pid}-${Date.now()}`;
    const stop = join(dir, 'stop-killed');
    const child = start(out, mark, stop);
    await eventually(() => marked(mark).filter((p) => / sleep 300 $/.test(p)).length === 2, 30_000, 'both sleeps of the build');
    const owner = JSON.parse(readFileSync(join(out, '.mirrord-regress.owner'), 'utf8'));
    const second = await regressIn(dir, ['bisect', '--resume', '--out', out]);
    expect(second.stderr).toBe(`mirrord-regress: ${out} is in use by another bisect run (pid ${child.pid}, since ${owner.since}): wait for it to finish, or choose another --out`);
    expect(second.exitCode).toBe(2);

    const killedAt = performance.now();
    child.kill('SIGKILL');
    await child;
    await eventually(() => marked(mark).length === 0, 2000, 'the build\'s processes to die with the harness');
    process.stderr.write(`build tree gone ${(performance.now() - killedAt).toFixed(0)} ms after SIGKILL of the harness\n`);

    writeFileSync(stop, '');
    const resumed = await regressIn(dir, ['bisect', '--resume', '--out', out]);
    // Not "in use": the dead harness's lock was taken over; the (now failing) build ends the search.
    expect(resumed.stderr.trim().split('\n').at(-1)).toMatch(/^mirrord-regress: known-good \w+ could not be probed \(skip\), so the range cannot be checked: build failed: exit 1$/);
    await execa('git', ['-C', src, 'worktree', 'prune']);
  }, 60_000);

  it('Ctrl-C mid-build stops the whole build and, with nothing probed, leaves no session', async () => {
    const out = join(dir, 'interrupted');
    const mark = `int-${process.pid}-${Date.now()}`;
    const child = start(out, mark, join(dir, 'never'));
    await eventually(() => marked(mark).filter((p) => / sleep 300 $/.test(p)).length === 2, 30_000, 'both sleeps of the build');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('interrupted before the first probe finished: nothing was recorded');
    await eventually(() => marked(mark).length === 0, 2000, 'the build\'s processes to be gone');
    expect(existsSync(out)).toBe(false);
    expect((await execa('git', ['-C', src, 'worktree', 'list'])).stdout.split('\n')).toHaveLength(1);
  }, 60_000);
});
