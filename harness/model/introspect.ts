/**
 * Reading the result model's zod schemas back: their names, descriptions and shapes. Validation
 * messages and the generated results-schema.md both describe types through these helpers, so the
 * words a reader sees in an error are the words of the doc.
 *
 * Only the zod features the model uses are understood (objects, arrays, records, enums, literals,
 * discriminated unions, optional/nullable/default); anything else reads as "a value".
 */
import { z } from 'zod';

type Schema = z.core.$ZodType;

interface Check {
  check: string;
  value?: unknown;
  minimum?: number;
  inclusive?: boolean;
}

/** The parts of a zod 4 definition the model's schemas use. */
export interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  entries?: Record<string, string | number>;
  values?: unknown[];
  defaultValue?: unknown;
  format?: string;
  checks?: { _zod: { def: Check } }[];
}

export const defOf = (s: Schema): Def => s._zod.def as unknown as Def;

export const metaOf = (s: Schema): z.core.GlobalMeta | undefined => z.globalRegistry.get(s);

/** The description given with `.describe()`/`.meta()`, inherited through clones. */
export const descriptionOf = (s: Schema): string | undefined => metaOf(s)?.description;

/**
 * The name a schema was given with `.meta({ id })`. A field that re-describes a named schema is a
 * clone of it, and zod does not let clones inherit the id, so walk up to the schema it came from.
 */
export function nameOf(s: Schema): string | undefined {
  for (let cur: Schema | undefined = s; cur; cur = cur._zod.parent) {
    const id = metaOf(cur)?.id;
    if (id) return id;
  }
  return undefined;
}

export interface Unwrapped {
  /** The schema of the value when there is one. */
  schema: Schema;
  optional: boolean;
  nullable: boolean;
  /** Present when a default fills in an absent value. */
  default?: { value: unknown };
}

/** Strips optional/nullable/default wrappers. */
export function unwrap(s: Schema): Unwrapped {
  const out: Unwrapped = { schema: s, optional: false, nullable: false };
  for (;;) {
    const d = defOf(out.schema);
    if (d.type === 'optional') out.optional = true;
    else if (d.type === 'nullable') out.nullable = true;
    else if (d.type === 'default') {
      out.optional = true;
      out.default = { value: typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue };
    } else if (d.type === 'readonly' || d.type === 'nonoptional' || d.type === 'catch') {
      // Transparent for our purposes.
    } else if (d.type === 'pipe' && d.in) {
      out.schema = d.in;
      continue;
    } else return out;
    out.schema = d.innerType!;
  }
}

/** Allowed values of an enum or literal schema, in declaration order. */
export function allowedValues(s: Schema): unknown[] | undefined {
  const d = defOf(s);
  if (d.type === 'enum') return Object.values(d.entries ?? {});
  if (d.type === 'literal') return d.values;
  return undefined;
}

/** The variant of a discriminated union whose discriminator matches `value`, if any. */
export function variantFor(s: Schema, value: unknown): Schema | undefined {
  const d = defOf(s);
  if (d.type !== 'union' || !d.discriminator || typeof value !== 'object' || value === null) return undefined;
  const tag = (value as Record<string, unknown>)[d.discriminator];
  return d.options?.find((o) => {
    const field = defOf(o).shape?.[d.discriminator!];
    return field !== undefined && (allowedValues(unwrap(field).schema) ?? []).includes(tag);
  });
}

/** The schema that validates `input` at `path`, following discriminated unions by the input's tags. */
export function schemaAt(root: Schema, path: readonly PropertyKey[], input: unknown): Schema | undefined {
  let s: Schema | undefined = root;
  let v: unknown = input;
  for (const seg of path) {
    if (!s) return undefined;
    let core: Schema = unwrap(s).schema;
    if (defOf(core).discriminator) {
      const variant = variantFor(core, v);
      if (!variant) return undefined;
      core = variant;
    }
    const d = defOf(core);
    if (d.type === 'object') s = d.shape?.[String(seg)] ?? d.catchall;
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'record') s = d.valueType;
    else return undefined;
    v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return s;
}

/** `greater_than` bounds of a number schema, as words: `positive`, `non-negative`, `>= 3`. */
function lowerBound(d: Def): string | undefined {
  const check = d.checks?.map((c) => c._zod.def).find((c) => c.check === 'greater_than');
  if (!check || typeof check.value !== 'number') return undefined;
  if (check.value === 0) return check.inclusive ? 'non-negative' : 'positive';
  return `${check.inclusive ? '>=' : '>'} ${check.value}`;
}

const minLength = (d: Def): number | undefined => d.checks?.map((c) => c._zod.def).find((c) => c.check === 'min_length')?.minimum;

export const isInteger = (d: Def): boolean => d.type === 'number' && d.format === 'safeint';

const article = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** What a value of this schema is, in plain words, for "expected ..." in validation messages. */
export function expectedText(s: Schema): string {
  const u = unwrap(s);
  let text = coreText(u.schema);
  if (u.nullable) text += ' or null';
  if (u.optional) text += ', or absent';
  return text;
}

function coreText(s: Schema): string {
  const d = defOf(s);
  const values = allowedValues(s);
  if (values) return values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(', ')}`;
  switch (d.type) {
    case 'string':
      return d.format === 'datetime' ? 'an ISO 8601 date-time (e.g. 2025-06-02T09:41:07.000Z)' : 'a string';
    case 'number': {
      const bound = lowerBound(d);
      const noun = isInteger(d) ? 'integer' : 'number';
      if (!bound) return article(noun);
      return /^[<>]/.test(bound) ? `${article(noun)} ${bound}` : `${article(bound)} ${noun}`;
    }
    case 'boolean':
      return 'a boolean';
    case 'null':
      return 'null';
    case 'array':
      return (minLength(d) ?? 0) > 0 ? 'a non-empty array' : 'an array';
    case 'object':
    case 'record':
    case 'union': {
      const name = nameOf(s);
      if (name) return `${article(name)} object`;
      return d.type === 'union' ? 'a value' : 'an object';
    }
    default:
      return 'a value';
  }
}
