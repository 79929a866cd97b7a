/** The terminal table: the markdown layout in fixed-width columns, `!` (red) for unexpected cells. */
import { describe, expect, it } from 'vitest';
import { formatVerdictLine, toTerminalTable } from '../../harness/reports/terminal.ts';
import { cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';

const NORMAL = 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host';
const FIXED = 'lab@3.112.1/-/spawn-then-resolve/unprivileged/host';
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('toTerminalTable', () => {
  const file = upstreamMatrix({ [NORMAL]: ['BYPASSED', 'PASS', 'BYPASSED'], [FIXED]: ['BYPASSED'] });

  it('lays out rows and columns like summary.md, in fixed-width columns', () => {
    const out = toTerminalTable(file, { color: false });
    expect(out.split('\n').slice(0, 7)).toEqual([
      'subject / strategy    spawn-then-resolve  spawn-then-resolve (root)  spawn-threads  spawn-via-fork-exec',
      '--------------------  ------------------  -------------------------  -------------  -------------------',
      'lab@3.111.0           PASS                PASS                       PASS           PASS',
      'lab@3.112.0 / none    HANG                PASS                       PASS           PASS',
      'lab@3.112.0 / normal  ! BYPASSED ~ 2/3    PASS                       BYPASSED       PASS',
      'lab@3.112.0 / forget  BYPASSED            PASS                       BYPASSED       PASS',
      'lab@3.112.1           ! BYPASSED          PASS                       PASS           PASS',
    ]);
  });

  it('ends with the tally and one line per unexpected cell', () => {
    const lines = toTerminalTable(file, { color: false }).split('\n');
    expect(lines.slice(7, 9)).toEqual(['', '20 cells, 18 as expected, 2 unexpected, 1 flaky']);
    expect(lines.slice(9)).toHaveLength(2);
    expect(lines[9]).toMatch(/^! lab@3\.112\.0\/normal spawn-then-resolve: BYPASSED ~ 2\/3 \(UNEXPECTED, expected BYPASSED, also saw PASS\) — getaddrinfo bypassed/);
    expect(lines[10]).toMatch(/^! lab@3\.112\.1 spawn-then-resolve: BYPASSED \(UNEXPECTED, expected PASS\) — getaddrinfo bypassed 1x on tid 123/);
  });

  it('colours only unexpected cells, and colour never shifts the columns', () => {
    const plain = toTerminalTable(file, { color: false });
    const coloured = toTerminalTable(file, { color: true });
    expect(plain).not.toContain('\x1b[');
    expect(stripAnsi(coloured)).toBe(plain);
    const row = coloured.split('\n')[6]!;
    expect(row).toBe('lab@3.112.1           \x1b[31m! BYPASSED\x1b[0m          PASS                       PASS           PASS');
    expect(coloured.split('\n')[2]).not.toContain('\x1b[');
  });

  it('a column appears for a runner only when runners differ', () => {
    const out = toTerminalTable(resultsFile([cell(), cell({ key: { runner: 'docker' }, platform: { image: 'ruby:3.3' } })]), { color: false });
    expect(out.split('\n')[0]).toBe('subject / strategy    spawn-then-resolve [host]  spawn-then-resolve [docker]');
    expect(out.split('\n')[2]).toBe('lab@3.112.0 / normal  BYPASSED                   BYPASSED');
  });

  it('cells without expectation are counted on their own, never marked or listed as unexpected', () => {
    const out = toTerminalTable(resultsFile([cell({ expected: [], verdicts: ['BYPASSED'] }), cell({ key: { scenario: 'spawn-threads' }, expected: ['PASS'], verdicts: ['FAIL'] })]), { color: true });
    const lines = out.split('\n');
    expect(stripAnsi(lines[2]!)).toBe('lab@3.112.0 / normal  BYPASSED            ! FAIL');
    expect(lines.slice(3)).toEqual([
      '',
      '2 cells, 0 as expected, 1 unexpected, 1 without expectation, 0 flaky',
      '\x1b[31m!\x1b[0m lab@3.112.0/normal spawn-threads: FAIL (UNEXPECTED, expected PASS) — workload exited 1 with no sign of the bug: cannot load such file -- net/http/persistent (LoadError)',
    ]);
  });

  it('an empty file', () => {
    expect(toTerminalTable(resultsFile([]), { color: false }).split('\n')).toEqual(['subject / strategy', '------------------', '', '0 cells, 0 as expected, 0 unexpected, 0 flaky']);
  });
});

describe('formatVerdictLine', () => {
  it('an expected cell', () => {
    expect(formatVerdictLine(cell())).toBe(
      'lab@3.112.0/normal spawn-then-resolve: BYPASSED (expected) — getaddrinfo bypassed 1x on tid 123 (db.default.svc.cluster.local); 20 exec-hook entries in children found the guard already set; workload: lookup after failed: getaddrinfo: Temporary failure in name resolution',
    );
  });

  it('names root and a strategy-less subject, and shows what was expected', () => {
    expect(formatVerdictLine(cell({ key: { subject: 'lab@3.112.1', strategy: null, runAs: 'root' }, verdicts: ['HANG'] }))).toBe(
      'lab@3.112.1 spawn-then-resolve (root): HANG (UNEXPECTED, expected PASS) — deadlocked after 1.4s: ruby (pid 1005) in futex (202), wchan futex_do_wait, last layer event: hook socket; intproxy 41 still running with 1 open session',
    );
  });

  it('flaky cells show the agreement and speak with an attempt that showed the cell verdict', () => {
    const line = formatVerdictLine(cell({ expected: ['HANG', 'PASS'], key: { strategy: 'none' }, verdicts: ['PASS', 'HANG', 'HANG'] }));
    expect(line).toMatch(/^lab@3\.112\.0\/none spawn-then-resolve: HANG ~ 2\/3 \(expected\) — deadlocked after 1\.4s/);
  });

  it('a cell without expectation is neither expected nor unexpected', () => {
    expect(formatVerdictLine(cell({ expected: [], verdicts: ['TIMEOUT'] }))).toMatch(/^lab@3\.112\.0\/normal spawn-then-resolve: TIMEOUT \(no expectation\) — timed out after 5\.0s and not deadlocked/);
  });
});
