/**
 * `matrix --plan`: every planned cell with what the expectation table says of it and why, one line
 * each, and a count. Read from the plan and the table alone: nothing is run, built or fetched.
 */
import { expectationFor, type ExpectationPlatform } from '../../scenarios/expectations.ts';
import type { VerdictKind } from '../model/result.ts';
import { RUBY_VERSIONS, rubyOfRunner } from '../runners/select.ts';
import type { PlannedCell } from './plan.ts';

export interface PlannedExpectation {
  cell: PlannedCell;
  expect: VerdictKind[];
  because: string;
  /**
   * For a cell whose Ruby is not known before it runs (the host runner's: whatever `ruby` is), the
   * Ruby versions whose rows say something else, with what they say.
   */
  otherwiseOn: { ruby: string; expect: VerdictKind[]; because: string }[];
}

/** What the table expects of `cell` on `platform`, as run-cell will ask it (the Ruby from a docker runner's name). */
export function plannedExpectation(cell: PlannedCell, platform: ExpectationPlatform): PlannedExpectation {
  const query = { ...cell.key, release: cell.subject.release, platform };
  const ruby = rubyOfRunner(cell.key.runner);
  const base = expectationFor({ ...query, ruby });
  const same = (e: { expect: VerdictKind[]; because: string }) => e.because === base.because && e.expect.join() === base.expect.join();
  const otherwiseOn = ruby !== undefined || 'c' in cell.scenario.workload
    ? []
    : RUBY_VERSIONS.map((r) => ({ ruby: r, ...expectationFor({ ...query, ruby: r }) })).filter((e) => !same(e));
  return { cell, expect: base.expect, because: base.because, otherwiseOn };
}

function expectation(e: { expect: VerdictKind[]; because: string }): string {
  return e.expect.length ? `expect ${e.expect.join(' or ')} (${e.because})` : `no expectation (${e.because})`;
}

/** `<cell id>: expect BYPASSED (why)`, or `<cell id>: no expectation (why)`; Ruby-dependent rows after a `;`. */
export function planLine(p: PlannedExpectation): string {
  const other = p.otherwiseOn.map((o) => `; on Ruby ${o.ruby}: ${expectation(o)}`).join('');
  return `${p.cell.id}: ${expectation(p)}${other}`;
}

/** The count line: `30 cells planned for linux, 2 without expectation; nothing was run`. */
export function planCountLine(planned: PlannedExpectation[], opts: { platform: ExpectationPlatform; ofTotal?: number; shard?: { index: number; total: number } }): string {
  const none = planned.filter((p) => p.expect.length === 0).length;
  const shard = opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.total} of ${opts.ofTotal ?? planned.length})` : '';
  return `${planned.length} cells planned for ${opts.platform}${shard}${none ? `, ${none} without expectation` : ''}; nothing was run`;
}
