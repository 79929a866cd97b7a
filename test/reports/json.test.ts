/** results.json: stable output, and one-line errors naming the file for anything we cannot read. */
import { describe, expect, it } from 'vitest';
import { parseResultsFile, toResultsJson } from '../../harness/reports/json.ts';
import { cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';

const expectOneLineError = (text: string, pattern: RegExp) => {
  let message = '';
  try {
    parseResultsFile(text, 'out/results.json');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/^out\/results\.json: /);
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(pattern);
};

const mutated = (edit: (o: Record<string, any>) => void): string => {
  const o = JSON.parse(toResultsJson(upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'PASS'] })));
  edit(o);
  return JSON.stringify(o);
};

describe('toResultsJson', () => {
  it('round-trips through parseResultsFile', () => {
    const file = upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'PASS', 'HANG', 'TIMEOUT', 'INCONCLUSIVE', 'FAIL'] }, { shard: { index: 1, total: 1 } });
    expect(parseResultsFile(toResultsJson(file), 'r.json')).toEqual(file);
  });

  it('is 2-space indented, newline-terminated, and independent of the order objects were built in', () => {
    const c = cell();
    const shuffled = Object.fromEntries(Object.entries(c).reverse()) as typeof c;
    const a = toResultsJson(resultsFile([c]));
    const b = toResultsJson({ ...resultsFile([shuffled]), cells: [shuffled] });
    expect(b).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a.split('\n')[1]).toBe('  "schema": "mirrord-regress/results",');
    expect(Object.keys(JSON.parse(a).cells[0]).slice(0, 3)).toEqual(['id', 'key', 'verdict']);
  });
});

describe('parseResultsFile errors', () => {
  /** The exact message: one line, the file, where, what is there and what was wanted. */
  const errorOf = (text: string): string => {
    try {
      parseResultsFile(text, 'out/results.json');
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const KINDS = 'PASS, BYPASSED, HANG, VANISHED, CRASH, FAIL, INCONCLUSIVE, TIMEOUT, ERROR';

  it('empty file', () => expectOneLineError('  \n', /empty file/));
  it('not JSON', () => expectOneLineError('{"schema": "mirrord-regress/results", "version": 2, oops}', /^out\/results\.json: not valid JSON \(.+\)$/));
  it('a JSON array', () => expectOneLineError('[]', /not a mirrord-regress results file \(top level is an array\)/));
  it('another schema', () => expectOneLineError('{"schema":"x"}', /not a mirrord-regress results file \(schema "x"\)/));
  it('no schema at all (some other JSON file)', () => expectOneLineError('{"name":"mirrord-regress"}', /not a mirrord-regress results file \(schema missing\)/));
  it('a version that is not one', () => expectOneLineError(mutated((o) => (o.version = '2')), /version "2" is not a results schema version \(this harness reads version 3\)/));

  it('a truncated file (a partial copy): says so, with how much arrived', () => {
    const whole = toResultsJson(upstreamMatrix());
    for (const cut of [whole.length / 2, whole.indexOf('"verdict"') + 5, whole.length - 3].map(Math.floor)) {
      expect(errorOf(whole.slice(0, cut))).toBe(`out/results.json: truncated: the JSON stops after ${cut} bytes, in the middle of a value (a partial copy?)`);
    }
  });

  it('a file of the previous schema version', () => {
    expect(errorOf(mutated((o) => (o.version = 2)))).toBe('out/results.json: written by schema version 2; this harness reads version 3: rerun the matrix');
  });

  it('a file of a newer schema version', () => {
    expect(errorOf(mutated((o) => (o.version = 4)))).toBe('out/results.json: written by schema version 4; this harness reads version 3: upgrade mirrord-regress');
  });

  it('a verdict kind that does not exist', () => {
    expect(errorOf(mutated((o) => (o.cells[8].attempts[1].verdict.kind = 'MAYBE')))).toBe(`out/results.json: cells[8].attempts[1].verdict.kind is "MAYBE", expected one of ${KINDS}`);
  });

  it("the cell's own verdict is checked, not only its attempts'", () => {
    expect(errorOf(mutated((o) => (o.cells[3].verdict = 'SKIPPED')))).toBe(`out/results.json: cells[3].verdict is "SKIPPED", expected one of ${KINDS}`);
  });

  it('a missing required field', () => {
    expect(errorOf(mutated((o) => delete o.cells[2].attempts[0].observation.stdoutTail))).toBe('out/results.json: cells[2].attempts[0].observation.stdoutTail is missing, expected a string');
  });

  it('a missing nullable field says null would do', () => {
    expect(errorOf(mutated((o) => delete o.cells[2].attempts[0].observation.deadlock))).toBe('out/results.json: cells[2].attempts[0].observation.deadlock is missing, expected an object or null');
  });

  it('an evidence kind that does not exist', () => {
    expect(errorOf(mutated((o) => (o.cells[0].attempts[0].verdict.evidence[0].kind = 'rumour')))).toBe(
      'out/results.json: cells[0].attempts[0].verdict.evidence[0].kind is "rumour", expected one of hook-bypassed, exec-guard-set, workload-failure, stuck-process, deadlock, hooks-exercised, not-exercised, intproxy, exit, network, cluster-dns, cluster-service, agent, harness',
    );
  });

  it('a field of one evidence kind, checked against that kind', () => {
    // PASS evidence: exit, hooks-exercised, intproxy.
    expect(errorOf(mutated((o) => delete o.cells[0].attempts[0].verdict.evidence[1].hooks[0].remote))).toBe(
      'out/results.json: cells[0].attempts[0].verdict.evidence[1].hooks[0].remote is missing, expected a non-negative integer',
    );
  });

  it('inside records: hook names as fields, pids as quoted keys', () => {
    expect(errorOf(mutated((o) => (o.cells[0].attempts[0].observation.events.hooks.getaddrinfo.calls = '2')))).toBe(
      'out/results.json: cells[0].attempts[0].observation.events.hooks.getaddrinfo.calls is "2", expected a non-negative integer',
    );
    expect(errorOf(mutated((o) => (o.cells[0].attempts[0].observation.events.lastEventByPid['7'] = 7)))).toBe(
      'out/results.json: cells[0].attempts[0].observation.events.lastEventByPid["7"] is 7, expected a string',
    );
  });

  it('a timestamp that is not one', () => {
    expect(errorOf(mutated((o) => (o.createdAt = 'yesterday')))).toBe('out/results.json: createdAt is "yesterday", expected an ISO 8601 date-time (e.g. 2025-06-02T09:41:07.000Z)');
  });

  it('plan.cells missing', () => {
    expect(errorOf(mutated((o) => delete o.plan.cells))).toBe('out/results.json: plan.cells is missing, expected an array');
  });

  it('a cell whose id does not match its key (hand-edited)', () => {
    expect(errorOf(mutated((o) => (o.cells[0].key.runAs = 'root')))).toBe(
      'out/results.json: cells[0].id "lab@3.111.0/-/spawn-then-resolve/unprivileged/host" does not match its key (lab@3.111.0/-/spawn-then-resolve/root/host)',
    );
  });

  it('a cell without attempts', () => {
    expect(errorOf(mutated((o) => (o.cells[4].attempts = [])))).toBe('out/results.json: cells[4].attempts is [], expected a non-empty array');
  });

  it('an expectation claimed for a cell that has none', () => {
    expect(errorOf(mutated((o) => (o.cells[0].expected = [])))).toBe('out/results.json: cells[0].matchesExpectation is true, expected null (expected is empty: no expectation)');
  });

  it('a shard beyond the total', () => {
    expect(errorOf(mutated((o) => (o.shard = { index: 3, total: 2 })))).toBe('out/results.json: shard.index is 3, expected at most shard.total (2)');
  });

  it('long values are cut in the message', () => {
    const message = errorOf(mutated((o) => (o.cells[1].expectedBecause = { text: 'x'.repeat(500) })));
    expect(message).toMatch(/^out\/results\.json: cells\[1\]\.expectedBecause is \{"text":"x{91}\.\.\., expected a string$/);
  });
});

describe('parseResultsFile reads what the writer leaves implicit', () => {
  it('a cell without expectation round-trips with matchesExpectation null', () => {
    const file = resultsFile([cell({ expected: [], verdicts: ['BYPASSED'] })]);
    const back = parseResultsFile(toResultsJson(file), 'r.json');
    expect(back.cells[0]).toMatchObject({ expected: [], matchesExpectation: null });
    expect(back).toEqual(file);
  });

  it('an observation without evidenceSource reads as layer', () => {
    const back = parseResultsFile(mutated((o) => delete o.cells[0].attempts[0].observation.evidenceSource), 'r.json');
    expect(back.cells[0]!.attempts[0]!.observation.evidenceSource).toBe('layer');
  });
});
