/** results.json: the one machine-readable output, written with a stable layout and read back with one-line errors. */
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, ResultsFileSchema, type CellResult, type ResultsFile } from '../model/result.ts';
import { check } from '../model/validate.ts';

// Fields humans and diffs look at first come first, whatever order the objects were built in.
const FILE_ORDER = ['schema', 'version', 'tool', 'createdAt', 'shard', 'plan', 'cells'] as const;
const CELL_ORDER = ['id', 'key', 'verdict', 'expected', 'expectedBecause', 'matchesExpectation', 'flaky', 'platform', 'attempts'] as const;

function ordered<T extends object>(obj: T, order: readonly string[]): T {
  const rest = Object.keys(obj).filter((k) => !order.includes(k));
  return Object.fromEntries([...order, ...rest].filter((k) => k in obj).map((k) => [k, (obj as Record<string, unknown>)[k]])) as T;
}

export function toResultsJson(file: ResultsFile): string {
  const cells = file.cells.map((c: CellResult) => ordered(c, CELL_ORDER));
  return JSON.stringify(ordered({ ...file, cells }, FILE_ORDER), null, 2) + '\n';
}

/** One line, whatever the underlying message holds. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Whether JSON.parse failed because the text stops early (a partial copy or download; the
 * harness itself writes results atomically) rather than on something malformed in the middle.
 */
function endsEarly(text: string, error: Error): boolean {
  if (/end of JSON input/i.test(error.message)) return true;
  const at = /at position (\d+)/.exec(error.message);
  return at !== null && Number(at[1]) >= text.trimEnd().length;
}

export function parseResultsFile(text: string, source: string): ResultsFile {
  const fail = (what: string): never => {
    throw new Error(oneLine(`${source}: ${what}`));
  };
  if (!text.trim()) fail('empty file (was the run killed before its first cell finished?)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const error = e as Error;
    if (endsEarly(text, error)) fail(`truncated: the JSON stops after ${Buffer.byteLength(text, 'utf8')} bytes, in the middle of a value (a partial copy?)`);
    fail(`not valid JSON (${error.message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`not a mirrord-regress results file (top level is ${Array.isArray(value) ? 'an array' : JSON.stringify(value)})`);
  }
  const obj = value as Record<string, unknown>;
  if (obj.schema !== RESULT_SCHEMA) {
    fail(`not a mirrord-regress results file (schema ${obj.schema === undefined ? 'missing' : JSON.stringify(obj.schema)})`);
  }
  // The version decides how to read the rest, so it is judged before the shape is.
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    fail(`version ${JSON.stringify(version) ?? 'missing'} is not a results schema version (this harness reads version ${RESULT_SCHEMA_VERSION})`);
  }
  if (version !== RESULT_SCHEMA_VERSION) {
    const remedy = (version as number) > RESULT_SCHEMA_VERSION ? 'upgrade mirrord-regress' : 'rerun the matrix';
    fail(`written by schema version ${version}; this harness reads version ${RESULT_SCHEMA_VERSION}: ${remedy}`);
  }
  const checked = check(ResultsFileSchema, obj);
  if (checked.problem !== undefined) return fail(checked.problem);
  return checked.data;
}
