/**
 * One implementation for every release-shaped subject (a mirrord release, a published lab release, a
 * build of a mirrord checkout): its three artifacts are staged, the agent runs in the attempt's pod,
 * and the workload runs under launch.sh, which does what `mirrord exec` does once it has an agent.
 * Only where the artifacts come from, and whether the layer writes evidence, differ.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../cli/context.ts';
import { EnvironmentError } from '../cli/errors.ts';
import type { Strategy } from '../model/result.ts';
import type { Stage } from '../stage.ts';
import type { Subject, SubjectKind, WrapContext } from './subject.ts';

/** A release's files on this machine, verified. */
export interface ReleaseFiles {
  cli: string;
  layer: string;
  agent: string;
  /** Layers for the other guard strategies (the lab publishes them; a real release has none). */
  variants: Partial<Record<Strategy, string>>;
}

export interface ReleaseSubjectOptions {
  id: string;
  kind: Exclude<SubjectKind, 'lab-exec'>;
  version: string;
  /** Whose predictions apply (see Subject.release). @default version */
  release?: string | null;
  evidenceSource: 'layer' | 'black-box';
  /** Strategies it can run with: the released layer's own, plus its variants. Empty when the exec hook holds no guard. */
  strategies: readonly Strategy[];
  /** The strategy of the released layer itself (3.112.0: normal), when it has one. */
  releasedStrategy: Strategy | null;
  /** Fetches, builds or publishes the files; throws one line when it cannot. */
  obtain: (stage: Stage) => Promise<ReleaseFiles>;
}

/**
 * The config every release gets (MIRRORD_CONFIG_FILE): targetless, no operator, remote DNS and
 * outgoing traffic on, and an intproxy that leaves 1 s after its last layer (mirrord's default is 5 s).
 * The lab reads the keys it models and accepts the others.
 */
export const RELEASE_CONFIG = {
  operator: false,
  telemetry: false,
  feature: { network: { incoming: 'off', dns: true, outgoing: true } },
  internal_proxy: { idle_timeout: 1, start_idle_timeout: 30 },
};

/** Where the launcher and the config are staged, once per stage. */
function stageShared(stage: Stage): { launcher: string; config: string } {
  const dir = join(stage.root, 'subjects');
  const launcher = join(dir, 'launch.sh');
  const config = join(dir, 'mirrord.json');
  if (!existsSync(config)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    copyFileSync(join(REPO_ROOT, 'harness', 'subjects', 'launch.sh'), launcher);
    chmodSync(launcher, 0o755);
    writeFileSync(config, JSON.stringify(RELEASE_CONFIG, null, 2) + '\n', { mode: 0o644 });
  }
  return { launcher, config };
}

function stageFile(from: string, to: string): string {
  mkdirSync(join(to, '..'), { recursive: true, mode: 0o755 });
  copyFileSync(from, to);
  // The run user must read and execute it, whoever owns the cache it came from.
  chmodSync(to, 0o755);
  return to;
}

export class ReleaseSubject implements Subject {
  readonly topology = 'cluster' as const;
  readonly id: string;
  readonly kind: ReleaseSubjectOptions['kind'];
  readonly version: string;
  readonly strategies: readonly Strategy[];
  readonly evidenceSource: 'layer' | 'black-box';
  readonly release: string | null;
  private staged?: { files: ReleaseFiles; launcher: string; config: string };

  constructor(private readonly opts: ReleaseSubjectOptions) {
    this.id = opts.id;
    this.kind = opts.kind;
    this.version = opts.version;
    this.strategies = opts.strategies;
    this.evidenceSource = opts.evidenceSource;
    this.release = opts.release === undefined ? opts.version : opts.release;
  }

  async prepare(stage: Stage): Promise<void> {
    if (this.staged) return;
    // ld.so splits LD_PRELOAD on spaces and colons: such a layer path would load nothing, silently.
    if (/[\s:]/.test(stage.root)) throw new EnvironmentError(`the temp directory ${stage.root} has a space or a colon, which LD_PRELOAD cannot carry: set TMPDIR to a plain path`, 'BAD_TMPDIR');
    const files = await this.opts.obtain(stage);
    const dir = join(stage.root, 'subjects', this.id.replace(/[^A-Za-z0-9._@+-]/g, '_'));
    const variants: Partial<Record<Strategy, string>> = {};
    for (const [s, path] of Object.entries(files.variants) as [Strategy, string][]) {
      variants[s] = stageFile(path, join(dir, 'variants', s, 'libmirrord_layer.so'));
    }
    this.staged = {
      ...stageShared(stage),
      files: {
        // Named `mirrord` whatever the asset's name: the runners know a subject's helper by it.
        cli: stageFile(files.cli, join(dir, 'mirrord')),
        layer: stageFile(files.layer, join(dir, 'libmirrord_layer.so')),
        agent: stageFile(files.agent, join(dir, 'mirrord-agent')),
        variants,
      },
    };
  }

  private get files() {
    if (!this.staged) throw new Error(`${this.id} was not prepared`);
    return this.staged;
  }

  agentCommand(): string[] {
    return [this.files.files.agent];
  }

  /** The layer for `strategy`: the released one, or a variant. */
  layerFor(strategy: Strategy | null): string {
    const { files } = this.files;
    if (strategy === null || strategy === this.opts.releasedStrategy) return files.layer;
    const variant = files.variants[strategy];
    if (!variant) throw new Error(`${this.id} has no layer for strategy ${strategy}`);
    return variant;
  }

  wrap(workload: string[], ctx: WrapContext): { argv: string[]; env: Record<string, string> } {
    if (!ctx.agentAddress) throw new Error(`${this.id} runs against the cluster, but the attempt has no agent`);
    const { files, launcher, config } = this.files;
    const m = ctx.mapPath ?? ((p: string) => p);
    return {
      argv: ['sh', m(launcher), m(files.cli), m(this.layerFor(ctx.strategy)), ctx.agentAddress, m(config), ctx.dir, '--', ...workload],
      // Only the lab writes evidence from inside; a real release gets nothing it would not get from mirrord.
      env: this.evidenceSource === 'layer' ? { MIRRORD_LAB_EVENTS: ctx.eventsPath } : {},
    };
  }
}
