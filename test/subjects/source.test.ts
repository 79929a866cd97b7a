/**
 * mirrord-src: subjects and `bisect --git` on a small git repository of our own whose exec hook has the
 * real guard line's shape (`let _guard = DetourGuard::new();`): the lab's sources, where one commit adds
 * that line to the 3.112.1 exec hook. Strategies are builds of that commit with the line edited; real
 * cargo builds in scratch worktrees, cached per (commit, edit, build command).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import tmp from 'tmp';
import { regress } from '../support/cli.ts';
import { copyLabSources } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';
import type { ResultsFile } from '../../harness/model/result.ts';

let dir = '';
let repo = '';
let remove = () => {};
const shas: string[] = [];
const git = async (...args: string[]) => (await execa('git', ['-C', repo, ...args], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } })).stdout.trim();

describe.skipIf(skipLabTests)('mirrord-src: strategies as builds of a checkout', () => {
  let env: Record<string, string> = {};
  let build = '';
  beforeAll(async () => {
    const t = tmp.dirSync({ prefix: 'source-', unsafeCleanup: true });
    dir = t.name;
    remove = t.removeCallback;
    repo = join(dir, 'repo');
    copyLabSources(repo);
    writeFileSync(join(repo, '.gitignore'), 'target/\nout/\n');
    await execa('git', ['init', '-q', repo]);
    await git('add', '-A');
    await git('commit', '-q', '-m', 'c0: 3.112.1 as released');
    shas.push(await git('rev-parse', 'HEAD'));
    const hooks = join(repo, 'layer', 'src', 'exec_hooks.rs');
    const text = readFileSync(hooks, 'utf8');
    const at = '    let mut copy = [(0 as c_int';
    if (!text.includes(at)) throw new Error('test setup: the 3.112.1 exec hook changed');
    writeFileSync(hooks, text.replace(at, `    let _guard = DetourGuard::new();\n${at}`));
    await git('commit', '-q', '-am', 'c1: hold a guard in the exec hook');
    shas.push(await git('rev-parse', 'HEAD'));
    env = { MIRRORD_REGRESS_CACHE: join(dir, 'cache') };
    // The lab builds its CLI and agent too, so no release is needed for them.
    build = `CARGO_TARGET_DIR=${join(dir, 'target')} cargo build --release --quiet`;
  }, 60_000);
  afterAll(() => remove());

  it('builds the three strategies of the commit with the guard line: none PASS, normal and forget BYPASSED, judged from outside', async () => {
    const out = join(dir, 'm');
    const r = await regress(['matrix', '--subjects', `mirrord-src:${repo}@${shas[1]!.slice(0, 8)}`, '--build', build, '--scenarios', 'spawn-then-resolve', '--strategies', 'none,normal,forget', '--jobs', '1', '--out', out], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const s of ['none', 'normal', 'forget']) expect(r.stderr).toContain(`building ${shas[1]!.slice(0, 12)} with strategy ${s}`);
    const file = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    const verdicts = Object.fromEntries(file.cells.filter((c) => c.key.runAs === 'unprivileged').map((c) => [c.key.strategy, c.verdict]));
    expect(verdicts).toEqual({ none: 'PASS', normal: 'BYPASSED', forget: 'BYPASSED' });
    const cell = file.cells.find((c) => c.key.strategy === 'normal' && c.key.runAs === 'unprivileged')!;
    expect(cell.key.subject).toBe(`mirrord-src:${repo}@${shas[1]!.slice(0, 12)}`);
    expect(cell.attempts[0]!.observation.evidenceSource).toBe('black-box');
    expect(cell.expected).toEqual([]); // a build of version 0.1.0: no release the table predicts
    // Run again: every build comes from the cache.
    const again = await regress(['run', '--subject', `mirrord-src:${repo}@${shas[1]}`, '--build', build, '--strategy', 'forget', '--scenario', 'spawn-then-resolve'], { env });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).not.toMatch(/building/);
  }, 600_000);

  it('a commit whose exec hook has no guard line has no strategy to choose: one line, exit 2', async () => {
    const r = await regress(['run', '--subject', `mirrord-src:${repo}@${shas[0]}`, '--build', build, '--strategy', 'none', '--scenario', 'spawn-then-resolve'], { env });
    expect(r.stderr.trim()).toBe(`mirrord-regress: mirrord-src:${repo}@${shas[0]!.slice(0, 12)} has no guard strategy to choose (only 3.112.0's exec hook holds a guard)`);
    expect(r.exitCode).toBe(2);
  });

  it('bisect --git over builds that look like mirrord\'s (mirrord, mirrord-agent, the layer) finds the commit that added the guard line', async () => {
    const mirrordShaped = `${build} && mkdir -p out && cp ${join(dir, 'target', 'release')}/libmirrord_layer.so ${join(dir, 'target', 'release')}/mirrord-agent out/ && cp ${join(dir, 'target', 'release')}/mirrord-lab out/mirrord`;
    const r = await regress(['bisect', '--git', repo, '--build', mirrordShaped, '--artifacts', 'out', '--scenario', 'spawn-then-resolve', '--good', shas[0]!, '--bad', shas[1]!, '--out', join(dir, 'bisect')], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^first bad: ${shas[1]!.slice(0, 7)}\\w* c1: hold a guard in the exec hook`, 'm'));
    // Judged from outside: the escape, not a hook tally.
    expect(r.stderr).toMatch(/BYPASSED — \d+ cluster calls? escaped to the laptop/);
  }, 600_000);
});
