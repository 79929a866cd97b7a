/**
 * Where a build of a commit left the lab (mirrord-lab + libmirrord_layer.so). With `--artifacts`
 * only there; otherwise where cargo puts them: CARGO_TARGET_DIR (as the build command or the
 * environment sets it), the checkout's target/, or any target dir of a workspace inside the
 * checkout. When nothing is found, the message says which --artifacts to give.
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const LAB_FILES = ['mirrord-lab', 'libmirrord_layer.so'] as const;

const MAX_DEPTH = 5;
const SKIPPED = new Set(['.git', 'node_modules', 'incremental', 'deps', '.fingerprint']);

const hasLab = (dir: string): boolean => LAB_FILES.every((f) => existsSync(join(dir, f)));

/** CARGO_TARGET_DIR as the build command's leading `VAR=value` words set it, else the environment. */
export function cargoTargetDir(build: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const word of build.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
    if (!m) break;
    if (m[1] === 'CARGO_TARGET_DIR') return m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env.CARGO_TARGET_DIR || undefined;
}

/** Directories under `root` holding both lab files, release builds first. */
function search(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (hasLab(dir)) found.push(dir);
    if (depth >= MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !SKIPPED.has(e.name)) walk(join(dir, e.name), depth + 1);
  };
  walk(root, 0);
  const rank = (d: string) => (d.endsWith('/release') ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export interface LocatedArtifacts {
  dir?: string;
  /** How to name `dir` in a reproduce line or an --artifacts option: relative to the checkout when inside it. */
  shown?: string;
  /** Why nothing was found, and which --artifacts to give; set when `dir` is not. */
  problem?: string;
}

export function locateArtifacts(checkout: string, build: string, explicit: string | null, env: NodeJS.ProcessEnv = process.env): LocatedArtifacts {
  const show = (dir: string): string => {
    const rel = relative(checkout, dir);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
  };
  const both = LAB_FILES.join(' and ');
  const target = cargoTargetDir(build, env);
  const guesses = [
    ...(target ? [join(resolve(checkout, target), 'release'), join(resolve(checkout, target), 'debug')] : []),
    join(checkout, 'target', 'release'),
    join(checkout, 'target', 'debug'),
  ];
  const anywhere = () => [...guesses.filter(hasLab), ...search(checkout)][0];
  if (explicit !== null) {
    const dir = isAbsolute(explicit) ? explicit : join(checkout, explicit);
    if (hasLab(dir)) return { dir, shown: show(dir) };
    const elsewhere = anywhere();
    return {
      problem: elsewhere
        ? `the build left no ${both} in --artifacts ${explicit}, but in ${show(elsewhere)}: give --artifacts ${show(elsewhere)}`
        : `the build left no ${both} in --artifacts ${explicit}, nor in a cargo target dir of the checkout: give --artifacts DIR where your build writes them`,
    };
  }
  const dir = anywhere();
  if (dir) return { dir, shown: show(dir) };
  const looked = [...new Set(guesses.map(show))].join(', ');
  return { problem: `the build left no ${both} in ${looked} or any target dir in the checkout: give --artifacts DIR where your build writes them (relative to the checkout, or absolute)` };
}
