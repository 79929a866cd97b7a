/**
 * Turns zod's issues into the one line a person fixing a results file needs: the path of the first
 * problem, what is there, and what the schema wanted there, in the words results-schema.md uses.
 */
import type { z } from 'zod';
import { expectedText, schemaAt } from './introspect.ts';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `cells[3].attempts[0].verdict.kind`; record keys that are not identifiers as `["7"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(top level)';
}

const MAX_SHOWN = 100;

/** The value as JSON, cut to a readable length; `missing` for an absent field. */
export function showValue(v: unknown): string {
  const text = v === undefined ? 'missing' : (JSON.stringify(v) ?? String(v));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** Every problem's line would be noise; the first one, fixed, lets the next one show. */
export function issueLine(issue: z.core.$ZodIssue, root: z.core.$ZodType, input: unknown): string {
  const where = formatPath(issue.path);
  const shown = showValue(valueAt(input, issue.path));
  if (issue.code === 'custom') {
    const expected = (issue.params as { expected?: string } | undefined)?.expected;
    return expected ? `${where} is ${shown}, expected ${expected}` : `${where} ${shown} ${issue.message}`;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    // zod points at the tag itself; the options it lists are the tags the union knows.
    const options = (issue as { options?: unknown[] }).options ?? [];
    return `${where} is ${shown}, expected one of ${options.join(', ')}`;
  }
  const schema = schemaAt(root, issue.path, input);
  return `${where} is ${shown}, expected ${schema ? expectedText(schema) : issue.message}`;
}

export type Checked<T> = { data: T; problem?: undefined } | { data?: undefined; problem: string };

/** The parsed value, or one line about the first problem (in document order). */
export function check<S extends z.ZodType>(schema: S, input: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  const first = result.error.issues[0];
  return { problem: first ? issueLine(first, schema, input) : result.error.message.replace(/\s+/g, ' ') };
}
