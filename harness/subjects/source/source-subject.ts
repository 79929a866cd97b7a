/**
 * mirrord-src:<checkout>[@<rev>]: a build of a mirrord checkout, run as a release (release-subject.ts).
 * The strategies are builds: each is the commit with its exec hook's guard line edited (guard-edit.ts),
 * built in a scratch worktree and cached per (commit, edit, build command) under the user's cache dir.
 * The CLI and agent are the build's own when it made them (`--build` builds them too), else those of
 * the release the checkout's Cargo version names (mirrord@X, fetched and verified).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execaSync } from 'execa';
import { EnvironmentError, UsageError } from '../../cli/errors.ts';
import { STRATEGIES, type Strategy } from '../../model/result.ts';
import { RELEASED_STRATEGY } from '../lab-publish.ts';
import { ReleaseSubject, type ReleaseFiles } from '../release-subject.ts';
import { cacheDir } from '../release/cache.ts';
import { fetchRelease } from '../release/fetch-release.ts';
import { formatProgress } from '../release/progress.ts';
import { buildCommit, Interrupted, isBuilt } from './build.ts';
import { editKey, findGuardSync, type GuardSite } from './guard-edit.ts';

export const SOURCE_PREFIX = 'mirrord-src:';
/** What builds mirrord's layer (the CLI and agent come from the release unless the command builds them). */
export const DEFAULT_SOURCE_BUILD = 'cargo build --release -p mirrord-layer';

export interface SourceContext {
  /** `--build CMD`, run in the checkout's top level. @default DEFAULT_SOURCE_BUILD */
  build?: string;
  /** `--artifacts DIR`, relative to the checkout. @default found in cargo's target dir */
  artifacts?: string | null;
  /** The strategies the run asks for: only those are built. @default all the checkout has */
  strategies?: readonly Strategy[];
  releaseBase?: string;
  pinsFile?: string;
  say?: (line: string) => void;
}

function git(repo: string, args: string[]): string | undefined {
  const r = execaSync('git', ['-C', repo, ...args], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}

/** `PATH` and `REV` of `mirrord-src:PATH[@REV]` (an `@` in the path itself is kept when no rev follows). */
export function parseSourceId(id: string): { path: string; rev: string } {
  const rest = id.slice(SOURCE_PREFIX.length);
  const at = rest.lastIndexOf('@');
  const hasRev = at > 0 && !rest.slice(at + 1).includes('/');
  const path = hasRev ? rest.slice(0, at) : rest;
  if (!path) throw new UsageError(`${id}: give the checkout, e.g. mirrord-src:../mirrord@3.112.0`, 'BAD_SUBJECT');
  return { path: resolve(path), rev: hasRev ? rest.slice(at + 1) : 'HEAD' };
}

/** The `version` of the checkout's workspace (`[workspace.package]`) or package, at `sha`. */
export function cargoVersion(repo: string, sha: string): string | undefined {
  const toml = git(repo, ['show', `${sha}:Cargo.toml`]);
  const section = toml?.split(/^\[/m).find((s) => /^(workspace\.package|package)\]/.test(s));
  return section ? /^version\s*=\s*"([^"]+)"/m.exec(section)?.[1] : undefined;
}

export function sourceSubject(id: string, ctx: SourceContext = {}): ReleaseSubject {
  const { path, rev } = parseSourceId(id);
  if (!existsSync(path)) throw new UsageError(`${id}: ${path} does not exist`, 'NO_REPO');
  const repo = git(path, ['rev-parse', '--show-toplevel']);
  if (!repo) throw new UsageError(`${id}: ${path} is not a git checkout`, 'NO_REPO');
  const sha = git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (!sha) throw new UsageError(`${id}: unknown revision "${rev}" in ${repo}`, 'UNKNOWN_COMMIT');
  const site = findGuardSync(repo, sha);
  const version = cargoVersion(repo, sha) ?? 'unknown';
  const build = ctx.build ?? DEFAULT_SOURCE_BUILD;
  const available: readonly Strategy[] = typeof site === 'string' ? [] : STRATEGIES;
  const wanted = ctx.strategies?.filter((s) => available.includes(s)) ?? available;
  const say = ctx.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const builds = join(cacheDir(), 'builds');
  const buildKey = createHash('sha256').update(`${build}\n${ctx.artifacts ?? ''}`).digest('hex').slice(0, 8);

  const buildOne = async (strategy: Strategy | null): Promise<string> => {
    const entry = join(builds, `${sha}-${editKey(strategy)}-${buildKey}`);
    if (!isBuilt(entry)) say(`building ${sha.slice(0, 12)}${strategy ? ` with strategy ${strategy}` : ''} (${build})...`);
    const edit = strategy && strategy !== RELEASED_STRATEGY ? { site: site as GuardSite, strategy } : undefined;
    const r = await buildCommit({ repo, sha, command: build, artifacts: ctx.artifacts ?? null, edit, entry });
    if ('failed' in r) throw new EnvironmentError(`${id}${strategy ? ` (strategy ${strategy})` : ''}: ${r.failed}`, 'SOURCE_BUILD');
    return r.dir;
  };

  return new ReleaseSubject({
    id: `${SOURCE_PREFIX}${repo}@${sha.slice(0, 12)}`,
    kind: 'mirrord-build',
    version,
    evidenceSource: 'black-box',
    strategies: available,
    releasedStrategy: available.length ? RELEASED_STRATEGY : null,
    obtain: async (): Promise<ReleaseFiles> => {
      const dirs = new Map<Strategy | null, string>();
      try {
        for (const s of available.length ? wanted : [null]) dirs.set(s, await buildOne(s));
      } catch (e) {
        if (e instanceof Interrupted) throw new UsageError('interrupted while building', 'INTERRUPTED');
        throw e;
      }
      const main = dirs.get(RELEASED_STRATEGY) ?? dirs.get(null) ?? [...dirs.values()][0]!;
      const own = (name: string) => [...dirs.values()].map((d) => join(d, name)).find(existsSync);
      const cli = own('mirrord') ?? own('mirrord-lab');
      const agent = own('mirrord-agent');
      let release: ReleaseFiles | undefined;
      if (!cli || !agent) {
        if (version === 'unknown') throw new EnvironmentError(`${id}: the build made no ${cli ? 'mirrord-agent' : 'mirrord CLI'}, and the checkout's Cargo.toml names no version to take it from: make --build build it too (e.g. 'cargo build --release -p mirrord -p mirrord-agent -p mirrord-layer')`, 'SOURCE_BUILD');
        say(`the build made no ${cli ? 'agent' : 'CLI'}: taking the CLI and agent of mirrord ${version}`);
        release = await fetchRelease(version, { releaseBase: ctx.releaseBase, pinsFile: ctx.pinsFile, onProgress: (e) => say(formatProgress(e)) });
      }
      const variants: Partial<Record<Strategy, string>> = {};
      for (const [s, d] of dirs) if (s && s !== RELEASED_STRATEGY) variants[s] = join(d, 'libmirrord_layer.so');
      return { cli: cli ?? release!.cli, agent: agent ?? release!.agent, layer: join(main, 'libmirrord_layer.so'), variants };
    },
  });
}
