/**
 * Writes a matrix's reports next to each other: all four go to temp files first and are renamed
 * into place only when every one is written, so a reader, a killed run or a full disk never
 * leaves half a file or a mix of old and new reports. Adds the summary to the GitHub Actions job
 * page when running there.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../cli/errors.ts';
import { errnoReason } from '../cli/fs-errors.ts';
import { ensureDir, writeFilesAtomic } from '../files.ts';
import type { ResultsFile } from '../model/result.ts';
import { toResultsJson } from './json.ts';
import { toHtmlReport } from './html/matrix-page.ts';
import { toJUnit } from './junit.ts';
import { toMarkdown } from './markdown.ts';

export interface WriteOptions {
  /** Where to look for GITHUB_STEP_SUMMARY. */
  env?: NodeJS.ProcessEnv;
  /** Cap for summary.md (and what is appended to the step summary). */
  markdownMaxBytes?: number;
  /** The option the directory came from, for error lines. @default --out */
  option?: string;
}

export interface WrittenReports {
  resultsJson: string;
  junitXml: string;
  summaryMd: string;
  reportHtml: string;
  /** The step summary file appended to, if any. */
  stepSummary?: string;
}

export function writeReports(file: ResultsFile, outDir: string, opts: WriteOptions = {}): WrittenReports {
  const env = opts.env ?? process.env;
  const option = opts.option ?? '--out';
  const written: WrittenReports = { resultsJson: join(outDir, 'results.json'), junitXml: join(outDir, 'junit.xml'), summaryMd: join(outDir, 'summary.md'), reportHtml: join(outDir, 'report.html') };
  // Rendered before anything touches the disk: a rendering bug leaves the directory as it was.
  const markdown = toMarkdown(file, { maxBytes: opts.markdownMaxBytes });
  const files = [
    { path: written.resultsJson, text: toResultsJson(file) },
    { path: written.junitXml, text: toJUnit(file) },
    { path: written.summaryMd, text: markdown },
    { path: written.reportHtml, text: toHtmlReport(file) },
  ];
  ensureDir(outDir, option);
  writeFilesAtomic(files, option);
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    try {
      appendFileSync(stepSummary, markdown.endsWith('\n') ? markdown : markdown + '\n');
    } catch (e) {
      // One line and exit 2 from the CLI: the reports themselves are fine.
      const why = errnoReason(e, { path: stepSummary, action: 'write', option: '$GITHUB_STEP_SUMMARY' }) ?? (e as Error).message;
      throw new EnvironmentError(`reports written to ${outDir}, but appending to $GITHUB_STEP_SUMMARY (${stepSummary}) failed: ${why}`, 'STEP_SUMMARY');
    }
    written.stepSummary = stepSummary;
  }
  return written;
}
