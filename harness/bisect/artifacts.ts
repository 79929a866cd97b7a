/**
 * Where a build of a commit left its layer (libmirrord_layer.so, beside which the lab's build also
 * leaves mirrord-lab and mirrord-agent, and a mirrord build `mirrord` and `mirrord-agent` when it
 * built them). With `--artifacts` only there; otherwise where cargo puts them: CARGO_TARGET_DIR (as
 * the build command or the environment sets it), the checkout's target/, or any target dir of a
 * workspace inside the checkout. When nothing is found, the message says which --artifacts to give.
 */
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

/** What must be there: the layer, built from the checkout. */
export const LAYER_FILE = 'libmirrord_layer.so';
/** What is kept when there: the layer, the lab's CLI or mirrord's, and the agent. */
export const BUILD_OUTPUTS = [LAYER_FILE, 'mirrord-lab', 'mirrord', 'mirrord-agent'] as const;

const MAX_DEPTH = 5;
const SKIPPED = new Set(['.git', 'node_modules', 'incremental', 'deps', '.fingerprint']);

const hasLayer = (dir: string): boolean => existsSync(join(dir, LAYER_FILE));

/** CARGO_TARGET_DIR as the build command's leading `VAR=value` words set it, else the environment. */
export function cargoTargetDir(build: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const word of build.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
    if (!m) break;
    if (m[1] === 'CARGO_TARGET_DIR') return m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env.CARGO_TARGET_DIR || undefined;
}

/** Directories under `root` holding a layer, release builds first. */
function search(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (hasLayer(dir)) found.push(dir);
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
  const what = LAYER_FILE;
  const target = cargoTargetDir(build, env);
  const guesses = [
    ...(target ? [join(resolve(checkout, target), 'release'), join(resolve(checkout, target), 'debug')] : []),
    join(checkout, 'target', 'release'),
    join(checkout, 'target', 'debug'),
  ];
  const anywhere = () => [...guesses.filter(hasLayer), ...search(checkout)][0];
  if (explicit !== null) {
    const dir = isAbsolute(explicit) ? explicit : join(checkout, explicit);
    if (hasLayer(dir)) return { dir, shown: show(dir) };
    const elsewhere = anywhere();
    return {
      problem: elsewhere
        ? `the build left no ${what} in --artifacts ${explicit}, but in ${show(elsewhere)}: give --artifacts ${show(elsewhere)}`
        : `the build left no ${what} in --artifacts ${explicit}, nor in a cargo target dir of the checkout: give --artifacts DIR where your build writes them`,
    };
  }
  const dir = anywhere();
  if (dir) return { dir, shown: show(dir) };
  const looked = [...new Set(guesses.map(show))].join(', ');
  return { problem: `the build left no ${what} in ${looked} or any target dir in the checkout: give --artifacts DIR where your build writes them (relative to the checkout, or absolute)` };
}
