/**
 * The docker runner gives the same verdicts as the host runner: the default lab matrix on the
 * Ruby 3.1 image, compared cell by cell. On the Ruby 3.3 image, 3.112.0's bypass shows on
 * socket/connect (Ruby 3.3 resolves names on a separate thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateTmp, regress } from '../support/cli.ts';
import { skipDockerTests } from '../images/support/docker-gate.ts';
import type { ResultsFile } from '../../harness/model/result.ts';

const skip = await skipDockerTests('docker runner tests', ['3.1', '3.3']);
let tmp: ReturnType<typeof privateTmp>;
const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
const byCell = (f: ResultsFile) => new Map(f.cells.map((c) => [`${c.key.subject}/${c.key.strategy}/${c.key.scenario}/${c.key.runAs}`, c.verdict]));

describe.skipIf(skip)('docker runner', () => {
  beforeAll(async () => {
    tmp = privateTmp();
    // Build (or reuse) both images up front so the timed runs below measure runs, not builds.
    const r = await regress(['images', 'build', '--only', 'lab', '--ruby', '3.1,3.3']);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 300_000);
  afterAll(() => tmp?.dispose());

  it('default lab matrix: docker (Ruby 3.1) verdicts equal host verdicts, cell by cell', async () => {
    const [host, docker] = await Promise.all([
      regress(['matrix', '--out', join(tmp.dir, 'host')]),
      regress(['matrix', '--runner', 'docker', '--rubies', '3.1', '--out', join(tmp.dir, 'docker')]),
    ]);
    expect(host.exitCode, host.stderr).toBe(0);
    expect(docker.exitCode, docker.stderr).toBe(0);
    const h = byCell(read(join(tmp.dir, 'host')));
    const d = byCell(read(join(tmp.dir, 'docker')));
    expect(d.size).toBe(30);
    expect([...d.entries()]).toEqual([...h.entries()]);
    const cells = read(join(tmp.dir, 'docker')).cells;
    expect(cells.every((c) => c.platform.runner === 'docker:ruby3.1' && c.platform.ruby?.startsWith('3.1') && c.platform.image)).toBe(true);
    // Evidence works inside the container too: the hang is called as a deadlock, naming the futex.
    const hang = cells.find((c) => c.verdict === 'HANG')!;
    expect(hang.attempts[0]!.verdict.rule).toBe('deadlock');
    expect(hang.attempts[0]!.verdict.summary).toMatch(/^deadlocked after \d+\.\ds: ruby \(pid \d+\) in futex \(202\)/);
  }, 180_000);

  it('Ruby 3.3 image: 3.112.0 normal and forget are BYPASSED with socket/connect evidence, not DNS', async () => {
    const out = join(tmp.dir, 'r33');
    const r = await regress(['matrix', '--runner', 'docker', '--rubies', '3.3', '--subjects', 'lab@3.112.0', '--strategies', 'normal,forget', '--scenarios', 'spawn-then-resolve,spawn-threads', '--out', out]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const cells = read(out).cells.filter((c) => c.key.scenario === 'spawn-then-resolve' && c.key.runAs === 'unprivileged');
    expect(cells).toHaveLength(2);
    for (const cell of cells) {
      expect(cell.verdict).toBe('BYPASSED');
      expect(cell.platform.ruby).toMatch(/^3\.3/);
      const hooks = cell.attempts[0]!.verdict.evidence.flatMap((e) => (e.kind === 'hook-bypassed' ? [e.hook] : []));
      expect(hooks).toEqual(['socket', 'connect']);
    }
    // And the per-thread workload passes on 3.3: lookups never run on the spawning thread.
    expect(read(out).cells.filter((c) => c.key.scenario === 'spawn-threads').map((c) => c.verdict)).toEqual(['PASS', 'PASS']);
  }, 180_000);

  it('Ruby 3.3 image: the none HANG is called as a deadlock, its timer thread seen polling only its own eventfd', async () => {
    const r = await regress(['run', '--runner', 'docker', '--ruby-version', '3.3', '--subject', 'lab@3.112.0', '--strategy', 'none', '--scenario', 'spawn-then-resolve', '--timeout', '20000', '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const cell = JSON.parse(r.stdout) as ResultsFile['cells'][number];
    const a = cell.attempts[0]!;
    expect(a.verdict).toMatchObject({ kind: 'HANG', rule: 'deadlock' });
    expect(a.observation.timedOut).toBe(false);
    // Ruby's Timeout thread waits with a timeout until net/http's 3 s open_timeout passes; then nothing can move.
    expect(a.observation.deadlock!.atMs).toBeLessThan(10_000);
    const ruby = a.observation.stuck.find((p) => p.comm === 'ruby' && !p.helper)!;
    expect(ruby.threads?.some((t) => t.syscallName === 'epoll_wait')).toBe(true);
  }, 120_000);
});
