/**
 * Generates harness/reports/results-schema.md from the zod schemas in result.ts, so the field-by-field
 * doc cannot drift from what the harness writes and validates. `npm run schema:doc` rewrites the file;
 * `npm run schema:doc -- --check` only says whether it is current (test/model/schema-doc.test.ts
 * does the same in the test suite). The prose around the tables lives here; the tables come from the
 * schemas' names (`.meta({ id })`) and descriptions (`.describe()`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { allowedValues, defOf, descriptionOf, isInteger, metaOf, nameOf, unwrap } from './introspect.ts';
import {
  AttemptSchema,
  BUG_VERDICTS,
  CellKeySchema,
  CellResultSchema,
  ClusterSideSchema,
  EventSummarySchema,
  EvidenceItemSchema,
  HookTallySchema,
  ObservationSchema,
  PlatformSchema,
  ProcessSnapshotSchema,
  RESULT_SCHEMA,
  RESULT_SCHEMA_VERSION,
  ResultsFileSchema,
  VERDICT_KINDS,
  VerdictKindSchema,
  VerdictSchema,
  WorkloadStepSchema,
  exitCodeFor,
} from './result.ts';

type Schema = z.core.$ZodType;

export const DOC_PATH = fileURLToPath(new URL('../reports/results-schema.md', import.meta.url));

/** A section of the doc: one named schema, under a heading of this depth. */
export interface Section {
  level: 2 | 3 | 4;
  schema: Schema;
  /** Prose after the schema's own description. */
  note?: string;
  /** Replaces the generated table, for a section that says more than its schema does. */
  body?: () => string[];
}

// ---------------------------------------------------------------------------------------------
// Markdown helpers

/** Text for a table cell: `|` escaped everywhere; `<`, `>` and `&` escaped outside code spans. */
export function cellText(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|')
    .replace(/\s+/g, ' ')
    .trim();
}

const code = (v: unknown): string => `\`${typeof v === 'string' ? JSON.stringify(v) : String(v)}\``;

/** GitHub's anchor for a heading that is a plain name. */
const anchor = (name: string): string => `#${name.toLowerCase()}`;

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

// ---------------------------------------------------------------------------------------------
// Types in words

class Renderer {
  private readonly sectioned: Set<string>;

  constructor(sections: Section[]) {
    this.sectioned = new Set(sections.map((s) => nameOf(s.schema)).filter((n): n is string => n !== undefined));
  }

  /** `[CellKey](#cellkey)`, `string, optional`, `integer \| null`, ... (already escaped for a table). */
  type(s: Schema): string {
    const u = unwrap(s);
    let text = this.core(u.schema);
    if (u.nullable) text += ' \\| `null`';
    if (u.default) text += `, default ${code(u.default.value)}`;
    else if (u.optional) text += ', optional';
    return text;
  }

  private core(s: Schema): string {
    const name = nameOf(s);
    if (name && this.sectioned.has(name)) return `[${name}](${anchor(name)})`;
    const d = defOf(s);
    const values = allowedValues(s);
    if (values) return values.map(code).join(' \\| ');
    switch (d.type) {
      case 'string':
        return d.format === 'datetime' ? 'ISO 8601 date-time string' : 'string';
      case 'number': {
        const noun = isInteger(d) ? 'integer' : 'number';
        const min = d.checks?.map((c) => c._zod.def).find((c) => c.check === 'greater_than');
        if (min?.value === 0) return `${min.inclusive ? 'non-negative' : 'positive'} ${noun}`;
        return noun;
      }
      case 'boolean':
        return 'boolean';
      case 'array': {
        const element = unwrap(d.element!).schema;
        const inner = defOf(element).type === 'object' && !nameOf(element) ? 'object' : this.type(d.element!);
        const nonEmpty = d.checks?.some((c) => c._zod.def.check === 'min_length' && (c._zod.def.minimum ?? 0) > 0);
        return `${/ |\\\|/.test(inner) ? `(${inner})` : inner}[]${nonEmpty ? ', non-empty' : ''}`;
      }
      case 'record': {
        const key = metaOf(s)?.key;
        return `{ [${typeof key === 'string' ? key : 'key'}]: ${this.type(d.valueType!)} }`;
      }
      case 'object':
        return 'object';
      case 'union':
        return (d.options ?? []).map((o) => this.type(o)).join(' \\| ');
      default:
        throw new Error(`schema-doc: no words for a zod ${d.type} schema${name ? ` (${name})` : ''}`);
    }
  }

  /** One row per field, then rows for the fields of unnamed nested objects (`tool.name`, `threads[].tid`). */
  fieldRows(shape: Record<string, Schema>, prefix = '', owner = ''): string[][] {
    const rows: string[][] = [];
    for (const [field, schema] of Object.entries(shape)) {
      const path = `${prefix}${field}`;
      const description = descriptionOf(schema);
      if (!description) throw new Error(`schema-doc: ${owner}.${path} has no description; give it one with .describe() in harness/model/result.ts`);
      rows.push([`\`${path}\``, this.type(schema), cellText(description)]);
      const nested = this.unnamedObject(schema);
      if (nested) rows.push(...this.fieldRows(nested.shape, `${path}${nested.array ? '[]' : ''}.`, owner));
    }
    return rows;
  }

  private unnamedObject(s: Schema): { shape: Record<string, Schema>; array: boolean } | undefined {
    let core = unwrap(s).schema;
    let array = false;
    if (defOf(core).type === 'array') {
      core = unwrap(defOf(core).element!).schema;
      array = true;
    }
    const d = defOf(core);
    return d.type === 'object' && !nameOf(core) ? { shape: d.shape ?? {}, array } : undefined;
  }

  section(sec: Section): string[] {
    const name = nameOf(sec.schema);
    if (!name) throw new Error('schema-doc: every section needs a named schema (.meta({ id }))');
    const description = descriptionOf(sec.schema);
    if (!description) throw new Error(`schema-doc: ${name} has no description`);
    const out = [`${'#'.repeat(sec.level)} ${name}`, '', description];
    if (sec.note) out.push('', sec.note);
    out.push('');
    const d = defOf(sec.schema);
    if (sec.body) {
      out.push(...sec.body());
    } else if (d.type === 'object') {
      out.push(...table(['Field', 'Type', 'Meaning'], this.fieldRows(d.shape ?? {}, '', name)));
    } else if (d.type === 'enum') {
      const meanings = metaOf(sec.schema)?.values as Record<string, string> | undefined;
      out.push(...table(['Value', 'Meaning'], (allowedValues(sec.schema) ?? []).map((v) => [code(v), cellText(meanings?.[String(v)] ?? '')])));
    } else if (d.type === 'union' && d.discriminator) {
      out.push(...this.union(d.discriminator, d.options ?? [], name, sec.level + 1));
    } else {
      throw new Error(`schema-doc: cannot lay out ${name} (a zod ${d.type})`);
    }
    out.push('');
    return out;
  }

  /** A summary table of the variants, then each variant's fields. */
  private union(tag: string, options: Schema[], owner: string, level: number): string[] {
    const variants = options.map((o) => {
      const shape = defOf(o).shape ?? {};
      const value = allowedValues(unwrap(shape[tag]!).schema)?.[0];
      const description = descriptionOf(o);
      if (!description) throw new Error(`schema-doc: the ${owner} variant ${tag}=${String(value)} has no description`);
      const fields = Object.fromEntries(Object.entries(shape).filter(([k]) => k !== tag));
      return { value: String(value), description, fields };
    });
    const out = table([`\`${tag}\``, 'Meaning'], variants.map((v) => [`[\`${v.value}\`](${anchor(v.value)})`, cellText(v.description)]));
    for (const v of variants) {
      out.push('', `${'#'.repeat(level)} \`${v.value}\``, '', v.description, '');
      out.push(...table(['Field', 'Type', 'Meaning'], this.fieldRows(v.fields, '', `${owner}[${tag}=${v.value}]`)));
    }
    return out;
  }
}

/** Every named object or union reachable from `root` must have a section, or links would go nowhere. */
function checkCovered(root: Schema, sections: Section[]): void {
  const sectioned = new Set(sections.map((s) => nameOf(s.schema)));
  const seen = new Set<Schema>();
  const visit = (s: Schema, where: string): void => {
    if (seen.has(s)) return;
    seen.add(s);
    const core = unwrap(s).schema;
    const d = defOf(core);
    const name = nameOf(core);
    if (name && (d.type === 'object' || d.type === 'union') && !sectioned.has(name)) {
      throw new Error(`schema-doc: ${name} (at ${where}) has no section`);
    }
    for (const [k, v] of Object.entries(d.shape ?? {})) visit(v, `${where}.${k}`);
    if (d.element) visit(d.element, `${where}[]`);
    if (d.valueType) visit(d.valueType, `${where}{}`);
    for (const o of d.options ?? []) visit(o, where);
  };
  visit(root, nameOf(root) ?? 'root');
}

/** The tables for `sections`, in order (exported so a test can render schemas of its own). */
export function renderSections(sections: Section[]): string[] {
  const r = new Renderer(sections);
  return sections.flatMap((s) => r.section(s));
}

// ---------------------------------------------------------------------------------------------
// The document

const SECTIONS: Section[] = [
  {
    level: 2,
    schema: VerdictKindSchema,
    note: [
      'Only BYPASSED, HANG and VANISHED show the bug, each with its own evidence. PASS needs evidence too:',
      'that a hook that can show the bug was reached. Everything else says nothing about the subject either',
      'way, so `mirrord-regress run` exits 125 for it, and `git bisect run` skips the commit.',
    ].join('\n'),
    body: verdictKindTable,
  },
  { level: 2, schema: ResultsFileSchema },
  { level: 2, schema: CellResultSchema },
  { level: 3, schema: CellKeySchema },
  { level: 3, schema: PlatformSchema },
  { level: 2, schema: AttemptSchema },
  { level: 3, schema: VerdictSchema },
  { level: 3, schema: EvidenceItemSchema, note: 'Which items a verdict carries depends on the rule that decided it (see the header of harness/verdict/decide.ts).' },
  { level: 3, schema: ObservationSchema },
  { level: 4, schema: WorkloadStepSchema },
  { level: 4, schema: EventSummarySchema },
  { level: 4, schema: HookTallySchema },
  { level: 4, schema: ProcessSnapshotSchema },
  { level: 4, schema: ClusterSideSchema },
];

function verdictKindTable(): string[] {
  const rows = VERDICT_KINDS.map((k) => {
    const meaning = (metaOf(VerdictKindSchema)?.values as Record<string, string>)[k] ?? '';
    return [code(k), BUG_VERDICTS.includes(k) ? 'yes' : 'no', String(exitCodeFor(k)), cellText(meaning)];
  });
  return table(['Kind', 'The bug', '`run` exits', 'Meaning'], rows);
}

export function renderSchemaDoc(): string {
  checkCovered(ResultsFileSchema, SECTIONS);
  const lines = [
    '# results.json',
    '',
    '<!-- Generated from the zod schemas in harness/model/result.ts by `npm run schema:doc`. Do not edit:',
    '     change the descriptions there and regenerate; a test fails when this file is stale. -->',
    '',
    'The machine-readable output of `mirrord-regress matrix` and `mirrord-regress report merge`, and the',
    'only input of every other report (junit.xml, summary.md, the terminal table): reports never re-run',
    'anything. The zod schemas in `harness/model/result.ts` are the source of truth: the TypeScript types',
    'are inferred from them, the reader validates with them, and this page is generated from them.',
    '',
    '- Written by `harness/reports/json.ts` (`toResultsJson`): UTF-8, 2-space indentation, a final',
    '  newline, top-level and cell fields in the order below. Fields whose value is absent are left out,',
    '  never written as `null`; only fields whose type includes `null` are ever `null`.',
    '- Read by `parseResultsFile`, which checks the whole file against the schema and reports the first',
    '  problem in one line: the file, the path of the field, what is there and what was expected, e.g.',
    '  `all/results.json: cells[3].attempts[0].verdict.kind is "MAYBE", expected one of PASS, BYPASSED, ...`.',
    '  Fields it does not know are ignored (and dropped when `report merge` rewrites the file).',
    '- During a run the file is rewritten atomically after every finished cell, so a killed run leaves',
    '  a valid file holding the cells that finished (`matrix --resume` runs the rest).',
    '',
    '## Versioning',
    '',
    `This page describes version ${RESULT_SCHEMA_VERSION} of \`${RESULT_SCHEMA}\`. \`version\` is bumped on any change an`,
    'older reader would misread: a field renamed, removed or made required, or its meaning changed. Adding',
    'an optional field does not bump it. A reader refuses every other version in one line that says which',
    `version wrote the file and what to do, e.g. \`written by schema version 1; this harness reads version ${RESULT_SCHEMA_VERSION}: rerun the matrix\``,
    '(for a newer file: upgrade mirrord-regress).',
    '',
    'Version 2 added the verdicts FAIL, INCONCLUSIVE and TIMEOUT (in version 1 a non-zero exit without',
    'evidence of the bug was an ERROR, and every timeout a HANG); HANG now means a deadlock the runner',
    'saw, not a timeout. It added `observation.deadlock`, `observation.evidenceSource`, per-thread state',
    'and CPU time in process snapshots, the `deadlock`, `hooks-exercised` and `not-exercised` evidence,',
    'and cells without expectation (`expected` empty, `matchesExpectation` `null`).',
    '',
    'Version 3 added `observation.cluster` (what the cluster saw of an attempt run against it: its agent,',
    'the cluster DNS\'s queries and the service\'s requests from that agent) and the `cluster-dns`,',
    '`cluster-service` and `agent` evidence. `lab@X` now names the lab run as a release against the',
    'cluster, as real mirrord is run; `lab-exec@X` is the lab\'s all-in-one `mirrord-lab exec`.',
    '',
    ...renderSections(SECTIONS),
  ];
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function main(argv: string[]): number {
  const doc = renderSchemaDoc();
  let current: string | undefined;
  try {
    current = readFileSync(DOC_PATH, 'utf8');
  } catch {
    current = undefined;
  }
  if (argv.includes('--check')) {
    if (current === doc) return 0;
    process.stderr.write(`${DOC_PATH} is out of date with harness/model/result.ts: run npm run schema:doc\n`);
    return 1;
  }
  if (current !== doc) writeFileSync(DOC_PATH, doc);
  process.stdout.write(`${current === doc ? 'unchanged' : 'wrote'} ${DOC_PATH}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
