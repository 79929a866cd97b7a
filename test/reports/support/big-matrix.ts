/**
 * A generated 1,000-cell matrix for size and speed checks: 25 rows (five subject families of
 * 3.111.0, 3.112.0 x none/normal/forget, 3.112.1) x 40 columns (ten scenarios, unprivileged and
 * root, host and docker:ruby3.3). Verdicts follow the expectation table, with every 11th cell
 * flaky over 3 attempts and every 37th unexpected, evidence and output as recorded lab runs have.
 */
import type { CellKey, CellResult, ResultsFile, VerdictKind } from '../../../harness/model/result.ts';
import { attempt, cell, resultsFile } from '../../fixtures/results.ts';

const FAMILIES = ['', '-rc1', '-rc2', '-nightly', '-patched'];
const ROWS: Pick<CellKey, 'subject' | 'strategy'>[] = FAMILIES.flatMap((f) => [
  { subject: `lab@3.111.0${f}`, strategy: null },
  { subject: `lab@3.112.0${f}`, strategy: 'none' },
  { subject: `lab@3.112.0${f}`, strategy: 'normal' },
  { subject: `lab@3.112.0${f}`, strategy: 'forget' },
  { subject: `lab@3.112.1${f}`, strategy: null },
]);
const SCENARIOS = ['spawn-then-resolve', 'spawn-threads', 'spawn-via-system-env', 'spawn-via-shell', 'spawn-via-fork-exec', 'spawn-random-thread', 'spawn-popen', 'spawn-backticks', 'spawn-process-spawn', 'spawn-open3'];
const RUNNERS = ['host', 'docker:ruby3.3'];

const OTHER: Partial<Record<VerdictKind, VerdictKind>> = { PASS: 'BYPASSED', BYPASSED: 'PASS', HANG: 'CRASH' };

export function bigMatrix(): ResultsFile {
  const cells: CellResult[] = [];
  let n = 0;
  for (const row of ROWS) {
    for (const scenario of SCENARIOS) {
      for (const runAs of ['unprivileged', 'root'] as const) {
        for (const runner of RUNNERS) {
          n++;
          const key = { ...row, subject: row.subject.replace(/-.*$/, ''), scenario, runAs, runner };
          const base = cell({ key, platform: runner === 'host' ? {} : { ruby: '3.3.8', image: 'mirrord-regress/lab:ruby3.3' } });
          const verdict = base.verdict;
          const odd = OTHER[verdict] ?? 'ERROR';
          const kinds: VerdictKind[] = n % 37 === 0 ? [odd] : n % 11 === 0 ? [verdict, odd, verdict] : [verdict];
          const attempts = kinds.map((k, i) => attempt(k, { attempt: i + 1, observation: { user: runAs === 'root' ? 'root' : 'nobody' } }));
          const c = cell({ key, attempts, platform: base.platform });
          // The subject name carries the family, as a real matrix of several builds would.
          const subject = row.subject;
          cells.push({ ...c, key: { ...c.key, subject }, id: c.id.replace(/^[^/]+/, subject) });
        }
      }
    }
  }
  return resultsFile(cells);
}
