/** results.json: the one machine-readable output, written with a stable layout and read back with one-line errors. */
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, type CellResult, type ResultsFile } from '../model/result.ts';
import { resultsShapeProblem } from './results-shape.ts';

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

export function parseResultsFile(text: string, source: string): ResultsFile {
  const fail = (what: string): never => {
    throw new Error(oneLine(`${source}: ${what}`));
  };
  if (!text.trim()) fail('empty file (was the run killed before its first cell finished?)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`not a mirrord-regress results file (top level is ${Array.isArray(value) ? 'an array' : JSON.stringify(value)})`);
  }
  const obj = value as Record<string, unknown>;
  if (obj.schema !== RESULT_SCHEMA) {
    fail(`not a mirrord-regress results file (schema ${obj.schema === undefined ? 'missing' : JSON.stringify(obj.schema)})`);
  }
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    fail(`version ${JSON.stringify(version) ?? 'missing'} is not a results schema version (this tool understands ${RESULT_SCHEMA_VERSION})`);
  }
  if ((version as number) > RESULT_SCHEMA_VERSION) {
    fail(`version ${version} is newer than this tool understands (${RESULT_SCHEMA_VERSION}); upgrade mirrord-regress`);
  }
  if (version !== RESULT_SCHEMA_VERSION) {
    fail(`version ${version} is older than this tool understands (${RESULT_SCHEMA_VERSION}); rerun the matrix`);
  }
  const problem = resultsShapeProblem(obj);
  if (problem) fail(`malformed results: ${problem}`);
  return value as ResultsFile;
}
