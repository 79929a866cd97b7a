/** `report merge`: shard results into one set of reports; `report html`: one page from any results files. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ensureDir, writeAtomic } from '../../files.ts';
import { mergeResults } from '../../matrix/merge.ts';
import type { ResultsFile } from '../../model/result.ts';
import { collectCells } from '../../reports/collect.ts';
import { matrixReportHtml } from '../../reports/html/matrix-page.ts';
import { claimOutputDir } from '../../output-dir.ts';
import { parseResultsFile } from '../../reports/json.ts';
import { toTerminalTable } from '../../reports/terminal.ts';
import { writeReports } from '../../reports/write.ts';
import { UsageError } from '../errors.ts';
import { guardFs } from '../fs-errors.ts';
import * as parse from '../options.ts';

/** Reads and validates each file; a missing or damaged one is one line naming it. */
function readResultsFiles(files: string[]): ResultsFile[] {
  return files.map((f) => {
    const text = guardFs({ path: f, action: 'read' }, () => readFileSync(f, 'utf8'));
    try {
      return parseResultsFile(text, f);
    } catch (e) {
      throw new UsageError((e as Error).message, 'BAD_RESULTS');
    }
  });
}

export function reportCommand(): Command {
  const report = new Command('report').description('work with results files');
  report
    .command('merge')
    .description('merge the results.json of every shard of a matrix into one set of reports')
    .argument('<files...>', 'results.json files, one per shard')
    .requiredOption('--out <dir>', 'where to write the merged results.json, junit.xml, summary.md, report.html', parse.nonEmpty('--out', 'a directory'))
    .action((files: string[], opts: { out: string }) => {
      const parsed = readResultsFiles(files);
      let merged;
      try {
        merged = mergeResults(parsed, { names: files });
      } catch (e) {
        throw new UsageError((e as Error).message, 'MERGE');
      }
      const out = claimOutputDir(resolve(opts.out), { option: '--out', purpose: 'report merge' });
      try {
        writeReports(merged, out.path);
      } finally {
        out.release();
      }
      process.stdout.write(toTerminalTable(merged, { color: Boolean(process.stdout.isTTY) }) + '\n');
      process.stdout.write(`merged ${files.length} files, ${merged.cells.length} cells: ${out.path}/{results.json,junit.xml,summary.md,report.html}\n`);
      process.exitCode = merged.cells.every((c) => c.matchesExpectation !== false) ? 0 : 1;
    });
  report
    .command('html')
    .description('write one self-contained HTML page from results files: shards of a matrix, several runners or machines')
    .argument('<files...>', 'results.json files (each cell may be in one of them only)')
    .requiredOption('--out <file>', 'the page to write, e.g. report.html', parse.nonEmpty('--out', 'a file, e.g. report.html'))
    .action((files: string[], opts: { out: string }) => {
      let collected;
      try {
        collected = collectCells(readResultsFiles(files), files);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError((e as Error).message, 'DUPLICATE_CELL');
      }
      const text = matrixReportHtml(collected);
      const out = resolve(opts.out);
      ensureDir(dirname(out), '--out');
      writeAtomic(out, text, '--out');
      const size = `${Math.ceil(Buffer.byteLength(text) / 1024)} KB`;
      process.stdout.write(`report: ${out} (${collected.cells.length} cells from ${files.length} file${files.length === 1 ? '' : 's'}, ${size})\n`);
    });
  return report;
}
