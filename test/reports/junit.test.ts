/** junit.xml: well-formed, one testcase per cell, attempts mapped to Surefire's rerun/flaky elements. */
import { describe, expect, it } from 'vitest';
import { toJUnit } from '../../harness/reports/junit.ts';
import type { CellResult } from '../../harness/model/result.ts';
import { attempt, cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';
import { child, childrenNamed, parseXml, type XmlElement } from './mini-xml.ts';

const suiteOf = (cells: CellResult[]) => parseXml(toJUnit(resultsFile(cells)));
const onlyCase = (c: CellResult): XmlElement => {
  const suite = suiteOf([c]);
  const cases = childrenNamed(suite, 'testcase');
  expect(cases).toHaveLength(1);
  return cases[0]!;
};
/** Element names under a testcase, except its properties and its own output. */
const resultTags = (tc: XmlElement) => tc.children.map((c) => c.name).filter((n) => !['properties', 'system-out', 'system-err'].includes(n));
const property = (tc: XmlElement, name: string) => childrenNamed(child(tc, 'properties')!, 'property').find((p) => p.attrs.name === name)?.attrs.value;

describe('toJUnit', () => {
  it('one well-formed testsuite with one testcase per cell; all as expected means no failures', () => {
    const file = upstreamMatrix();
    const xml = toJUnit(file);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite ')).toBe(true);
    const suite = parseXml(xml);
    expect(suite.name).toBe('testsuite');
    expect(suite.attrs).toMatchObject({ name: 'mirrord-regress', tests: '20', failures: '0', errors: '0', skipped: '0' });
    const cases = childrenNamed(suite, 'testcase');
    expect(cases).toHaveLength(20);
    expect(cases.flatMap(resultTags)).toEqual([]);
    expect(cases.map((c) => property(c, 'verdict'))).toEqual(file.cells.map((c) => c.verdict));
  });

  it('names: classname is subject.strategy (- when none), name is scenario [runAs, runner]', () => {
    const cases = childrenNamed(parseXml(toJUnit(upstreamMatrix())), 'testcase');
    expect(cases[0]!.attrs).toMatchObject({ classname: 'lab@3.111.0.-', name: 'spawn-then-resolve [unprivileged, host]' });
    expect(cases[9]!.attrs).toMatchObject({ classname: 'lab@3.112.0.normal', name: 'spawn-then-resolve [root, host]' });
  });

  it('time is the sum of attempt durations in seconds; the suite time sums the cells', () => {
    const a = cell({ key: { strategy: 'none' }, attempts: [attempt('HANG', { attempt: 1 }), attempt('HANG', { attempt: 2, observation: { durationMs: 5004 } })] });
    const b = cell({ verdicts: ['BYPASSED'] });
    const suite = suiteOf([a, b]);
    expect(childrenNamed(suite, 'testcase').map((t) => t.attrs.time)).toEqual(['10.007', '0.850']);
    expect(suite.attrs.time).toBe('10.857');
  });

  it('properties: verdict, expected, flaky, ruby', () => {
    const tc = onlyCase(cell({ verdicts: ['BYPASSED', 'PASS', 'BYPASSED'], expected: ['BYPASSED', 'HANG'], platform: { ruby: '3.3.6' } }));
    expect([property(tc, 'verdict'), property(tc, 'expected'), property(tc, 'flaky'), property(tc, 'ruby')]).toEqual(['BYPASSED', 'BYPASSED,HANG', 'true', '3.3.6']);
  });

  it('some attempts match: a pass with one flakyFailure per other attempt, each with its own output', () => {
    const c = cell({
      expected: ['BYPASSED'],
      attempts: [
        attempt('BYPASSED', { attempt: 1 }),
        attempt('PASS', { attempt: 2, observation: { stdoutTail: 'second run out\n', stderrTail: 'second run err\n' } }),
        attempt('BYPASSED', { attempt: 3 }),
        attempt('HANG', { attempt: 4 }),
      ],
    });
    const suite = suiteOf([c]);
    expect(suite.attrs).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    const tc = child(suite, 'testcase')!;
    expect(resultTags(tc)).toEqual(['flakyFailure', 'flakyFailure']);
    const [pass, hang] = childrenNamed(tc, 'flakyFailure');
    expect(pass!.attrs).toEqual({ message: c.attempts[1]!.verdict.summary, type: 'PASS' });
    expect(hang!.attrs.type).toBe('HANG');
    expect(pass!.children.map((e) => e.name)).toEqual(['stackTrace', 'system-out', 'system-err']);
    expect(child(pass!, 'system-out')!.text).toBe('second run out\n');
    expect(child(pass!, 'system-err')!.text).toBe('second run err\n');
    expect(child(pass!, 'stackTrace')!.text).toMatch(/attempt 2 of 4: PASS \(rule clean\); expected BYPASSED: set by the test/);
  });

  it('no attempt matches: failure for the first, rerunFailure for each later one; counted once', () => {
    const c = cell({ expected: ['BYPASSED'], verdicts: ['PASS', 'PASS', 'HANG'] });
    const suite = suiteOf([c, cell({ verdicts: ['BYPASSED'] })]);
    expect(suite.attrs).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const tc = childrenNamed(suite, 'testcase')[0]!;
    expect(resultTags(tc)).toEqual(['failure', 'rerunFailure', 'rerunFailure']);
    const failure = child(tc, 'failure')!;
    expect(failure.attrs).toEqual({ message: c.attempts[0]!.verdict.summary, type: 'PASS' });
    // The body is the evidence, one line each, then the expectation.
    expect(failure.text.split('\n')).toEqual([
      '- exit code 0',
      '- intproxy 41 exited (idle) after 1 session',
      'attempt 1 of 3: PASS (rule clean); expected BYPASSED: set by the test',
    ]);
    expect(childrenNamed(tc, 'rerunFailure').map((r) => r.attrs.type)).toEqual(['PASS', 'HANG']);
    expect(child(childrenNamed(tc, 'rerunFailure')[1]!, 'stackTrace')!.text).toMatch(/^- ruby \(pid 1005\) state S in futex \(202\), wchan futex_do_wait/);
  });

  it('an unexpected ERROR is an error, later ERRORs rerunErrors, in Surefire schema order', () => {
    const c = cell({ expected: ['PASS'], verdicts: ['ERROR', 'HANG', 'ERROR'] });
    const suite = suiteOf([c]);
    expect(suite.attrs).toMatchObject({ failures: '0', errors: '1' });
    const tc = child(suite, 'testcase')!;
    expect(resultTags(tc)).toEqual(['rerunFailure', 'error', 'rerunError']);
    expect(child(tc, 'error')!.attrs).toEqual({ message: 'sandbox: unshare(CLONE_NEWUSER) failed: Operation not permitted', type: 'ERROR' });
    expect(child(tc, 'error')!.text).toMatch(/^- harness: sandbox: unshare/);
  });

  it('a failure first and an ERROR rerun: failure, then rerunError', () => {
    expect(resultTags(onlyCase(cell({ expected: ['BYPASSED'], verdicts: ['PASS', 'ERROR'] })))).toEqual(['failure', 'rerunError']);
  });

  it('an expected ERROR passes', () => {
    expect(resultTags(onlyCase(cell({ expected: ['ERROR'], verdicts: ['ERROR', 'ERROR'] })))).toEqual([]);
  });

  it("the testcase's own system-out and system-err are the last attempt's tails", () => {
    const c = cell({
      expected: ['BYPASSED'],
      attempts: [attempt('BYPASSED', { attempt: 1, observation: { stdoutTail: 'first\n' } }), attempt('BYPASSED', { attempt: 2, observation: { stdoutTail: 'last out\n', stderrTail: 'last err\n' } })],
    });
    const tc = onlyCase(c);
    expect(child(tc, 'system-out')!.text).toBe('last out\n');
    expect(child(tc, 'system-err')!.text).toBe('last err\n');
    expect(tc.children.map((e) => e.name).slice(-2)).toEqual(['system-out', 'system-err']);
  });

  it('escapes markup and drops characters XML 1.0 cannot carry (NUL, BEL, ESC sequences, lone surrogates)', () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0000nul \u0007bel \x1b[31mred\x1b[0m \uD800lone \uFFFE end';
    const c = cell({
      expected: ['PASS'],
      key: { scenario: 'odd<&>"scenario' },
      attempts: [attempt('BYPASSED', { verdict: { summary: nasty, evidence: [{ kind: 'harness', message: nasty }] }, observation: { stdoutTail: nasty, stderrTail: `${nasty}\nline 2\n` } })],
    });
    const xml = toJUnit(resultsFile([c]));
    expect(xml).not.toMatch(/[\u0000\u0007\u001b\uFFFE]/);
    const tc = parseXml(xml).children.find((e) => e.name === 'testcase')!;
    const clean = 'a <b> & "c" \'d\' ]]> nul bel red lone  end';
    expect(tc.attrs.name).toBe('odd<&>"scenario [unprivileged, host]');
    expect(child(tc, 'failure')!.attrs.message).toBe(clean);
    expect(child(tc, 'failure')!.text).toContain(`- harness: ${clean}`);
    expect(child(tc, 'system-err')!.text).toBe(`${clean}\nline 2\n`);
  });

  it('an empty results file is still a valid, empty suite', () => {
    const suite = parseXml(toJUnit(resultsFile([])));
    expect(suite.attrs).toMatchObject({ tests: '0', failures: '0', errors: '0', time: '0.000' });
  });
});

describe('mini-xml (the checker itself must reject what is not well-formed)', () => {
  it.each([
    ['<a><b></a></b>', /closes/],
    ['<a>', /unclosed/],
    ['<a>x & y</a>', /unterminated reference/],
    ['<a>\u0001</a>', /forbidden/],
    ['<a b="<"/>', /raw '<'/],
    ['<a/><b/>', /second root/],
  ])('%s', (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});
