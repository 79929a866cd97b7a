/**
 * mirrord@X: a mirrord release, fetched from its release base (GitHub, a mirror, a directory), every
 * file checked against its pin (subjects/release/), and run against the cluster as mirrord runs it.
 * Judged from outside: a real layer writes nothing when a hook is bypassed. `--layer FILE` runs the
 * release with a layer of the user's own instead (a subject of its own: `mirrord@X+layer:<sha256>`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../cli/errors.ts';
import { errnoReason } from '../cli/fs-errors.ts';
import { STRATEGIES, type Strategy } from '../model/result.ts';
import { GUARDED_RELEASE, RELEASED_STRATEGY } from './lab-publish.ts';
import { KubeSubject } from './kube-subject.ts';
import { ReleaseSubject } from './release-subject.ts';
import { fetchRelease } from './release/fetch-release.ts';
import { formatProgress } from './release/progress.ts';
import { PINS_FILE, readPins } from './release/pins.ts';

export interface MirrordReleaseContext {
  /** `--release-base` (else $MIRRORD_REGRESS_RELEASE_BASE, else the pins file's). */
  releaseBase?: string;
  /** `--pins FILE`. @default images/mirrord-versions.json */
  pinsFile?: string;
  /** `--layer FILE`: a layer of the user's own. */
  layer?: string;
  /** Where download progress goes. @default stderr */
  say?: (line: string) => void;
  /** `--kubeconfig FILE`: run `mirrord exec` against that cluster instead of ours. */
  kubeconfig?: string;
}

/** The strategies a release can run with: 3.112.0's own (normal), and the variants its pins list. */
function strategiesOf(version: string, pinsFile: string | undefined): Strategy[] {
  if (version !== GUARDED_RELEASE) return [];
  const pins = readPins(pinsFile ?? PINS_FILE, pinsFile);
  const variants = Object.keys(pins.versions[version]?.variants ?? {}) as Strategy[];
  return STRATEGIES.filter((s) => s === RELEASED_STRATEGY || variants.includes(s));
}

function ownLayer(path: string): { path: string; sha8: string } {
  const abs = resolve(path);
  try {
    if (!statSync(abs).isFile()) throw new UsageError(`--layer ${abs} is not a file: give the path of a libmirrord_layer .so`, 'BAD_LAYER');
    const bytes = readFileSync(abs);
    // ld.so ignores a preload it cannot load: the run would test no layer at all.
    if (bytes.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new UsageError(`--layer ${abs} is not an ELF shared object: give a libmirrord_layer .so built for Linux`, 'BAD_LAYER');
    return { path: abs, sha8: createHash('sha256').update(bytes).digest('hex').slice(0, 8) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--layer ${abs}: ${errnoReason(e, { path: abs, action: 'read', option: '--layer' }) ?? String(e)}`, 'BAD_LAYER');
  }
}

export function mirrordRelease(version: string, ctx: MirrordReleaseContext = {}): ReleaseSubject | KubeSubject {
  if (ctx.kubeconfig) {
    if (ctx.layer) throw new UsageError('--layer and --kubeconfig do not go together: against a real cluster mirrord exec uses the layer its CLI embeds', 'BAD_LAYER');
    const kubeconfig = resolve(ctx.kubeconfig);
    try {
      if (!statSync(kubeconfig).isFile()) throw new UsageError(`--kubeconfig ${kubeconfig} is not a file`, 'BAD_KUBECONFIG');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--kubeconfig ${kubeconfig}: ${errnoReason(e, { path: kubeconfig, action: 'read', option: '--kubeconfig' }) ?? String(e)}`, 'BAD_KUBECONFIG');
    }
    return new KubeSubject(version, { kubeconfig, releaseBase: ctx.releaseBase, pinsFile: ctx.pinsFile });
  }
  const layer = ctx.layer ? ownLayer(ctx.layer) : undefined;
  const say = ctx.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const strategies = layer ? [] : strategiesOf(version, ctx.pinsFile);
  return new ReleaseSubject({
    id: layer ? `mirrord@${version}+layer:${layer.sha8}` : `mirrord@${version}`,
    kind: 'mirrord-release',
    version,
    // A layer of the user's own is no release the table predicts.
    release: layer ? null : version,
    evidenceSource: 'black-box',
    strategies,
    releasedStrategy: strategies.length ? RELEASED_STRATEGY : null,
    obtain: async () => {
      const got = await fetchRelease(version, { releaseBase: ctx.releaseBase, pinsFile: ctx.pinsFile, onProgress: (e) => say(formatProgress(e)) });
      return { cli: got.cli, layer: layer?.path ?? got.layer, agent: got.agent, variants: layer ? {} : got.variants };
    },
  });
}
