/** One line per evidence item, readable on its own; and the tally every report leads with. */
import { describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../../harness/model/result.ts';
import { formatEvidence, formatEvidenceItem } from '../../harness/reports/evidence.ts';
import { hasNoExpectation, isUnexpected, tally, tallyLine } from '../../harness/reports/tally.ts';
import { cell, verdict } from '../fixtures/results.ts';

describe('formatEvidenceItem', () => {
  it('deadlock: how many threads, for how long, then the detail', () => {
    expect(formatEvidenceItem({ kind: 'deadlock', quietMs: 400, threads: 2, detail: 'last layer event 420 ms before' })).toBe(
      'deadlock: 2 threads blocked in futex with no CPU or layer event for 400 ms; last layer event 420 ms before',
    );
    expect(formatEvidenceItem({ kind: 'deadlock', quietMs: 150.4, threads: 1, detail: '' })).toBe('deadlock: 1 thread blocked in futex with no CPU or layer event for 150 ms');
  });

  it('hooks exercised: hooked/calls per hook, remote only when any, then the exec-hook entries', () => {
    const e: EvidenceItem = {
      kind: 'hooks-exercised',
      hooks: [{ hook: 'getaddrinfo', calls: 3, hooked: 3, remote: 3 }, { hook: 'socket', calls: 2, hooked: 2, remote: 0 }],
      execEntries: 20,
    };
    expect(formatEvidenceItem(e)).toBe('hooks: getaddrinfo hooked 3/3 (3 remote), socket hooked 2/2; 20 exec-hook entries');
    expect(formatEvidenceItem({ kind: 'hooks-exercised', hooks: [{ hook: 'connect', calls: 1, hooked: 0, remote: 0 }], execEntries: 1 })).toBe('hooks: connect hooked 0/1; 1 exec-hook entry');
    expect(formatEvidenceItem({ kind: 'hooks-exercised', hooks: [], execEntries: 0 })).toBe('hooks: none called; no exec-hook entries');
  });

  it('not exercised: says what was never reached', () => {
    expect(formatEvidenceItem({ kind: 'not-exercised', detail: 'no exec went through the exec hook' })).toBe('not exercised: no exec went through the exec hook');
  });

  it('stuck process: marks helpers and lists threads, capped', () => {
    const threads = Array.from({ length: 10 }, (_, i) => ({ tid: 100 + i, state: 'S', wchan: i === 0 ? '' : 'futex_do_wait', syscall: 'futex (202)' }));
    expect(formatEvidenceItem({ kind: 'stuck-process', pid: 41, comm: 'mirrord-lab', state: 'S', wchan: 'do_epoll_wait', syscall: 'epoll_wait (232)', helper: true })).toBe(
      'mirrord-lab (pid 41, helper) state S in epoll_wait (232), wchan do_epoll_wait',
    );
    expect(formatEvidenceItem({ kind: 'stuck-process', pid: 7, comm: 'ruby', state: 'S', wchan: 'futex_do_wait', syscall: 'futex (202)', lastEvent: 'hook socket', threads })).toBe(
      'ruby (pid 7) state S in futex (202), wchan futex_do_wait, last layer event: hook socket; threads: 100 S in futex (202) (?), ' +
        [101, 102, 103, 104, 105, 106, 107].map((t) => `${t} S in futex (202) (futex_do_wait)`).join(', ') +
        ', and 2 more',
    );
  });

  it('exit: a code, a signal, or stopped by the harness (neither)', () => {
    expect(formatEvidenceItem({ kind: 'exit', code: 1, signal: null, stderrTail: 'boom' })).toBe('exit code 1; stderr: boom');
    expect(formatEvidenceItem({ kind: 'exit', code: null, signal: 'SIGSEGV' })).toBe('killed by SIGSEGV');
    expect(formatEvidenceItem({ kind: 'exit', code: null, signal: null })).toBe('stopped by the harness');
  });

  it('every fixture verdict renders one line per item, none of them empty', () => {
    for (const kind of ['PASS', 'BYPASSED', 'HANG', 'VANISHED', 'CRASH', 'FAIL', 'INCONCLUSIVE', 'TIMEOUT', 'ERROR'] as const) {
      const lines = formatEvidence(verdict(kind).evidence);
      expect(lines).toHaveLength(verdict(kind).evidence.length);
      for (const line of lines) expect(line).toMatch(/^\S.*\S$/);
    }
  });
});

describe('tally', () => {
  it('expected, unexpected and without expectation are three disjoint groups; flaky cuts across them', () => {
    const cells = [
      cell({ expected: ['BYPASSED'], verdicts: ['BYPASSED'] }),
      cell({ expected: ['PASS'], verdicts: ['BYPASSED', 'PASS'] }),
      cell({ expected: [], verdicts: ['FAIL', 'CRASH'] }),
      cell({ expected: [], verdicts: ['PASS'] }),
    ];
    expect(cells.map(isUnexpected)).toEqual([false, true, false, false]);
    expect(cells.map(hasNoExpectation)).toEqual([false, false, true, true]);
    expect(tally(cells)).toEqual({ cells: 4, asExpected: 1, unexpected: 1, noExpectation: 2, flaky: 2 });
    expect(tallyLine(tally(cells))).toBe('4 cells, 1 as expected, 1 unexpected, 2 without expectation, 2 flaky');
  });

  it('leaves "without expectation" out when there are none, as before', () => {
    expect(tallyLine(tally([cell()]))).toBe('1 cells, 1 as expected, 0 unexpected, 0 flaky');
  });
});
