/** The `run` command line that repeats one cell of a matrix, for reports to show next to its evidence. */
import type { CellResult } from '../model/result.ts';
import { DEFAULT_RUN_AS } from './grid.ts';

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runner names as `run` takes them: `host`, `docker:ruby3.3` -> `--runner docker --ruby-version 3.3`. */
function runnerArgs(runner: string): string[] {
  if (runner === 'host') return [];
  const docker = /^docker:ruby(.+)$/.exec(runner);
  return docker ? ['--runner', 'docker', '--ruby-version', docker[1]!] : ['--runner', runner];
}

/**
 * `npx mirrord-regress run --subject lab@3.112.0 --strategy normal --scenario spawn-then-resolve`,
 * with `--as`, the runner and `--repeat` when the cell needs them; undefined for an `--exec` cell,
 * whose command line results.json does not keep.
 */
export function runCommandFor(cell: CellResult): string | undefined {
  const { subject, strategy, scenario, runAs, runner } = cell.key;
  if (scenario === 'exec') return undefined;
  const args = ['--subject', subject, ...(strategy ? ['--strategy', strategy] : []), '--scenario', scenario];
  if (runAs !== DEFAULT_RUN_AS) args.push('--as', runAs);
  args.push(...runnerArgs(runner));
  if (cell.attempts.length > 1) args.push('--repeat', String(cell.attempts.length));
  return ['npx', 'mirrord-regress', 'run', ...args].map(shellWord).join(' ');
}
