/** The workflows under .github/workflows as the tests read them: jobs, their matrices, their mirrord-regress commands. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../support/repo.ts';

export const WORKFLOWS = ['regress.yml', 'bisect.yml'] as const;

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}

export interface Job {
  name?: string;
  'runs-on': string;
  needs?: string[];
  if?: string;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}

export interface Workflow {
  jobs: Record<string, Job>;
}

export function workflowPath(file: string): string {
  return join(REPO_ROOT, '.github', 'workflows', file);
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(workflowPath(file), 'utf8')) as Workflow;
}

/** Every combination of a job's matrix axes (no include/exclude here: refused, so none goes unnoticed). */
export function matrixCombos(job: Job): Record<string, string>[] {
  const matrix = job.strategy?.matrix;
  if (!matrix) return [{}];
  let combos: Record<string, string>[] = [{}];
  for (const [axis, values] of Object.entries(matrix)) {
    if (!Array.isArray(values)) throw new Error(`matrix.${axis} is not a list of values (include/exclude are not expanded here)`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: String(v) })));
  }
  return combos;
}

/** `text` with each `${{ matrix.X }}` replaced by the combo's value; any other expression is an error. */
export function substitute(text: string, combo: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (whole, expr: string) => {
    const m = /^matrix\.(\w+)$/.exec(expr);
    const value = m ? combo[m[1]!] : undefined;
    if (value === undefined) throw new Error(`cannot substitute ${whole}`);
    return value;
  });
}

/** The words after `npx mirrord-regress` in a step's `run`, or undefined when it runs none. */
export function regressWords(run: string | undefined): string[] | undefined {
  const at = run?.indexOf('npx mirrord-regress ') ?? -1;
  if (run === undefined || at < 0) return undefined;
  return run.slice(at + 'npx mirrord-regress '.length).trim().split(/\s+/);
}

/** The command and subcommand of mirrord-regress words, e.g. `report merge`, `matrix`. */
export function commandOf(words: string[]): string[] {
  return ['report', 'lab', 'images'].includes(words[0]!) ? words.slice(0, 2) : words.slice(0, 1);
}

/** The value of option `--name` in words (`--name V` or `--name=V`). */
export function optionValue(words: string[], name: string): string | undefined {
  const i = words.indexOf(name);
  if (i >= 0) return words[i + 1];
  return words.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
}
