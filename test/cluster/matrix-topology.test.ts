/**
 * The default matrix through the cluster (lab@X: the lab as releases, agent pods, kube-dns, the
 * launcher's intproxy) gives the verdicts the lab's all-in-one exec gives (lab-exec@X), cell by cell,
 * with the layer's events and with `--evidence black-box` (judged from outside: the workload's report,
 * the cluster's logs, /proc, exit status).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateTmp, processesMentioning, regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';
import type { ResultsFile } from '../../harness/model/result.ts';

const t = privateTmp();

async function matrix(name: string, subjects: string[], extra: string[] = []): Promise<Map<string, { verdict: string; evidence: string[] }>> {
  const out = join(t.dir, name);
  const r = await regress(['matrix', '--subjects', subjects.join(','), '--out', out, ...extra], { env: t.env });
  expect(r.exitCode, r.stderr).toBe(0);
  const file = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  // Keyed by what the cells have in common: release, strategy, scenario, run-as.
  return new Map(file.cells.map((c) => [
    `${c.key.subject.replace(/^lab(-exec)?@/, '')}/${c.key.strategy ?? '-'}/${c.key.scenario}/${c.key.runAs}`,
    { verdict: c.verdict, evidence: c.attempts[0]!.verdict.evidence.map((e) => e.kind) },
  ]));
}

describe.skipIf(skipLabTests)('the default matrix through the cluster', () => {
  afterAll(t.dispose);

  it('same verdicts as lab-exec, cell by cell, with the layer\'s evidence and the cluster\'s beside it; the same again judged as a black box', async () => {
    const before = await matrix('exec', ['lab-exec@3.111.0', 'lab-exec@3.112.0', 'lab-exec@3.112.1']);
    const cluster = await matrix('cluster', ['lab@3.111.0', 'lab@3.112.0', 'lab@3.112.1']);
    const blackBox = await matrix('black-box', ['lab@3.111.0', 'lab@3.112.0', 'lab@3.112.1'], ['--evidence', 'black-box']);
    expect(before.size).toBe(30);
    expect([...cluster.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...blackBox.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, { verdict }] of before) {
      expect(cluster.get(key)?.verdict, key).toBe(verdict);
      expect(blackBox.get(key)?.verdict, `${key} (black box)`).toBe(verdict);
    }
    // Full evidence: the layer's (hooks, the guard's fingerprint) and the cluster's.
    const bypassed = cluster.get('3.112.0/normal/spawn-then-resolve/unprivileged')!;
    expect(bypassed.evidence).toEqual(expect.arrayContaining(['hook-bypassed', 'exec-guard-set', 'agent', 'cluster-dns', 'cluster-service']));
    // Black box: nothing from inside the layer, everything from outside.
    const seen = blackBox.get('3.112.0/normal/spawn-then-resolve/unprivileged')!;
    expect(seen.evidence).not.toContain('hook-bypassed');
    expect(seen.evidence).toEqual(expect.arrayContaining(['workload-failure', 'agent', 'cluster-dns']));
    expect(blackBox.get('3.112.0/none/spawn-then-resolve/unprivileged')!.evidence).toEqual(expect.arrayContaining(['deadlock', 'stuck-process', 'cluster-dns']));
    expect(processesMentioning(t.dir)).toEqual([]);
  }, 300_000);
});
