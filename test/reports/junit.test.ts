/** junit.xml: well-formed, one testcase per cell, attempts mapped to Surefire's rerun/flaky elements. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toJUnit } from '../../harness/reports/junit.ts';
import type { CellResult, VerdictKind } from '../../harness/model/result.ts';
import { attempt, cell, resultsFile, upstreamMatrix } from '../fixtures/results.ts';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element, entities decoded. */
  text: string;
}

/** fast-xml-parser's order-preserving output: `{ tag: children, ':@': attrs }` or `{ '#text': text }`. */
type OrderedNode = { '#text': string } | ({ ':@'?: Record<string, string> } & Record<string, OrderedNode[]>);

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Values as written: no number parsing, no trimming (the tails' trailing newlines matter).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Character references (&#10; in attributes) as well as the five predefined entities.
  htmlEntities: true,
});

// Outside XML 1.0's Char production; the validator does not look for these itself.
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function toElement(node: OrderedNode): XmlElement {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const kids = (node as Record<string, OrderedNode[]>)[name]!;
  const el: XmlElement = { name, attrs: { ...((node as { ':@'?: Record<string, string> })[':@'] ?? {}) }, children: [], text: '' };
  for (const kid of kids) {
    if ('#text' in kid) el.text += String(kid['#text']);
    else el.children.push(toElement(kid));
  }
  return el;
}

/** The document element, after checking what a CI's XML reader would choke on. */
function parseXml(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`junit.xml is not well-formed: ${valid.err.msg} (line ${valid.err.line}, col ${valid.err.col})`);
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) throw new Error(`junit.xml holds U+${bad[0].codePointAt(0)!.toString(16)}, which XML 1.0 forbids`);
  // fast-xml-parser's validator accepts a raw '<' in an attribute value; XML does not.
  const rawLt = /="[^"]*</.exec(xml);
  if (rawLt) throw new Error(`raw '<' in an attribute value at offset ${rawLt.index}`);
  const roots = (parser.parse(xml) as OrderedNode[]).filter((n) => !('#text' in n) && !('?xml' in n));
  if (roots.length !== 1) throw new Error(`junit.xml has ${roots.length} root elements`);
  return toElement(roots[0]!);
}

const childrenNamed = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => c.name === name);
const child = (el: XmlElement, name: string): XmlElement | undefined => {
  const found = childrenNamed(el, name);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
};

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

describe('the XML checks themselves (they must reject what is not well-formed)', () => {
  it.each([
    ['<a><b></a></b>', /not well-formed: Expected closing tag 'b'/],
    ['<a>', /not well-formed: Unclosed tag 'a'/],
    ['<a>x & y</a>', /not well-formed: char '&' is not expected/],
    ['<a>\u0001</a>', /U\+1, which XML 1.0 forbids/],
    ['<a b="<"/>', /raw '<' in an attribute value/],
    ['<a/><b/>', /2 root elements/],
  ])('%s', (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });
});

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
    expect(childrenNamed(suite, 'testcase').map((t) => t.attrs.time)).toEqual(['6.474', '0.850']);
    expect(suite.attrs.time).toBe('7.324');
  });

  it('properties: verdict, expected, flaky, ruby, every attempt', () => {
    const tc = onlyCase(cell({ verdicts: ['BYPASSED', 'PASS', 'BYPASSED'], expected: ['BYPASSED', 'HANG'], platform: { ruby: '3.3.6' } }));
    expect(['verdict', 'expected', 'flaky', 'ruby', 'attempts'].map((p) => property(tc, p))).toEqual(['BYPASSED', 'BYPASSED,HANG', 'true', '3.3.6', 'BYPASSED,PASS,BYPASSED']);
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
    expect(child(pass!, 'stackTrace')!.text).toMatch(/attempt 2 of 4: PASS \(rule clean\); expected BYPASSED: set by the test$/);
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
      '- hooks: getaddrinfo hooked 2/2 (2 remote), socket hooked 1/1, connect hooked 1/1 (1 remote); 20 exec-hook entries',
      '- intproxy 41 exited (idle) after 1 session',
      'attempt 1 of 3: PASS (rule clean); expected BYPASSED: set by the test',
    ]);
    expect(childrenNamed(tc, 'rerunFailure').map((r) => r.attrs.type)).toEqual(['PASS', 'HANG']);
    expect(child(childrenNamed(tc, 'rerunFailure')[1]!, 'stackTrace')!.text).toMatch(/^- deadlock: 2 threads blocked in futex with no CPU or layer event for 400 ms; last layer event 420 ms before\n- ruby \(pid 1005\) state S in futex \(202\)/);
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

  it.each(['CRASH', 'FAIL', 'INCONCLUSIVE', 'TIMEOUT', 'ERROR'] as VerdictKind[])('an unexpected %s cannot judge the subject: an <error>, not a <failure>', (kind) => {
    const suite = suiteOf([cell({ expected: ['BYPASSED'], verdicts: [kind] })]);
    expect(suite.attrs).toMatchObject({ failures: '0', errors: '1' });
    const tc = child(suite, 'testcase')!;
    expect(resultTags(tc)).toEqual(['error']);
    expect(child(tc, 'error')!.attrs.type).toBe(kind);
  });

  it.each(['PASS', 'BYPASSED', 'HANG', 'VANISHED'] as VerdictKind[])('an unexpected %s judged the subject, wrongly: a <failure>', (kind) => {
    const suite = suiteOf([cell({ expected: [kind === 'PASS' ? 'HANG' : 'PASS'], verdicts: [kind] })]);
    expect(suite.attrs).toMatchObject({ failures: '1', errors: '0' });
    expect(resultTags(child(suite, 'testcase')!)).toEqual(['failure']);
  });

  it('a failure first and reruns that cannot judge: failure, then rerunErrors', () => {
    expect(resultTags(onlyCase(cell({ expected: ['BYPASSED'], verdicts: ['PASS', 'ERROR', 'TIMEOUT'] })))).toEqual(['failure', 'rerunError', 'rerunError']);
  });

  it('expected verdicts that cannot judge still pass (a table row can expect them)', () => {
    expect(resultTags(onlyCase(cell({ expected: ['ERROR'], verdicts: ['ERROR', 'ERROR'] })))).toEqual([]);
    expect(resultTags(onlyCase(cell({ expected: ['INCONCLUSIVE'], verdicts: ['INCONCLUSIVE'] })))).toEqual([]);
  });

  it('no expectation: a plain pass whatever the verdict, with a note leading its system-out', () => {
    const c = cell({
      expected: [],
      expectedBecause: '--exec without --expect',
      attempts: [attempt('BYPASSED', { attempt: 1 }), attempt('TIMEOUT', { attempt: 2, observation: { stdoutTail: 'last out\n' } })],
    });
    const suite = suiteOf([c]);
    expect(suite.attrs).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    const tc = child(suite, 'testcase')!;
    expect(resultTags(tc)).toEqual([]);
    expect(property(tc, 'expected')).toBe('');
    expect(child(tc, 'system-out')!.text).toBe('no expectation (passed without comparing): verdict BYPASSED (attempts: BYPASSED, TIMEOUT); --exec without --expect\nlast out\n');
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

  it('escapes markup from workload output, so a <script> stays text and & stays literal', () => {
    const output = '<script>alert("x")</script> & <![CDATA[ ]]> &amp; done\n';
    const c = cell({ expected: ['PASS'], attempts: [attempt('BYPASSED', { observation: { stdoutTail: output, stderrTail: output } })] });
    const xml = toJUnit(resultsFile([c]));
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;![CDATA[ ]]&gt; &amp;amp; done');
    const tc = parseXml(xml).children.find((e) => e.name === 'testcase')!;
    expect(child(tc, 'system-out')!.text).toBe(output);
    expect(child(tc, 'system-err')!.text).toBe(output);
  });

  it('drops characters XML 1.0 cannot carry (NUL, BEL, ESC sequences, lone surrogates) and keeps tabs in attributes', () => {
    const nasty = 'a <b> & "c" \'d\' ]]> \u0000nul \u0007bel \x1b[31mred\x1b[0m \uD800lone \uFFFE end';
    const c = cell({
      expected: ['PASS'],
      key: { scenario: 'odd<&>"scen\tario' },
      attempts: [attempt('BYPASSED', { verdict: { summary: nasty, evidence: [{ kind: 'harness', message: nasty }] }, observation: { stdoutTail: nasty, stderrTail: `${nasty}\nline 2\n` } })],
    });
    const xml = toJUnit(resultsFile([c]));
    expect(xml).not.toMatch(/[\u0000\u0007\u001b\uFFFE]/);
    expect(xml).toContain('name="odd&lt;&amp;&gt;&quot;scen&#9;ario [unprivileged, host]"');
    const tc = parseXml(xml).children.find((e) => e.name === 'testcase')!;
    const clean = 'a <b> & "c" \'d\' ]]> nul bel red lone  end';
    expect(tc.attrs.name).toBe('odd<&>"scen\tario [unprivileged, host]');
    expect(child(tc, 'failure')!.attrs.message).toBe(clean);
    expect(child(tc, 'failure')!.text).toContain(`- harness: ${clean}`);
    expect(child(tc, 'system-err')!.text).toBe(`${clean}\nline 2\n`);
  });

  it('counts across a mixed file: failures and errors per cell, flaky and unjudged cells neither', () => {
    const suite = suiteOf([
      cell({ expected: ['PASS'], verdicts: ['BYPASSED'] }),
      cell({ expected: ['PASS'], verdicts: ['HANG', 'PASS'] }),
      cell({ expected: ['PASS'], verdicts: ['TIMEOUT', 'TIMEOUT'] }),
      cell({ expected: ['PASS'], verdicts: ['CRASH'] }),
      cell({ expected: [], verdicts: ['FAIL'] }),
      cell({ expected: ['BYPASSED'], verdicts: ['BYPASSED'] }),
    ]);
    expect(suite.attrs).toMatchObject({ tests: '6', failures: '1', errors: '2', skipped: '0' });
    expect(childrenNamed(suite, 'testcase').map(resultTags)).toEqual([['failure'], ['flakyFailure'], ['error', 'rerunError'], ['error'], [], []]);
  });

  it('an empty results file is still a valid, empty suite', () => {
    const suite = parseXml(toJUnit(resultsFile([])));
    expect(suite.attrs).toMatchObject({ tests: '0', failures: '0', errors: '0', time: '0.000' });
  });
});
