/**
 * junit.xml in the Maven Surefire dialect (mirrord's CI counts reruns and flakes the Surefire way):
 * one testcase per cell, each attempt a run of it. A test "passes" when its attempts show what the
 * expectation table allows, so a known-bad cell that shows the bug is a pass. An unexpected PASS or
 * bug verdict is a <failure> (the subject was judged, wrongly); any other unexpected verdict is an
 * <error>: the attempt could not judge the subject at all. A cell without expectation passes, with
 * a note saying so.
 */
import { isBugVerdict, type Attempt, type CellResult, type ResultsFile } from '../model/result.ts';
import { expectedText, oneLine } from './cell-view.ts';
import { formatEvidence } from './evidence.ts';
import { xmlAttr, xmlText } from './xml-text.ts';

type Outcome = 'passed' | 'unjudged' | 'flaky' | 'failure' | 'error';

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const cellMs = (cell: CellResult): number => cell.attempts.reduce((sum, a) => sum + a.observation.durationMs, 0);
const matches = (cell: CellResult, a: Attempt): boolean => cell.expected.includes(a.verdict.kind);

/** CRASH, FAIL, INCONCLUSIVE, TIMEOUT, ERROR: the attempt says nothing about the bug either way. */
const cannotJudge = (a: Attempt): boolean => a.verdict.kind !== 'PASS' && !isBugVerdict(a.verdict.kind);

function outcomeOf(cell: CellResult): Outcome {
  if (cell.matchesExpectation === null) return 'unjudged';
  const matching = cell.attempts.filter((a) => matches(cell, a)).length;
  if (matching === cell.attempts.length) return 'passed';
  if (matching > 0) return 'flaky';
  return cell.attempts[0] && cannotJudge(cell.attempts[0]) ? 'error' : 'failure';
}

/** For a cell without expectation: what it showed, since nothing else in the testcase says so. */
function unjudgedNote(cell: CellResult): string {
  const kinds = cell.attempts.map((a) => a.verdict.kind).join(', ');
  return `no expectation (passed without comparing): verdict ${cell.verdict}${cell.attempts.length > 1 ? ` (attempts: ${kinds})` : ''}; ${oneLine(cell.expectedBecause)}\n`;
}

/** What a CI reader needs under the one-line message: the evidence, then what was expected and why. */
function body(cell: CellResult, a: Attempt): string {
  const lines = formatEvidence(a.verdict.evidence).map((l) => `- ${oneLine(l)}`);
  lines.push(`attempt ${a.attempt} of ${cell.attempts.length}: ${a.verdict.kind} (rule ${a.verdict.rule}); expected ${expectedText(cell)}: ${oneLine(cell.expectedBecause)}`);
  return lines.join('\n');
}

const attrs = (a: Attempt): string => `message="${xmlAttr(oneLine(a.verdict.summary))}" type="${a.verdict.kind}"`;

function tails(a: Attempt, indent: string): string[] {
  const out: string[] = [];
  if (a.observation.stdoutTail) out.push(`${indent}<system-out>${xmlText(a.observation.stdoutTail)}</system-out>`);
  if (a.observation.stderrTail) out.push(`${indent}<system-err>${xmlText(a.observation.stderrTail)}</system-err>`);
  return out;
}

/** `failure`/`error`: the first run; the body is the evidence. */
function firstRun(tag: 'failure' | 'error', cell: CellResult, a: Attempt): string[] {
  return [`    <${tag} ${attrs(a)}>${xmlText(body(cell, a))}</${tag}>`];
}

/** `rerunFailure`, `rerunError`, `flakyFailure`: a later or passing-overall run, with its own output. */
function otherRun(tag: string, cell: CellResult, a: Attempt): string[] {
  return [`    <${tag} ${attrs(a)}>`, `      <stackTrace>${xmlText(body(cell, a))}</stackTrace>`, ...tails(a, '      '), `    </${tag}>`];
}

function properties(cell: CellResult): string[] {
  const props: [string, string][] = [
    ['verdict', cell.verdict],
    ['expected', cell.expected.join(',')],
    ['flaky', String(cell.flaky)],
    ['ruby', cell.platform.ruby ?? 'unknown'],
    ['attempts', cell.attempts.map((a) => a.verdict.kind).join(',')],
    ['expected-because', oneLine(cell.expectedBecause)],
  ];
  return ['    <properties>', ...props.map(([n, v]) => `      <property name="${n}" value="${xmlAttr(v)}"/>`), '    </properties>'];
}

/** Children in the order Surefire's schema gives them (failure, reruns, flakes, error, reruns). */
function results(cell: CellResult, outcome: Outcome): string[] {
  const [head, ...later] = cell.attempts;
  if (!head || outcome === 'passed' || outcome === 'unjudged') return [];
  if (outcome === 'flaky') return cell.attempts.filter((a) => !matches(cell, a)).flatMap((a) => otherRun('flakyFailure', cell, a));
  return [
    ...(outcome === 'failure' ? firstRun('failure', cell, head) : []),
    ...later.filter((a) => !cannotJudge(a)).flatMap((a) => otherRun('rerunFailure', cell, a)),
    ...(outcome === 'error' ? firstRun('error', cell, head) : []),
    ...later.filter(cannotJudge).flatMap((a) => otherRun('rerunError', cell, a)),
  ];
}

function testcase(cell: CellResult, outcome: Outcome): string[] {
  const { subject, strategy, scenario, runAs, runner } = cell.key;
  const last = cell.attempts[cell.attempts.length - 1];
  const note = outcome === 'unjudged' ? unjudgedNote(cell) : '';
  const own: Attempt | undefined = last && note ? { ...last, observation: { ...last.observation, stdoutTail: note + last.observation.stdoutTail } } : last;
  return [
    `  <testcase classname="${xmlAttr(`${subject}.${strategy ?? '-'}`)}" name="${xmlAttr(`${scenario} [${runAs}, ${runner}]`)}" time="${seconds(cellMs(cell))}">`,
    ...properties(cell),
    ...results(cell, outcome),
    ...(own ? tails(own, '    ') : []),
    '  </testcase>',
  ];
}

export function toJUnit(file: ResultsFile): string {
  const outcomes = file.cells.map(outcomeOf);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const totalMs = file.cells.reduce((sum, c) => sum + cellMs(c), 0);
  const suiteProps: [string, string][] = [
    ['tool', `${file.tool.name} ${file.tool.version}`],
    ['schema', `${file.schema}@${file.version}`],
    ['createdAt', file.createdAt],
    ...(file.shard ? [['shard', `${file.shard.index}/${file.shard.total}`] as [string, string]] : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="mirrord-regress" tests="${file.cells.length}" failures="${count('failure')}" errors="${count('error')}" skipped="0" time="${seconds(totalMs)}">`,
    '  <properties>',
    ...suiteProps.map(([n, v]) => `    <property name="${n}" value="${xmlAttr(v)}"/>`),
    '  </properties>',
    ...file.cells.flatMap((c, i) => testcase(c, outcomes[i]!)),
    '</testsuite>',
    '',
  ].join('\n');
}
