/**
 * Checks that parsed JSON has the shape the reports read (not every optional field), so a
 * hand-edited or truncated results.json fails with the path of the first problem, not a TypeError.
 */
import { VERDICT_KINDS, cellId, type CellKey } from '../model/result.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isVerdict = (v: unknown): boolean => typeof v === 'string' && (VERDICT_KINDS as readonly string[]).includes(v);
const show = (v: unknown): string => {
  const text = v === undefined ? 'missing' : (JSON.stringify(v) ?? String(v));
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

/** `undefined` when fine, else one line: where and what. */
type Problem = string | undefined;

function field(obj: Json, path: string, name: string, want: string, ok: (v: unknown) => boolean): Problem {
  return ok(obj[name]) ? undefined : `${path ? `${path}.` : ''}${name} is ${show(obj[name])}, expected ${want}`;
}

function first(...checks: (() => Problem)[]): Problem {
  for (const check of checks) {
    const p = check();
    if (p) return p;
  }
  return undefined;
}

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const bool = (v: unknown) => typeof v === 'boolean';
const arr = (v: unknown) => Array.isArray(v);

function checkAttempt(a: unknown, path: string): Problem {
  if (!isObject(a)) return `${path} is ${show(a)}, expected an object`;
  return first(
    () => field(a, path, 'attempt', 'a number', num),
    () => field(a, path, 'observation', 'an object', isObject),
    () => field(a, path, 'verdict', 'an object', isObject),
    () => {
      const o = a.observation as Json;
      return first(
        () => field(o, `${path}.observation`, 'durationMs', 'a number', num),
        () => field(o, `${path}.observation`, 'stdoutTail', 'a string', str),
        () => field(o, `${path}.observation`, 'stderrTail', 'a string', str),
      );
    },
    () => {
      const v = a.verdict as Json;
      return first(
        () => field(v, `${path}.verdict`, 'kind', `one of ${VERDICT_KINDS.join(', ')}`, isVerdict),
        () => field(v, `${path}.verdict`, 'summary', 'a string', str),
        () => field(v, `${path}.verdict`, 'evidence', 'an array', arr),
      );
    },
  );
}

function checkCell(c: unknown, path: string): Problem {
  if (!isObject(c)) return `${path} is ${show(c)}, expected an object`;
  return first(
    () => field(c, path, 'id', 'a string', str),
    () => field(c, path, 'key', 'an object', isObject),
    () => {
      const k = c.key as Json;
      const p = `${path}.key`;
      return first(
        () => field(k, p, 'subject', 'a string', str),
        () => field(k, p, 'strategy', 'a string or null', (v) => v === null || str(v)),
        () => field(k, p, 'scenario', 'a string', str),
        () => field(k, p, 'runAs', 'a string', str),
        () => field(k, p, 'runner', 'a string', str),
      );
    },
    () => {
      const want = cellId(c.key as unknown as CellKey);
      return c.id === want ? undefined : `${path}.id ${show(c.id)} does not match its key (${want})`;
    },
    () => field(c, path, 'expected', 'an array of verdicts', (v) => arr(v) && (v as unknown[]).every(isVerdict)),
    () => field(c, path, 'expectedBecause', 'a string', str),
    () => field(c, path, 'verdict', `one of ${VERDICT_KINDS.join(', ')}`, isVerdict),
    () => field(c, path, 'flaky', 'a boolean', bool),
    () => field(c, path, 'matchesExpectation', 'a boolean', bool),
    () => field(c, path, 'platform', 'an object', isObject),
    () => field(c, path, 'attempts', 'a non-empty array', (v) => arr(v) && (v as unknown[]).length > 0),
    () => first(...(c.attempts as unknown[]).map((a, i) => () => checkAttempt(a, `${path}.attempts[${i}]`))),
  );
}

/** The first problem with a results file's body (schema and version already checked), if any. */
export function resultsShapeProblem(file: Json): Problem {
  return first(
    () => field(file, '', 'tool', 'an object', isObject),
    () => field(file, '', 'createdAt', 'a string', str),
    () => field(file, '', 'shard', 'absent or {index, total}', (v) => v === undefined || (isObject(v) && num(v.index) && num(v.total))),
    () => field(file, '', 'plan', 'an object', isObject),
    () => field(file.plan as Json, 'plan', 'cells', 'an array of cell ids', (v) => arr(v) && (v as unknown[]).every(str)),
    () => field(file, '', 'cells', 'an array', arr),
    () => first(...(file.cells as unknown[]).map((c, i) => () => checkCell(c, `cells[${i}]`))),
  );
}
