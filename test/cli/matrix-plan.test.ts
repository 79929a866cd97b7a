/**
 * `matrix --plan` through the real CLI: every planned cell with what the table expects and why, a
 * count line, exit 0, and nothing run. It is spawned with a PATH that holds no ruby, cargo, docker or
 * cc, no engine socket, a fresh TMPDIR, cache and working directory: a plan that needed any of them,
 * or left anything behind, fails here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { defaultScenarios } from '../../scenarios/index.ts';
import { C_VFORK, expectationFor } from '../../scenarios/expectations.ts';
import { cellId, STRATEGIES, type CellKey, type Strategy } from '../../harness/model/result.ts';
import { BIN } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'regress-plan-'));
const dirs = { path: join(root, 'bin'), tmp: join(root, 'tmp'), cwd: join(root, 'cwd'), cache: join(root, 'cache') };
for (const d of [dirs.path, dirs.tmp, dirs.cwd]) mkdirSync(d);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DEFAULT_SUBJECTS = ['lab@3.111.0', 'lab@3.112.0', 'lab@3.112.1'];

async function plan(args: string[]) {
  const r = await execa(process.execPath, [BIN, 'matrix', ...args], {
    reject: false,
    cwd: dirs.cwd,
    extendEnv: false,
    env: {
      PATH: dirs.path,
      TMPDIR: dirs.tmp,
      MIRRORD_REGRESS_CACHE: dirs.cache,
      MIRRORD_REGRESS_DOCKER_SOCKET: join(root, 'no-engine.sock'),
      MIRRORD_REGRESS_RELEASE_BASE: 'http://127.0.0.1:9',
    },
  });
  // Nothing claimed, staged, cached or built.
  expect(readdirSync(dirs.cwd)).toEqual([]);
  expect(readdirSync(dirs.tmp).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  expect(existsSync(dirs.cache)).toBe(false);
  return { ...r, lines: r.stdout === '' ? [] : r.stdout.split('\n') };
}

/** The cells a real run plans, in its order: runner, subject, strategy, scenario, run-as. */
function cells(opts: { subjects?: string[]; scenarios?: { id: string; runAs: string[] }[]; runners?: string[]; strategies?: readonly Strategy[] } = {}): CellKey[] {
  const keys: CellKey[] = [];
  for (const runner of opts.runners ?? ['host']) {
    for (const subject of opts.subjects ?? DEFAULT_SUBJECTS) {
      const strategies: (Strategy | null)[] = subject === 'lab@3.112.0' ? [...(opts.strategies ?? STRATEGIES)] : [null];
      for (const strategy of strategies) {
        for (const s of opts.scenarios ?? defaultScenarios()) {
          for (const runAs of s.runAs) keys.push({ subject, strategy, scenario: s.id, runAs: runAs as CellKey['runAs'], runner });
        }
      }
    }
  }
  return keys;
}

const said = (e: { expect: string[]; because: string }) => (e.expect.length ? `expect ${e.expect.join(' or ')} (${e.because})` : `no expectation (${e.because})`);

describe('matrix --plan', () => {
  it('the default plan: 30 lines, each what the table says of its cell, then the count; exit 0', async () => {
    const r = await plan(['--plan']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const keys = cells();
    expect(keys).toHaveLength(30);
    expect(r.lines).toHaveLength(31);
    keys.forEach((key, i) => {
      const line = r.lines[i]!;
      const e = expectationFor({ ...key, platform: process.platform });
      expect(line.startsWith(`${cellId(key)}: ${said(e)}`), line).toBe(true);
      // The host's Ruby is only known once it runs: where Ruby 3.3 changes the answer, the line says so.
      const on33 = expectationFor({ ...key, ruby: '3.3', platform: process.platform });
      expect(line.slice(`${cellId(key)}: ${said(e)}`.length)).toBe(on33.because === e.because ? '' : `; on Ruby 3.3: ${said(on33)}`);
    });
    expect(r.lines[0]).toBe('lab@3.111.0/-/spawn-then-resolve/unprivileged/host: expect PASS (3.111.0 has no Linux exec hooks)');
    expect(r.lines).toContain('lab@3.112.0/normal/spawn-then-resolve/unprivileged/host: expect BYPASSED (the normal guard set in a vfork child stays set on the spawning thread)');
    expect(r.lines.at(-1)).toBe(`30 cells planned for ${process.platform}; nothing was run`);
  });

  it('--platform darwin: PASS for every Ruby cell, no expectation for the C probe', async () => {
    const scenarios = [...defaultScenarios(), { id: C_VFORK, runAs: ['unprivileged', 'root'] }];
    const r = await plan(['--plan', '--platform', 'darwin', '--scenarios', scenarios.map((s) => s.id).join(',')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const keys = cells({ scenarios });
    expect(r.lines).toHaveLength(keys.length + 1);
    keys.forEach((key, i) => {
      expect(r.lines[i]).toBe(key.scenario === C_VFORK
        ? `${cellId(key)}: no expectation (not measured on macOS yet: whether a direct vfork() + execve() leaks the guard of the macOS layer's execve hook needs a macOS runner)`
        : `${cellId(key)}: expect PASS (on macOS Ruby always forks: CRuby's configure sets ac_cv_func_vfork=no on darwin, so no TLS is shared)`);
    });
    const probes = keys.filter((k) => k.scenario === C_VFORK).length;
    expect(probes).toBe(10);
    expect(r.lines.at(-1)).toBe(`${keys.length} cells planned for darwin, ${probes} without expectation; nothing was run`);
  });

  it('the C probe on Linux: BYPASSED as root too, HANG without a guard', async () => {
    const r = await plan(['--plan', '--platform', 'linux', '--subjects', 'lab@3.112.0', '--strategies', 'none,normal', '--scenarios', C_VFORK]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.lines.map((l) => l.replace(/ \(.*$/, ''))).toEqual([
      'lab@3.112.0/none/c-vfork-then-resolve/unprivileged/host: expect HANG',
      'lab@3.112.0/none/c-vfork-then-resolve/root/host: expect HANG',
      'lab@3.112.0/normal/c-vfork-then-resolve/unprivileged/host: expect BYPASSED',
      'lab@3.112.0/normal/c-vfork-then-resolve/root/host: expect BYPASSED',
      '4 cells planned for linux; nothing was run',
    ]);
  });

  it('--runner docker --rubies 3.1,3.3 without an engine: the Ruby of each cell from its runner\'s name', async () => {
    const r = await plan(['--plan', '--platform', 'linux', '--runner', 'docker', '--rubies', '3.1,3.3']);
    expect(r.exitCode, r.stderr).toBe(0);
    const keys = cells({ runners: ['docker:ruby3.1', 'docker:ruby3.3'] });
    expect(r.lines).toHaveLength(61);
    keys.forEach((key, i) => {
      expect(r.lines[i]).toBe(`${cellId(key)}: ${said(expectationFor({ ...key, ruby: key.runner.replace('docker:ruby', ''), platform: 'linux' }))}`);
    });
    expect(r.lines).toContain('lab@3.112.0/normal/spawn-threads/unprivileged/docker:ruby3.1: expect BYPASSED (the normal guard set in a vfork child stays set on the spawning thread)');
    expect(r.lines).toContain('lab@3.112.0/normal/spawn-threads/unprivileged/docker:ruby3.3: expect PASS (Ruby 3.3 resolves each name on a fresh pthread, so the stuck guard never meets getaddrinfo, and this workload opens no socket)');
  });

  it('honours --subjects, --strategies, --scenarios and --shard as a real run does; mirrord@X needs only its pins', async () => {
    const whole = await plan(['--plan', '--subjects', 'lab@3.112.0,mirrord@3.112.0,lab-exec@3.111.0', '--strategies', 'normal,forget', '--scenarios', 'spawn-then-resolve,spawn-via-shell']);
    expect(whole.exitCode, whole.stderr).toBe(0);
    const ids = whole.lines.slice(0, -1).map((l) => l.split(': ')[0]);
    expect(ids).toEqual([
      'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host',
      'lab@3.112.0/normal/spawn-then-resolve/root/host',
      'lab@3.112.0/normal/spawn-via-shell/unprivileged/host',
      'lab@3.112.0/forget/spawn-then-resolve/unprivileged/host',
      'lab@3.112.0/forget/spawn-then-resolve/root/host',
      'lab@3.112.0/forget/spawn-via-shell/unprivileged/host',
      // The checked-in pins list no variants: the release runs with what it shipped.
      'mirrord@3.112.0/normal/spawn-then-resolve/unprivileged/host',
      'mirrord@3.112.0/normal/spawn-then-resolve/root/host',
      'mirrord@3.112.0/normal/spawn-via-shell/unprivileged/host',
      'lab-exec@3.111.0/-/spawn-then-resolve/unprivileged/host',
      'lab-exec@3.111.0/-/spawn-then-resolve/root/host',
      'lab-exec@3.111.0/-/spawn-via-shell/unprivileged/host',
    ]);
    for (const [i, n] of [[1, 3], [2, 3], [3, 3]] as const) {
      const shard = await plan(['--plan', '--subjects', 'lab@3.112.0,mirrord@3.112.0,lab-exec@3.111.0', '--strategies', 'normal,forget', '--scenarios', 'spawn-then-resolve,spawn-via-shell', '--shard', `${i}/${n}`]);
      expect(shard.exitCode, shard.stderr).toBe(0);
      expect(shard.lines.slice(0, -1)).toEqual(whole.lines.slice(0, -1).filter((_, j) => j % n === i - 1));
      expect(shard.lines.at(-1)).toBe(`4 cells planned for ${process.platform} (shard ${i}/${n} of 12); nothing was run`);
    }
  });

  it('bad options fail the plan as they fail a real run: one line, exit 2', async () => {
    for (const [args, line] of [
      [['--strategies', 'strong'], /^mirrord-regress: .*strong/],
      [['--scenarios', 'nope'], /^mirrord-regress: unknown scenario "nope"; known: /],
      [['--subjects', 'lab@9.9.9'], /^mirrord-regress: unknown subject "lab@9.9.9"/],
      [['--rubies', '3.3'], /^mirrord-regress: a Ruby version applies to --runner docker only/],
      [['--runner', 'docker', '--rubies', '2.7'], /^mirrord-regress: unknown Ruby version "2.7"/],
      [['--shard', '3/2'], /^mirrord-regress: malformed --shard "3\/2"/],
      [['--platform', 'windows'], /--platform.*windows.*linux, darwin/],
      [['--subjects', 'mirrord@3.112.0', '--strategies', 'none'], /^mirrord-regress: the matrix is empty/],
    ] as const) {
      const r = await plan(['--plan', ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line);
    }
  });

  it('a real run for another platform is refused in one line, before anything is claimed', async () => {
    const other = process.platform === 'darwin' ? 'linux' : 'darwin';
    const r = await plan(['--platform', other]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mirrord-regress: --platform ${other}: this machine runs ${process.platform}, so a real run can only show ${process.platform}'s verdicts (add --plan to see what ${other} should show)`);
  });
});
