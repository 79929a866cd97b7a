/**
 * The expected-verdict table (like lit's XFAIL): what each cell should show, predicted from the
 * mechanism in ../shared/upstream.md. A known-bad cell that shows the bug is *expected*. The
 * verdict rules never read this table; the harness only compares against it.
 *
 * First matching row wins. `*` matches anything; `ruby` matches a version prefix. Rows name the mirrord
 * release a subject is or mirrors (`release`), so one prediction covers the lab run as a release
 * (lab@X), the lab's all-in-one exec (lab-exec@X) and the real release (mirrord@X). A row with
 * `expect: []` says that nothing is predicted (yet): such a cell is neither expected nor unexpected.
 */
import type { RunAs, Strategy, VerdictKind } from '../harness/model/result.ts';

/** The platforms rows can name: where the workload runs (`process.platform`). */
export type ExpectationPlatform = 'linux' | 'darwin';

export interface ExpectationRow {
  scenario: string | '*';
  /** Where the cell runs. @default any platform */
  platform?: ExpectationPlatform;
  /** The mirrord release the subject is or mirrors. */
  release: string | '*';
  strategy: Strategy | null | '*';
  runAs: RunAs | '*';
  ruby?: string;
  expect: VerdictKind[];
  because: string;
}

// Spawn methods whose child reaches execv/execve through the PLT from a vfork child.
const VFORK_EXEC = ['spawn-then-resolve', 'spawn-via-backticks', 'spawn-via-spawn', 'spawn-via-popen', 'spawn-via-open3', 'spawn-via-system-env'];

/** The C program that calls vfork() + execve() itself (scenarios/c/vfork_probe.c): no Ruby in between. */
export const C_VFORK = 'c-vfork-then-resolve';

export const EXPECTATIONS: ExpectationRow[] = [
  { scenario: 'fixture-sleep-forever', release: '*', strategy: '*', runAs: '*', expect: ['TIMEOUT'], because: 'the fixture sleeps in poll until killed: asleep, not deadlocked' },
  { scenario: 'fixture-deadlock', release: '*', strategy: '*', runAs: '*', expect: ['HANG'], because: 'the fixture waits for a file lock it holds itself' },
  { scenario: 'fixture-kill-self', release: '*', strategy: '*', runAs: '*', expect: ['CRASH'], because: 'the fixture SIGKILLs itself; the layer wrote no fatal event, so it is no bug evidence' },
  { scenario: 'fixture-kill-intproxy', release: '*', strategy: '*', runAs: '*', expect: ['VANISHED'], because: 'the fixture SIGKILLs the intproxy mid-session' },
  // macOS: measured only where a macOS runner has run it.
  { scenario: C_VFORK, platform: 'darwin', release: '*', strategy: '*', runAs: '*', expect: [], because: 'not measured on macOS yet: whether a direct vfork() + execve() leaks the guard of the macOS layer\'s execve hook needs a macOS runner' },
  { scenario: '*', platform: 'darwin', release: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'on macOS Ruby always forks: CRuby\'s configure sets ac_cv_func_vfork=no on darwin, so no TLS is shared' },
  // A C program vforks whatever its privileges, so these come before the root row.
  { scenario: C_VFORK, platform: 'linux', release: '3.111.0', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.111.0 has no Linux exec hooks' },
  { scenario: C_VFORK, platform: 'linux', release: '3.112.1', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.112.1 removed the guard and copies the socket table before exec' },
  { scenario: C_VFORK, platform: 'linux', release: '3.112.0', strategy: 'none', runAs: '*', expect: ['HANG'], because: 'no guard, but the socket table read lock leaks across the exec; the socket() for the connect after the spawns waits forever; root too: a C program vforks whatever its privileges' },
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: C_VFORK, platform: 'linux', release: '3.112.0', strategy: strategy as Strategy, runAs: '*', expect: ['BYPASSED'],
    because: `the ${strategy} guard set in the vfork child stays set on the main thread; root too: unlike Ruby, a C program vforks whatever its privileges`,
  })),
  { scenario: '*', release: '*', strategy: '*', runAs: 'root', expect: ['PASS'], because: 'as root Ruby forks instead of vforking: no TLS is shared' },
  { scenario: '*', release: '3.111.0', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.111.0 has no Linux exec hooks' },
  { scenario: '*', release: '3.112.1', strategy: '*', runAs: '*', expect: ['PASS'], because: '3.112.1 removed the guard and copies the socket table before exec' },
  { scenario: 'spawn-via-shell', release: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'shell strings reach exec through execl, which no preload hook sees' },
  { scenario: 'spawn-via-fork-exec', release: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'fork copies TLS: the child\'s guard never reaches the parent' },
  ...VFORK_EXEC.map((scenario): ExpectationRow => ({
    scenario, release: '3.112.0', strategy: 'none', runAs: '*', expect: ['HANG'],
    because: 'no guard, but the socket table read lock leaks across exec; the next socket() waits forever',
  })),
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: 'spawn-random-thread', release: '3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', expect: ['BYPASSED', 'PASS'],
    because: 'the stuck guard is met only when the random resolving thread is the one that spawned',
  })),
  { scenario: 'spawn-threads', release: '3.112.0', strategy: 'none', runAs: '*', expect: ['PASS'], because: 'no guard leaks, and lookups never write the socket table' },
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: 'spawn-threads', release: '3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', ruby: '3.3', expect: ['PASS'],
    because: 'Ruby 3.3 resolves each name on a fresh pthread, so the stuck guard never meets getaddrinfo, and this workload opens no socket',
  })),
  ...['normal', 'forget'].map((strategy): ExpectationRow => ({
    scenario: '*', release: '3.112.0', strategy: strategy as Strategy, runAs: 'unprivileged', expect: ['BYPASSED'],
    because: `the ${strategy} guard set in a vfork child stays set on the spawning thread`,
  })),
  { scenario: '*', release: '*', strategy: '*', runAs: '*', expect: ['PASS'], because: 'no known regression for this cell' },
];

export interface ExpectationQuery {
  scenario: string;
  subject: string;
  /**
   * The release whose predictions apply; `null` for a build nobody predicted (a layer of the user's own).
   * @default the version in a `lab@X`, `lab-exec@X` or `mirrord@X` id
   */
  release?: string | null;
  strategy: Strategy | null;
  runAs: RunAs;
  ruby?: string;
  /** Where the cell runs (a matrix passes its cells' platform; `matrix --plan --platform` another). @default process.platform */
  platform?: NodeJS.Platform;
}

/** The releases the table predicts; a build of any other version has no expectation. */
export const KNOWN_RELEASES: readonly string[] = ['3.111.0', '3.112.0', '3.112.1'];

/** `3.112.0` of `lab@3.112.0`, `lab-exec@3.112.0`, `mirrord@3.112.0`; null for any other id. */
export function releaseOf(subject: string): string | null {
  return /^(?:lab|lab-exec|mirrord)@(\d+\.\d+\.\d+)$/.exec(subject)?.[1] ?? null;
}

export function expectationFor(q: ExpectationQuery, table: ExpectationRow[] = EXPECTATIONS): { expect: VerdictKind[]; because: string } {
  const release = q.release === undefined ? releaseOf(q.subject) : q.release;
  if (release === null || !KNOWN_RELEASES.includes(release)) return { expect: [], because: `no prediction for ${q.subject}: it is not a release the table knows (give one with --expect)` };
  const platform = q.platform ?? process.platform;
  const row = table.find(
    (r) =>
      (r.scenario === '*' || r.scenario === q.scenario) &&
      (r.platform === undefined || r.platform === platform) &&
      (r.release === '*' || r.release === release) &&
      (r.strategy === '*' || r.strategy === q.strategy) &&
      (r.runAs === '*' || r.runAs === q.runAs) &&
      (r.ruby === undefined || (q.ruby ?? '').startsWith(r.ruby)),
  );
  return row ? { expect: row.expect, because: row.because } : { expect: [], because: 'no row of scenarios/expectations.ts matches' };
}
