/**
 * mirrord@X --kubeconfig FILE: the release's own `mirrord exec -f <targetless config>` against an
 * existing cluster (the agent is a Job there, the layer the one the CLI embeds). The only way on a
 * macOS runner, where no agent can run locally. The workload needs the host's network to reach the
 * cluster's API, so it is judged from outside on its own report and exit alone: no cluster logs.
 * Not run here (no cluster is reachable from this machine): kept small on purpose.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execaSync } from 'execa';
import { EnvironmentError, UsageError } from '../cli/errors.ts';
import type { Strategy } from '../model/result.ts';
import type { Stage } from '../stage.ts';
import { GUARDED_RELEASE, RELEASED_STRATEGY } from './lab-publish.ts';
import { RELEASE_CONFIG } from './release-subject.ts';
import { fetchReleaseCli } from './release/fetch-release.ts';
import type { Subject, WrapContext } from './subject.ts';

export interface KubeContext {
  kubeconfig: string;
  releaseBase?: string;
  pinsFile?: string;
  /** The account workloads run as (it must read the staged kubeconfig). @default nobody */
  runUser?: string;
}

/** The targetless config `mirrord exec -f` gets: ours, plus the kubeconfig. */
export function kubeConfig(kubeconfig: string): object {
  const { internal_proxy: _ip, ...rest } = RELEASE_CONFIG;
  return { ...rest, kubeconfig, agent: { ttl: 1 } };
}

export class KubeSubject implements Subject {
  readonly kind = 'mirrord-release' as const;
  readonly topology = 'kubernetes' as const;
  readonly evidenceSource = 'black-box' as const;
  readonly id: string;
  readonly release: string;
  readonly strategies: readonly Strategy[];
  private staged?: { cli: string; config: string };

  constructor(
    readonly version: string,
    private readonly ctx: KubeContext,
  ) {
    this.id = `mirrord@${version}`;
    this.release = version;
    this.strategies = version === GUARDED_RELEASE ? [RELEASED_STRATEGY] : [];
  }

  async prepare(stage: Stage): Promise<void> {
    const cli = await fetchReleaseCli(this.version, { releaseBase: this.ctx.releaseBase, pinsFile: this.ctx.pinsFile });
    const dir = join(stage.root, 'subjects', `${this.id}-kube`);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const staged = { cli: join(dir, 'mirrord'), config: join(dir, 'mirrord.json') };
    copyFileSync(cli, staged.cli);
    chmodSync(staged.cli, 0o755);
    // The credentials stay readable by the run user alone.
    const kubeconfig = join(dir, 'kubeconfig');
    copyFileSync(resolve(this.ctx.kubeconfig), kubeconfig);
    chmodSync(kubeconfig, 0o600);
    if (process.getuid?.() === 0) {
      const user = this.ctx.runUser ?? 'nobody';
      const id = execaSync('id', ['-u', user], { reject: false });
      if (id.exitCode !== 0) throw new EnvironmentError(`the run user ${user} does not exist, so it cannot read the kubeconfig: create it (useradd --system ${user})`, 'NO_RUN_USER');
      chownSync(kubeconfig, Number(id.stdout), -1);
    }
    writeFileSync(staged.config, JSON.stringify(kubeConfig(kubeconfig), null, 2) + '\n', { mode: 0o644 });
    this.staged = staged;
  }

  wrap(workload: string[], ctx: WrapContext): { argv: string[]; env: Record<string, string> } {
    if (!this.staged) throw new Error(`${this.id} was not prepared`);
    if (ctx.strategy && ctx.strategy !== RELEASED_STRATEGY) throw new UsageError(`${this.id} --kubeconfig runs the release as it is: no strategy ${ctx.strategy}`, 'STRATEGY_NOT_APPLICABLE');
    return {
      // `--` before the workload: `mirrord exec` would take a workload's `-e` as its own (ephemeral).
      argv: [this.staged.cli, 'exec', '-f', this.staged.config, '--', ...workload],
      env: { MIRRORD_PROGRESS_MODE: 'off', MIRRORD_CHECK_VERSION: 'false', MIRRORD_TELEMETRY: 'false' },
    };
  }
}
