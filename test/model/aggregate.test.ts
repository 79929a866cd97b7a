/** The rules that turn a cell's attempts into one verdict, flakiness and the comparison to the table. */
import { describe, expect, it } from 'vitest';
import { aggregateCell, cellVerdict } from '../../harness/model/aggregate.ts';
import type { VerdictKind } from '../../harness/model/result.ts';
import { attempts, cell, cellKey, platform } from '../fixtures/results.ts';

const aggregate = (kinds: VerdictKind[], expected: VerdictKind[]) =>
  aggregateCell({ key: cellKey(), expected, expectedBecause: 'test', attempts: attempts(kinds), platform: platform() });

describe('aggregateCell', () => {
  it('agreeing attempts: their verdict, not flaky, matching when expected', () => {
    const c = aggregate(['BYPASSED', 'BYPASSED', 'BYPASSED'], ['BYPASSED']);
    expect(c).toMatchObject({ id: 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host', verdict: 'BYPASSED', flaky: false, matchesExpectation: true });
  });

  it('agreeing attempts the table does not allow are unexpected', () => {
    const c = aggregate(['PASS'], ['BYPASSED']);
    expect(c).toMatchObject({ verdict: 'PASS', flaky: false, matchesExpectation: false });
  });

  it('disagreeing attempts: the most frequent non-PASS verdict wins even when PASS is more frequent', () => {
    const c = aggregate(['PASS', 'BYPASSED', 'PASS', 'PASS'], ['PASS']);
    expect(c).toMatchObject({ verdict: 'BYPASSED', flaky: true, matchesExpectation: false });
  });

  it('the most frequent non-PASS verdict beats an earlier, rarer one', () => {
    expect(aggregate(['HANG', 'BYPASSED', 'BYPASSED'], ['BYPASSED']).verdict).toBe('BYPASSED');
  });

  it('ties go to the non-PASS verdict seen first', () => {
    expect(aggregate(['PASS', 'CRASH', 'HANG'], ['PASS']).verdict).toBe('CRASH');
    expect(aggregate(['VANISHED', 'HANG', 'HANG', 'VANISHED'], ['HANG']).verdict).toBe('VANISHED');
  });

  it('flaky but every attempt allowed (a table row with two verdicts) still matches', () => {
    const c = aggregate(['HANG', 'CRASH', 'HANG'], ['HANG', 'CRASH']);
    expect(c).toMatchObject({ verdict: 'HANG', flaky: true, matchesExpectation: true });
  });

  it('one disallowed attempt is enough to be unexpected', () => {
    expect(aggregate(['BYPASSED', 'BYPASSED', 'PASS'], ['BYPASSED']).matchesExpectation).toBe(false);
  });

  it('no expectation (an --exec run without --expect): null, whatever the attempts showed', () => {
    expect(aggregate(['PASS'], []).matchesExpectation).toBeNull();
    expect(aggregate(['BYPASSED', 'ERROR'], [])).toMatchObject({ verdict: 'BYPASSED', flaky: true, matchesExpectation: null });
  });

  it('the new verdicts aggregate like the old ones: the most frequent non-PASS wins', () => {
    expect(aggregate(['TIMEOUT', 'HANG', 'HANG'], ['HANG'])).toMatchObject({ verdict: 'HANG', flaky: true, matchesExpectation: false });
    expect(aggregate(['PASS', 'INCONCLUSIVE', 'PASS'], ['PASS', 'INCONCLUSIVE'])).toMatchObject({ verdict: 'INCONCLUSIVE', matchesExpectation: true });
  });

  it('a null strategy shows as - in the id; key, expectation, attempts and platform are kept', () => {
    const key = cellKey({ subject: 'lab@3.112.1', strategy: null, runAs: 'root' });
    const input = { key, expected: ['PASS'] as VerdictKind[], expectedBecause: 'as root Ruby forks', attempts: attempts(['PASS']), platform: platform({ ruby: '3.3.0' }) };
    const c = aggregateCell(input);
    expect(c.id).toBe('lab@3.112.1/-/spawn-then-resolve/root/host');
    expect(c).toMatchObject({ key, expected: ['PASS'], expectedBecause: 'as root Ruby forks', attempts: input.attempts, platform: { ruby: '3.3.0' } });
  });

  it('a cell without attempts is a bug, not a PASS', () => {
    expect(() => aggregate([], ['PASS'])).toThrow(/at least one attempt/);
    expect(() => cellVerdict([])).toThrow();
  });

  it('the fixtures aggregate with the real expectation table', () => {
    expect(cell({ key: { strategy: 'none' } })).toMatchObject({ expected: ['HANG'], verdict: 'HANG', matchesExpectation: true });
    expect(cell({ key: { runAs: 'root' }, verdicts: ['BYPASSED'] })).toMatchObject({ expected: ['PASS'], matchesExpectation: false });
  });
});
