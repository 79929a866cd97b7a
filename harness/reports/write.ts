/**
 * Writes a matrix's reports next to each other, each atomically (a reader or a killed run never
 * sees half a file), and adds the summary to the GitHub Actions job page when running there.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../cli/errors.ts';
import type { ResultsFile } from '../model/result.ts';
import { writeAtomic } from '../matrix/store.ts';
import { toResultsJson } from './json.ts';
import { toJUnit } from './junit.ts';
import { toMarkdown } from './markdown.ts';

export interface WriteOptions {
  /** Where to look for GITHUB_STEP_SUMMARY. */
  env?: NodeJS.ProcessEnv;
  /** Cap for summary.md (and what is appended to the step summary). */
  markdownMaxBytes?: number;
}

export interface WrittenReports {
  resultsJson: string;
  junitXml: string;
  summaryMd: string;
  /** The step summary file appended to, if any. */
  stepSummary?: string;
}

export function writeReports(file: ResultsFile, outDir: string, opts: WriteOptions = {}): WrittenReports {
  const env = opts.env ?? process.env;
  mkdirSync(outDir, { recursive: true });
  const written: WrittenReports = { resultsJson: join(outDir, 'results.json'), junitXml: join(outDir, 'junit.xml'), summaryMd: join(outDir, 'summary.md') };
  const markdown = toMarkdown(file, { maxBytes: opts.markdownMaxBytes });
  writeAtomic(written.resultsJson, toResultsJson(file));
  writeAtomic(written.junitXml, toJUnit(file));
  writeAtomic(written.summaryMd, markdown);
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    try {
      appendFileSync(stepSummary, markdown.endsWith('\n') ? markdown : markdown + '\n');
    } catch (e) {
      // One line and exit 2 from the CLI: the reports themselves are fine.
      throw new EnvironmentError(`reports written to ${outDir}, but appending to $GITHUB_STEP_SUMMARY (${stepSummary}) failed: ${(e as Error).message}`, 'STEP_SUMMARY');
    }
    written.stepSummary = stepSummary;
  }
  return written;
}
