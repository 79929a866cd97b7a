/** Two shards merged give the same cells and verdicts as one unsharded run. */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateTmp, regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';
import type { ResultsFile } from '../../harness/model/result.ts';

const tmp = privateTmp();
const MATRIX = ['matrix', '--subjects', 'lab@3.111.0,lab@3.112.0', '--strategies', 'normal,forget', '--scenarios', 'spawn-then-resolve,spawn-via-shell'];
const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
const verdicts = (f: ResultsFile) => f.cells.map((c) => `${c.id}=${c.verdict}`);

describe.skipIf(skipLabTests)('matrix --shard + report merge', () => {
  afterAll(tmp.dispose);

  it('merging shards equals the unsharded run', async () => {
    const whole = join(tmp.dir, 'whole');
    const [a, b, c] = await Promise.all([
      regress([...MATRIX, '--out', whole, '--jobs', '1']),
      regress([...MATRIX, '--shard', '1/2', '--out', join(tmp.dir, 's1'), '--jobs', '1']),
      regress([...MATRIX, '--shard', '2/2', '--out', join(tmp.dir, 's2'), '--jobs', '1']),
    ]);
    expect([a.exitCode, b.exitCode, c.exitCode], a.stderr + b.stderr + c.stderr).toEqual([0, 0, 0]);
    const s1 = read(join(tmp.dir, 's1'));
    expect(s1.shard).toEqual({ index: 1, total: 2 });
    expect(s1.cells.length).toBeLessThan(read(whole).cells.length);

    const merged = join(tmp.dir, 'merged');
    const m = await regress(['report', 'merge', join(tmp.dir, 's1', 'results.json'), join(tmp.dir, 's2', 'results.json'), '--out', merged]);
    expect(m.exitCode, m.stderr).toBe(0);
    expect(verdicts(read(merged))).toEqual(verdicts(read(whole)));
    expect(read(merged).plan).toEqual(read(whole).plan);
    // 3 subjects rows (3.111.0, 3.112.0 normal, forget) x (spawn-then-resolve as nobody and root, shell)
    expect(read(whole).cells).toHaveLength(9);
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8')).toMatch(/<testsuite[^>]* tests="9"/);
  });

  it('merging one shard alone says which cells are missing', async () => {
    const r = await regress(['report', 'merge', join(tmp.dir, 's1', 'results.json'), '--out', join(tmp.dir, 'm2')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing/);
  });
});
