/** The expectation table's lookups, including the Ruby dimension. */
import { describe, expect, it } from 'vitest';
import { expectationFor } from '../../scenarios/expectations.ts';

describe('expectationFor', () => {
  const q = { scenario: 'spawn-threads', subject: 'lab@3.112.0', strategy: 'normal' as const, runAs: 'unprivileged' as const };
  it('spawn-threads leaks on Ruby 3.1 but not on 3.3 (lookups on a fresh pthread)', () => {
    expect(expectationFor({ ...q, ruby: '3.1.2' }).expect).toEqual(['BYPASSED']);
    expect(expectationFor({ ...q, ruby: '3.3.8' }).expect).toEqual(['PASS']);
  });
  it('root is always PASS, none hangs where sockets follow the spawn', () => {
    expect(expectationFor({ ...q, runAs: 'root' }).expect).toEqual(['PASS']);
    expect(expectationFor({ ...q, scenario: 'spawn-then-resolve', strategy: 'none' }).expect).toEqual(['HANG']);
    expect(expectationFor({ ...q, scenario: 'spawn-via-shell' }).expect).toEqual(['PASS']);
  });
});
