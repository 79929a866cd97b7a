/** results-schema.md is generated from the zod schema: it must be current, and the generator must refuse gaps. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DOC_PATH, cellText, renderSchemaDoc, renderSections } from '../../harness/model/schema-doc.ts';
import { EvidenceItemSchema, ObservationSchema, VERDICT_KINDS } from '../../harness/model/result.ts';

describe('results-schema.md', () => {
  it('is what `npm run schema:doc` generates from harness/model/result.ts (regenerate it when this fails)', () => {
    // A plain equality would print a 400-line diff; the first differing line says what to look at.
    const committed = readFileSync(DOC_PATH, 'utf8').split('\n');
    const generated = renderSchemaDoc().split('\n');
    const at = generated.findIndex((line, i) => line !== committed[i]);
    const firstDifference = at === -1 && committed.length !== generated.length ? generated.length : at;
    expect(firstDifference === -1 ? 'current' : `line ${firstDifference + 1}: committed ${JSON.stringify(committed[firstDifference])}, generated ${JSON.stringify(generated[firstDifference])}`).toBe('current');
  });

  it('documents every verdict kind, every evidence kind and every observation field', () => {
    const doc = renderSchemaDoc();
    for (const k of VERDICT_KINDS) expect(doc).toContain(`| \`"${k}"\` |`);
    for (const option of EvidenceItemSchema.options) expect(doc).toContain(`#### \`${option.shape.kind.value}\``);
    for (const field of Object.keys(ObservationSchema.shape)) expect(doc).toContain(`| \`${field}\` |`);
    expect(doc).toContain('| `deadlock.lastEventAgoMs` | non-negative number \\| `null` |');
    expect(doc).toContain('| `threads[].timedWait` | boolean, optional |');
  });
});

describe('the generator', () => {
  const Inner = z.object({ n: z.int().describe('A count.') }).meta({ id: 'Inner', description: 'Something nested.' });

  it('renders names as links, wrappers as words, and unnamed nested objects as dotted rows', () => {
    const Outer = z
      .object({
        inner: Inner.nullable().describe('The inner one.'),
        mode: z.enum(['a', 'b']).default('a').describe('Which | mode.'),
        box: z.object({ size: z.number().nonnegative().optional().describe('Its size, in <units>.') }).describe('A box.'),
      })
      .meta({ id: 'Outer', description: 'The outside.' });
    const text = renderSections([{ level: 2, schema: Outer }, { level: 3, schema: Inner }]).join('\n');
    expect(text).toContain('## Outer\n\nThe outside.\n');
    expect(text).toContain('| `inner` | [Inner](#inner) \\| `null` | The inner one. |');
    expect(text).toContain('| `mode` | `"a"` \\| `"b"`, default `"a"` | Which \\| mode. |');
    expect(text).toContain('| `box.size` | non-negative number, optional | Its size, in &lt;units&gt;. |');
    expect(text).toContain('### Inner\n\nSomething nested.\n');
  });

  it('refuses a field without a description, naming it', () => {
    const Bare = z.object({ documented: z.string().describe('Yes.'), bare: z.string() }).meta({ id: 'Bare', description: 'A type.' });
    expect(() => renderSections([{ level: 2, schema: Bare }])).toThrow(/Bare\.bare has no description/);
  });

  it('keeps code spans intact in table cells but escapes pipes in them', () => {
    expect(cellText('`/proc/<pid>/stat` and <b> or `a|b`')).toBe('`/proc/<pid>/stat` and &lt;b&gt; or `a\\|b`');
  });
});
