/**
 * The expected-verdict table (like lit's XFAIL): what each cell should show, predicted from the
 * mechanism in ../shared/upstream.md. A known-bad cell that shows the bug is *expected*. The
 * verdict rules never read this table; the harness only compares against it.
 *
 * First matching row wins. `*` matches anything; `ruby` matches a version prefix.
 */
import type { RunAs, Strategy, VerdictKind } from '../harness/model/result.ts';

export interface ExpectationRow {
  scenario: string | '*';
  subject: string | '*';
  strategy: Strategy | null | '*';
  runAs: RunAs | '*';
  ruby?: string;
  expect: VerdictKind[];
  because: string;
}

// Spawn methods whose child reaches execv/execve through the PLT from a vfork child.
const VFORK_EXEC = ['spawn-then-resolve', 'spawn-via-backticks', 'spawn-via-spawn', 'spawn-via-popen', 'spawn-via-open3', 'spawn-via-system-env'];

export const EXPECTATIONS: ExpectationRow[] = [
  { scenario: 'fixture-sleep-forever', subject: '*', strategy: '*', runAs: '*', expect: ['TIMEOUT'], because: 'the fixture sleeps in poll until killed: asleep, not deadlocked' },
  { scenario: 'fixture-deadlock', subject: '*', strategy: '*', runAs: '*', expect: ['HANG'], because: 'the fixture waits for a file lock it holds itself' },
  { scenario: 'fixture-kill-self', subject: '*', strategy: '*', runAs: '*', expect: ['CRASH'], because: 'the fixture SIGKILLs itself; the layer wrote no fatal event, so it is no bug evidence' },
  { scenario: 'fixture-kill-intproxy', subject: '*', strategy: '*', runAs: '*', expect: ['VANISHED'], because: 'the fixture SIGKILLs the intproxy mid-session' },
  { scenario: '*', subject: '*', strategy: '*', runAs: 'root', expect: ['PASS'], because: 'as root Ruby forks instead of vforking: no TLS is shared' },
  { scenario: '*', subject: 'lab@3.111.0', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.111.0 has no Linux exec hooks' },
  { scenario: '*', subject: 'lab@3.112.1', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.112.1 removed the guard and copies the socket table before exec' },
  { scenario: 'spawn-via-shell', subject: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'shell strings reach exec through execl, which no preload hook sees' },
  { scenario: 'spawn-via-fork-exec', subject: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'fork copies TLS: the child\'s guard never reaches the parent' },
  ...VFORK_EXEC.map((scenario): ExpectationRow => ({
    scenario, subject: 'lab@3.112.0', strategy: 'none', runAs: '*', expect: ['HANG'],
    because: 'no guard, but the socket table read lock leaks across exec; the next socket() waits forever',
  })),
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: 'spawn-random-thread', subject: 'lab@3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', expect: ['BYPASSED', 'PASS'],
    because: 'the stuck guard is met only when the random resolving thread is the one that spawned',
  })),
  { scenario: 'spawn-threads', subject: 'lab@3.112.0', strategy: 'none', runAs: '*', expect: ['PASS'], because: 'no guard leaks, and lookups never write the socket table' },
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: 'spawn-threads', subject: 'lab@3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', ruby: '3.3', expect: ['PASS'],
    because: 'Ruby 3.3 resolves each name on a fresh pthread, so the stuck guard never meets getaddrinfo, and this workload opens no socket',
  })),
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: '*', subject: 'lab@3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', expect: ['BYPASSED'],
    because: `the ${strategy} guard set in a vfork child stays set on the spawning thread`,
  })),
  { scenario: '*', subject: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'no known regression for this cell' },
];

export interface ExpectationQuery {
  scenario: string;
  subject: string;
  strategy: Strategy | null;
  runAs: RunAs;
  ruby?: string;
}

export function expectationFor(q: ExpectationQuery, table: ExpectationRow[] = EXPECTATIONS): { expect: VerdictKind[]; because: string } {
  const row = table.find(
    (r) =>
      (r.scenario === '*' || r.scenario === q.scenario) &&
      (r.subject === '*' || r.subject === q.subject) &&
      (r.strategy === '*' || r.strategy === q.strategy) &&
      (r.runAs === '*' || r.runAs === q.runAs) &&
      (r.ruby === undefined || (q.ruby ?? '').startsWith(r.ruby)),
  );
  return row ? { expect: row.expect, because: row.because } : { expect: [], because: 'no row of scenarios/expectations.ts matches' };
}
