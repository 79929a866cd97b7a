/** The expectation table's lookups, including the Ruby and the platform dimensions. */
import { describe, expect, it } from 'vitest';
import { C_VFORK, EXPECTATIONS, KNOWN_RELEASES, expectationFor } from '../../scenarios/expectations.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import { aggregateCell } from '../../harness/model/aggregate.ts';
import { STRATEGIES, type RunAs } from '../../harness/model/result.ts';
import { isUnexpected, tally } from '../../harness/reports/tally.ts';
import { attempts, cellKey, platform } from '../fixtures/results.ts';

const RUN_AS: RunAs[] = ['unprivileged', 'root'];

describe('expectationFor', () => {
  const q = { scenario: 'spawn-threads', subject: 'lab@3.112.0', strategy: 'normal' as const, runAs: 'unprivileged' as const, platform: 'linux' as const };
  it('spawn-threads leaks on Ruby 3.1 but not on 3.3 (lookups on a fresh pthread)', () => {
    expect(expectationFor({ ...q, ruby: '3.1.2' }).expect).toEqual(['BYPASSED']);
    expect(expectationFor({ ...q, ruby: '3.3.8' }).expect).toEqual(['PASS']);
  });
  it('root is always PASS, none hangs where sockets follow the spawn', () => {
    expect(expectationFor({ ...q, runAs: 'root' }).expect).toEqual(['PASS']);
    expect(expectationFor({ ...q, scenario: 'spawn-then-resolve', strategy: 'none' }).expect).toEqual(['HANG']);
    expect(expectationFor({ ...q, scenario: 'spawn-via-shell' }).expect).toEqual(['PASS']);
  });
  it('the platform defaults to this machine\'s', () => {
    const { platform: _, ...noPlatform } = q;
    for (const scenario of SCENARIOS.map((s) => s.id)) {
      expect(expectationFor({ ...noPlatform, scenario }), scenario).toEqual(expectationFor({ ...noPlatform, scenario, platform: process.platform }));
    }
  });
});

describe('the C vfork probe on Linux', () => {
  const q = { scenario: C_VFORK, subject: 'lab@3.112.0', platform: 'linux' as const };
  it('3.112.0 normal and forget are BYPASSED as root too: a C program vforks whatever its privileges', () => {
    for (const strategy of ['normal', 'forget'] as const) {
      for (const runAs of RUN_AS) {
        const e = expectationFor({ ...q, strategy, runAs });
        expect(e.expect, `${strategy}/${runAs}`).toEqual(['BYPASSED']);
        expect(e.because).toMatch(/whatever its privileges/);
      }
    }
  });
  it('3.112.0 none HANGs (the read lock leaked across the exec); 3.111.0 and 3.112.1 PASS', () => {
    for (const runAs of RUN_AS) {
      expect(expectationFor({ ...q, strategy: 'none', runAs }).expect).toEqual(['HANG']);
      for (const subject of ['lab@3.111.0', 'mirrord@3.112.1', 'lab-exec@3.111.0']) {
        expect(expectationFor({ ...q, subject, strategy: null, runAs }).expect, `${subject}/${runAs}`).toEqual(['PASS']);
      }
    }
  });
  it('a build nobody predicted has no expectation', () => {
    expect(expectationFor({ ...q, release: null, strategy: null, runAs: 'root' }).expect).toEqual([]);
  });
});

describe('macOS (platform darwin)', () => {
  const rubyScenarios = SCENARIOS.filter((s) => 'ruby' in s.workload && !s.id.startsWith('fixture-'));
  const fixtureRows = EXPECTATIONS.filter((r) => r.scenario.startsWith('fixture-'));

  it('every Ruby scenario PASSes for every release, strategy and run-as: Ruby always forks on macOS', () => {
    expect(rubyScenarios.length).toBeGreaterThan(5);
    for (const s of rubyScenarios) {
      for (const release of KNOWN_RELEASES) {
        for (const strategy of [...STRATEGIES, null]) {
          for (const runAs of RUN_AS) {
            for (const ruby of [undefined, '3.1.2', '3.3.8']) {
              const e = expectationFor({ scenario: s.id, subject: `lab@${release}`, strategy, runAs, ruby, platform: 'darwin' });
              expect(e.expect, `${s.id}/${release}/${strategy}/${runAs}/${ruby}`).toEqual(['PASS']);
              expect(e.because).toMatch(/ac_cv_func_vfork=no/);
            }
          }
        }
      }
    }
  });

  it('the fixtures keep their own expectations (their rows come first)', () => {
    expect(fixtureRows.length).toBeGreaterThan(0);
    expect(EXPECTATIONS.slice(0, fixtureRows.length)).toEqual(fixtureRows);
    for (const row of fixtureRows) {
      expect(expectationFor({ scenario: row.scenario, subject: 'lab@3.112.0', strategy: 'normal', runAs: 'unprivileged', platform: 'darwin' }).expect).toEqual(row.expect);
    }
  });

  it('the C probe has no expectation until measured: expected empty, matchesExpectation null, never unexpected', () => {
    for (const release of KNOWN_RELEASES) {
      for (const strategy of [...STRATEGIES, null]) {
        const e = expectationFor({ scenario: C_VFORK, subject: `lab@${release}`, strategy, runAs: 'root', platform: 'darwin' });
        expect(e.expect).toEqual([]);
        expect(e.because).toMatch(/^not measured on macOS yet: /);
      }
    }
    const e = expectationFor({ scenario: C_VFORK, subject: 'lab@3.112.0', strategy: 'normal', runAs: 'unprivileged', platform: 'darwin' });
    for (const kinds of [['PASS'], ['BYPASSED'], ['HANG', 'PASS']] as const) {
      const cell = aggregateCell({
        key: cellKey({ scenario: C_VFORK }),
        expected: e.expect,
        expectedBecause: e.because,
        attempts: attempts([...kinds]),
        platform: platform({ os: 'darwin' }),
      });
      expect(cell.expected).toEqual([]);
      expect(cell.matchesExpectation).toBeNull();
      expect(isUnexpected(cell)).toBe(false);
      expect(tally([cell])).toMatchObject({ unexpected: 0, noExpectation: 1 });
    }
  });
});
