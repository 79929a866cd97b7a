/**
 * Runner names as users give them: `host`, or `docker` with a Ruby version (`docker:ruby3.3`).
 * The name is part of a cell's identity, so one matrix can hold both Ruby versions.
 */
import { UsageError } from '../cli/errors.ts';
import { HostRunner } from './host/host-runner.ts';
import type { Runner } from './runner.ts';
import type { Stage } from '../stage.ts';
import type { Cluster } from '../cluster/cluster.ts';

export const RUBY_VERSIONS = ['3.1', '3.3'] as const;

export function runnerNames(runner: string, rubies: string[]): string[] {
  if (runner === 'host') {
    if (rubies.length) throw new UsageError('a Ruby version applies to --runner docker only (the host runner uses the Ruby on PATH, or --ruby PATH)');
    return ['host'];
  }
  if (runner !== 'docker') throw new UsageError(`unknown runner "${runner}"; available: host, docker`, 'UNKNOWN_RUNNER');
  const list = rubies.length ? rubies : ['3.1'];
  for (const r of list) {
    if (!(RUBY_VERSIONS as readonly string[]).includes(r)) throw new UsageError(`unknown Ruby version "${r}"; images exist for ${RUBY_VERSIONS.join(', ')}`);
  }
  return list.map((r) => `docker:ruby${r}`);
}

/** The Ruby version a runner's name fixes (`3.3` of `docker:ruby3.3`); undefined for the host's, known only once it runs. */
export function rubyOfRunner(name: string): string | undefined {
  return name.startsWith('docker:ruby') ? name.slice('docker:ruby'.length) : undefined;
}

/** Creates the runner for a name (building its image when needed), wired to the cluster when there is one. */
export async function createRunner(name: string, stage: Stage, cluster?: Cluster, opts: { hostNetwork?: boolean } = {}): Promise<Runner> {
  if (name === 'host') return new HostRunner(opts.hostNetwork ? { netns: 'host' } : cluster ? { netns: await cluster.laptopNamespace() } : {});
  if (opts.hostNetwork) throw new UsageError('--kubeconfig runs on the host runner only (mirrord exec needs the host\'s network to reach the cluster)', 'KUBE_RUNNER');
  const ruby = rubyOfRunner(name) as (typeof RUBY_VERSIONS)[number];
  const { requireEngine } = await import('../images/engine.ts');
  const { imageFor } = await import('../images/catalog.ts');
  const { DockerRunner } = await import('./docker/docker-runner.ts');
  const { sweepContainers } = await import('./docker/sweep.ts');
  // MIRRORD_REGRESS_DOCKER_SOCKET: another engine socket (tests use it to simulate a missing engine).
  const docker = await requireEngine(process.env.MIRRORD_REGRESS_DOCKER_SOCKET);
  const swept = await sweepContainers(docker);
  if (swept) process.stderr.write(`removed ${swept} container(s) left by an earlier killed run\n`);
  process.stderr.write(`preparing image for ${name}...\n`);
  return new DockerRunner(await imageFor('lab', { ruby }), name, stage.root, cluster);
}
