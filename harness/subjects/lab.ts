/**
 * The lab as one command (lab-exec@X): `mirrord-lab exec --profile <version> [--strategy S] -- workload`,
 * with the intproxy's built-in cluster (a service table and a loopback service): no agent, no cluster,
 * and so no root needed for it. lab@X runs the same lab as a release against the cluster instead.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Strategy } from '../model/result.ts';
import { STRATEGIES } from '../model/result.ts';
import { EnvironmentError } from '../cli/errors.ts';
import type { Stage } from '../stage.ts';
import type { Subject, WrapContext } from './subject.ts';

export const LAB_PROFILES = ['3.111.0', '3.112.0', '3.112.1'] as const;
export type LabProfile = (typeof LAB_PROFILES)[number];

/** Where `cargo build --release` in lab/ puts the CLI and the layer. */
export function labBuildDir(repoRoot: string): string {
  return join(repoRoot, 'lab', 'target', 'release');
}

/** The layer's file beside `mirrord-lab`: a dylib on macOS (lab/cli/src/exec.rs names it alike). */
export function labLayerFile(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'libmirrord_layer.dylib' : 'libmirrord_layer.so';
}

export class LabSubject implements Subject {
  readonly kind = 'lab-exec' as const;
  readonly evidenceSource = 'layer' as const;
  readonly topology = 'self-contained' as const;
  readonly id: string;
  readonly strategies: readonly Strategy[];
  readonly release: string;

  constructor(
    readonly version: LabProfile,
    private readonly buildDir: string,
  ) {
    this.id = `lab-exec@${version}`;
    this.release = version;
    // Only 3.112.0 holds a guard in its exec hook, so only it has a strategy to choose.
    this.strategies = version === '3.112.0' ? STRATEGIES : [];
  }

  async prepare(stage: Stage): Promise<void> {
    const dir = join(stage.root, 'lab');
    if (existsSync(join(dir, 'mirrord-lab'))) return;
    const files = ['mirrord-lab', labLayerFile()];
    for (const file of files) {
      if (!existsSync(join(this.buildDir, file))) {
        throw new EnvironmentError(`the lab is not built (${join(this.buildDir, file)} missing): run \`npx mirrord-regress lab build\``);
      }
    }
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    // A staged copy: the run user must be able to read the layer even if the repo is private.
    for (const file of files) copyFileSync(join(this.buildDir, file), join(dir, file));
  }

  wrap(workload: string[], ctx: WrapContext): { argv: string[]; env: Record<string, string> } {
    const strategy = ctx.strategy ? ['--strategy', ctx.strategy] : [];
    return {
      argv: [ctx.labCli, 'exec', '--profile', this.version, ...strategy, '--', ...workload],
      env: { MIRRORD_LAB_EVENTS: ctx.eventsPath },
    };
  }
}
