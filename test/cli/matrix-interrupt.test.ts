/**
 * Ctrl-C in the middle of a matrix leaves no process and no temp dir; SIGKILL of the harness, then
 * --resume, finishes only the missing cells.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, privateTmp, processesMentioning, regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';
import type { ResultsFile } from '../../harness/model/result.ts';

const tmp = privateTmp();

describe.skipIf(skipLabTests)('interrupting a matrix', () => {
  afterAll(tmp.dispose);

  it('SIGINT mid-run: exit 130, nothing left running, no temp dir left', async () => {
    const out = join(tmp.dir, 'int-out');
    // A cell that sleeps until its (long) timeout: a deadlock would be called at once, a sleeper
    // is not, so only the interrupt can cut it short.
    const child = regress(['matrix', '--subjects', 'lab@3.112.1', '--scenarios', 'fixture-sleep-forever', '--timeout', '60000', '--out', out], { env: tmp.env });
    await eventually(() => processesMentioning(tmp.dir).some((p) => /sleep_forever\.rb/.test(p)), 15_000, 'the workload to start');
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    await eventually(() => processesMentioning(tmp.dir).length === 0, 3000, 'every process to be gone');
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  });

  it('SIGINT while the cluster is still starting: exit 130 at once, not after the cell\'s timeout; nothing left', async () => {
    const out = join(tmp.dir, 'early-int-out');
    const child = regress(['matrix', '--subjects', 'lab@3.112.1', '--scenarios', 'fixture-sleep-forever', '--timeout', '60000', '--out', out], { env: tmp.env });
    await eventually(() => processesMentioning(tmp.dir).some((p) => /node-init\.sh/.test(p)), 15_000, 'the cluster\'s node to start');
    const sent = performance.now();
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(performance.now() - sent).toBeLessThan(10_000);
    await eventually(() => processesMentioning(tmp.dir).length === 0, 3000, 'every process to be gone');
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  });

  it('SIGKILL mid-run, then --resume: the chain dies with the harness, and only missing cells run', async () => {
    const out = join(tmp.dir, 'kill-out');
    const args = ['matrix', '--subjects', 'lab@3.111.0,lab@3.112.1', '--scenarios', 'spawn-then-resolve,spawn-threads,spawn-via-fork-exec', '--jobs', '1', '--out', out];
    const child = regress(args, { env: tmp.env });
    const results = join(out, 'results.json');
    const read = () => JSON.parse(readFileSync(results, 'utf8')) as ResultsFile;
    await eventually(() => existsSync(results) && read().cells.length >= 2, 30_000, 'two finished cells');
    child.kill('SIGKILL');
    await child;
    const before = read();
    expect(before.cells.length).toBeLessThan(8);
    // Parent-death signals take down the sandbox chain: no workload or intproxy outlives the harness.
    await eventually(() => processesMentioning(tmp.dir).length === 0, 3000, 'orphans to die');

    const r = await regress([...args, '--resume'], { env: tmp.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const after = read();
    expect(after.cells).toHaveLength(8);
    for (const cell of before.cells) {
      // Finished cells were not run again: their attempts are the very same.
      expect(after.cells.find((c) => c.id === cell.id)?.attempts[0]?.startedAt).toBe(cell.attempts[0]?.startedAt);
    }
    expect(r.stderr).toMatch(new RegExp(`${before.cells.length} already done \\(resumed\\)`));
    // The stage of the killed run was swept at the next start.
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  });
});
