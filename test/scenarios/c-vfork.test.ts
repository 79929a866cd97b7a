/**
 * The C vfork probe (scenarios/c/vfork_probe.c): the program on its own (its report, --children, its
 * one-line failures), the harness's build of it, and real matrices through the CLI against the lab as
 * releases, with the layer's evidence and judged as a black box.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildCProgram, NO_CC } from '../../harness/pipeline/c-workload.ts';
import { EnvironmentError } from '../../harness/cli/errors.ts';
import type { CellResult, EvidenceItem, ResultsFile, WorkloadStep } from '../../harness/model/result.ts';
import { parseReport } from '../../harness/observe/report.ts';
import { C_VFORK } from '../../scenarios/expectations.ts';
import { privateTmp, processesMentioning, regress } from '../support/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { skipCLabTests, skipCTests } from '../support/requirements.ts';

const SOURCE_DIR = join(REPO_ROOT, 'scenarios', 'c');
const scratch = mkdtempSync(join(tmpdir(), 'regress-c-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('building the probe', () => {
  it('without cc on PATH: the one line that says how to get one', () => {
    let error: unknown;
    try {
      buildCProgram({ sourceDir: SOURCE_DIR, outDir: join(scratch, 'no-cc'), source: 'vfork_probe.c', env: { PATH: join(scratch, 'empty') } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).message).toBe(NO_CC);
    expect((error as EnvironmentError).message).toBe('a C compiler is needed for the C vfork scenario: apt-get install -y gcc');
    expect((error as EnvironmentError).code).toBe('NO_CC');
  });

  it('through the CLI: one line, exit 2, no stage left behind', async () => {
    const t = privateTmp();
    try {
      const r = await regress(['run', '--subject', 'lab-exec@3.112.0', '--scenario', C_VFORK], { env: { ...t.env, PATH: join(scratch, 'empty') } });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`mirrord-regress: ${NO_CC}`);
      expect(r.stdout).toBe('');
      expect(readdirSync(t.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
    } finally {
      t.dispose();
    }
  });
});

describe.skipIf(skipCTests)('the probe on its own', () => {
  let probe: string;
  let server: Server;
  let port: number;
  const run = async (args: string[]) => {
    const report = join(scratch, `report-${Math.random().toString(36).slice(2)}.jsonl`);
    const child = execa(probe, args, { reject: false, env: { MIRRORD_REGRESS_REPORT: report }, extendEnv: false });
    const pid = child.pid;
    const r = await child;
    let steps: WorkloadStep[] = [];
    try {
      steps = parseReport(readFileSync(report, 'utf8'));
    } catch {
      // no report written
    }
    return { ...r, pid, steps };
  };

  it('builds without a warning under -Wall -Wextra, also as strict C99', async () => {
    for (const std of [[], ['-std=c99', '-pedantic']]) {
      const r = await execa('cc', ['-O2', '-Wall', '-Wextra', ...std, '-o', join(scratch, 'strict'), join(SOURCE_DIR, 'vfork_probe.c')], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    probe = buildCProgram({ sourceDir: SOURCE_DIR, outDir: join(scratch, 'c'), source: 'vfork_probe.c' });
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server?.close());

  it('reports every step as the Ruby workloads do, honours --children, exits 0', async () => {
    const r = await run(['--children', '3', '--host', '127.0.0.1', '--port', String(port)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('vfork_probe: children=3 lookups ok=2/2 http=ok');
    expect(r.steps.map((s) => [s.step, s.phase, s.ok])).toEqual([
      ['lookup', 'before', true],
      ['spawn', undefined, true],
      ['lookup', 'after', true],
      ['connect', undefined, true],
      ['http', undefined, true],
    ]);
    for (const s of r.steps) {
      expect(s).toMatchObject({ workload: 'vfork_probe', thread: 'main', pid: r.pid, tid: r.pid });
      expect(typeof s.t_ns).toBe('number');
    }
    expect(r.steps[0]).toMatchObject({ host: '127.0.0.1', addresses: ['127.0.0.1'] });
    expect(r.steps[1]).toMatchObject({ method: 'vfork_execve', children: 3, failed: 0 });
    expect(r.steps[3]).toMatchObject({ host: '127.0.0.1', address: '127.0.0.1', port });
    expect(r.steps[4]).toMatchObject({ url: `http://127.0.0.1:${port}/`, status: 200 });
  });

  it('the first failure: its step with the libc message, one stderr line, exit 1', async () => {
    const exec = await run(['--children', '2', '--host', '127.0.0.1', '--program', join(scratch, 'missing')]);
    expect(exec.exitCode).toBe(1);
    expect(exec.stderr).toBe(`vfork_probe: spawning 2 children with vfork+execve failed: execve ${join(scratch, 'missing')} failed in the child (exit 127)`);
    expect(exec.steps.map((s) => s.step)).toEqual(['lookup', 'spawn']);
    expect(exec.steps[1]).toMatchObject({ ok: false, children: 2, failed: 2, error: 'child' });

    server.close();
    await new Promise((r) => setTimeout(r, 50));
    const refused = await run(['--children', '1', '--host', '127.0.0.1', '--port', String(port)]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(`vfork_probe: connect to 127.0.0.1 port ${port} failed: connect: Connection refused`);
    expect(refused.steps.at(-1)).toMatchObject({ step: 'connect', ok: false, error: 'connect', message: 'connect: Connection refused' });
  });

  it('bad usage: exit 2', async () => {
    for (const args of [['--children', '0'], ['--children', 'x'], ['--port', '0'], ['--nope', '1'], ['--children']]) {
      const r = await run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.steps).toEqual([]);
    }
  });
});

type Cells = Map<string, CellResult>;

/** A matrix of the lab's three releases on the probe, keyed `release/strategy/run-as`. */
async function probeMatrix(dir: string, env: Record<string, string>, extra: string[] = []): Promise<Cells> {
  const r = await regress(['matrix', '--subjects', 'lab@3.111.0,lab@3.112.0,lab@3.112.1', '--scenarios', C_VFORK, '--out', dir, ...extra], { env });
  expect(r.exitCode, r.stderr).toBe(0);
  const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
  return new Map(file.cells.map((c) => [`${c.key.subject.replace('lab@', '')}/${c.key.strategy ?? '-'}/${c.key.runAs}`, c]));
}

const EXPECTED: Record<string, string> = {
  '3.111.0/-/unprivileged': 'PASS', '3.111.0/-/root': 'PASS',
  '3.112.0/none/unprivileged': 'HANG', '3.112.0/none/root': 'HANG',
  '3.112.0/normal/unprivileged': 'BYPASSED', '3.112.0/normal/root': 'BYPASSED',
  '3.112.0/forget/unprivileged': 'BYPASSED', '3.112.0/forget/root': 'BYPASSED',
  '3.112.1/-/unprivileged': 'PASS', '3.112.1/-/root': 'PASS',
};

const evidence = <K extends EvidenceItem['kind']>(c: CellResult, kind: K) =>
  c.attempts[0]!.verdict.evidence.filter((e): e is Extract<EvidenceItem, { kind: K }> => e.kind === kind);

describe.skipIf(skipCLabTests)('c-vfork-then-resolve against the lab as releases', () => {
  const t = privateTmp();
  afterAll(t.dispose);

  it('every cell as expected; 3.112.0 normal bypasses getaddrinfo on the main thread, root and unprivileged alike', async () => {
    const cells = await probeMatrix(join(t.dir, 'layer'), t.env);
    expect(Object.fromEntries([...cells].map(([k, c]) => [k, c.verdict]))).toEqual(EXPECTED);
    for (const [key, c] of cells) expect(c.matchesExpectation, key).toBe(true);
    for (const runAs of ['unprivileged', 'root']) {
      const c = cells.get(`3.112.0/normal/${runAs}`)!;
      const report = c.attempts[0]!.observation.report;
      const after = report.find((s) => s.step === 'lookup' && s.phase === 'after')!;
      expect(after, runAs).toMatchObject({ ok: false, thread: 'main', host: 'db.default.svc.cluster.local', message: 'getaddrinfo: Temporary failure in name resolution' });
      const [bypassed] = evidence(c, 'hook-bypassed');
      expect(bypassed, runAs).toMatchObject({ hook: 'getaddrinfo', count: 1, tids: [after.tid], names: ['db.default.svc.cluster.local'] });
      // The first child set the guard; the other 19 entered the exec hook with it already set.
      const [guard] = evidence(c, 'exec-guard-set');
      expect(guard, runAs).toMatchObject({ count: 19, paths: ['/bin/true'] });
      expect(c.attempts[0]!.observation.user).toBe(runAs === 'root' ? 'root' : 'nobody');
    }
    const hang = cells.get('3.112.0/none/root')!;
    expect(evidence(hang, 'deadlock')).toHaveLength(1);
    expect(hang.attempts[0]!.observation.report.map((s) => s.step)).toEqual(['lookup', 'spawn', 'lookup']);
    expect(processesMentioning(t.dir)).toEqual([]);
  }, 120_000);

  it('judged as a black box: BYPASSED from the escaped lookup, the rest the same', async () => {
    const cells = await probeMatrix(join(t.dir, 'black-box'), t.env, ['--evidence', 'black-box']);
    expect(Object.fromEntries([...cells].map(([k, c]) => [k, c.verdict]))).toEqual(EXPECTED);
    for (const runAs of ['unprivileged', 'root']) {
      const c = cells.get(`3.112.0/normal/${runAs}`)!;
      expect(c.attempts[0]!.verdict.rule).toBe('escaped');
      expect(evidence(c, 'hook-bypassed')).toEqual([]);
      expect(evidence(c, 'workload-failure')).toEqual([
        { kind: 'workload-failure', step: 'lookup (after)', thread: 'main', message: 'getaddrinfo: Temporary failure in name resolution' },
      ]);
    }
    expect(processesMentioning(t.dir)).toEqual([]);
  }, 120_000);
});
