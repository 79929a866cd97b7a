/** `report merge`: shard results into one set of reports. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { mergeResults } from '../../matrix/merge.ts';
import { claimOutputDir } from '../../output-dir.ts';
import { parseResultsFile } from '../../reports/json.ts';
import { toTerminalTable } from '../../reports/terminal.ts';
import { writeReports } from '../../reports/write.ts';
import { UsageError } from '../errors.ts';
import { guardFs } from '../fs-errors.ts';
import * as parse from '../options.ts';

export function reportCommand(): Command {
  const report = new Command('report').description('work with results files');
  report
    .command('merge')
    .description('merge the results.json of every shard of a matrix into one set of reports')
    .argument('<files...>', 'results.json files, one per shard')
    .requiredOption('--out <dir>', 'where to write the merged results.json, junit.xml, summary.md', parse.nonEmpty('--out', 'a directory'))
    .action((files: string[], opts: { out: string }) => {
      const parsed = files.map((f) => {
        const text = guardFs({ path: f, action: 'read' }, () => readFileSync(f, 'utf8'));
        try {
          return parseResultsFile(text, f);
        } catch (e) {
          throw new UsageError((e as Error).message, 'BAD_RESULTS');
        }
      });
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
      process.stdout.write(`merged ${files.length} files, ${merged.cells.length} cells: ${out.path}/{results.json,junit.xml,summary.md}\n`);
      process.exitCode = merged.cells.every((c) => c.matchesExpectation !== false) ? 0 : 1;
    });
  return report;
}
