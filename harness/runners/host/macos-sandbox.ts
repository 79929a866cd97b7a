/**
 * The host runner on macOS (host-runner.ts picks it by platform), where there are no namespaces.
 * What they give the Linux sandbox (sandbox.ts) is had another way:
 *
 * - Who. The workload runs as the runner's own user: the one who ran `sudo` when the harness is
 *   root (`sudo -n -u USER`, then `env -i` with exactly the runner's environment, so no sudoers
 *   policy decides what it sees), else the harness's own. Root cells run as root and need the
 *   harness to be root, as on Linux.
 * - The network. There is no loopback-only namespace, so a cluster name that escapes the layer
 *   would reach the host's resolver, and a `.local` name mDNS, which gives up only after seconds.
 *   The lab's built-in cluster is renamed under the reserved `.invalid` TLD (RFC 6761) instead:
 *   `mirrord-lab exec -f` gets `lab.cluster_domain` and the services under it, and a workload that
 *   takes `--host` gets the renamed name. An escaped lookup then fails at once, and a cluster name
 *   can never leak to a real server. Real mirrord (`--kubeconfig`) talks to a real cluster: left as is.
 * - Leftovers. Every process of the attempt carries MIRRORD_REGRESS_RUN=<marker> in its environment
 *   (as the docker runner's do), found with `ps -E` and killed at the end, the intproxy included
 *   (it leaves the process group with setsid).
 * - SIP. Protected binaries (/usr/bin/ruby, /bin/sh) run with DYLD_* stripped, so without the layer.
 *   A bare `ruby` is found on the harness's PATH (ruby/setup-ruby's, Homebrew's), and a protected
 *   workload is refused in one line rather than run without the layer.
 *
 * Nothing here has run on macOS (README, "macOS"); the pure parts are tested on Linux.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execaSync } from 'execa';
import { EnvironmentError } from '../../cli/errors.ts';
import type { RunAs } from '../../model/result.ts';
import { SERVICES } from '../../cluster/addresses.ts';
import type { SandboxPlan } from './sandbox.ts';

/** The variable every process of an attempt carries (the docker runner's name for the same thing). */
export const MARKER_VAR = 'MIRRORD_REGRESS_RUN';

/** The built-in cluster's domain on macOS, and the one it replaces. */
export const RENAMED_CLUSTER_DOMAIN = 'svc.cluster.invalid';
const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The name the workloads that take `--host` resolve when given none. */
export const DEFAULT_HOST = 'db.default.svc.cluster.local';

/**
 * Workloads (a Ruby script's or a program's file name) that take `--host NAME` and resolve
 * DEFAULT_HOST without it; test/runners/macos-sandbox.test.ts checks the list against scenarios/.
 */
export const HOST_OPTION_WORKLOADS: readonly string[] = [
  'spawn_then_resolve.rb',
  'spawn_threads.rb',
  'spawn_random_thread.rb',
  'sleep_forever.rb',
  'kill_self.rb',
  'kill_intproxy.rb',
  'vfork_probe',
];

/** The config file `mirrord-lab exec -f` gets, in each attempt's directory. */
export const CLUSTER_CONFIG_FILE = 'lab-cluster.json';

/** Every `*.svc.cluster.local` in `text` (a name, a URL) moved under RENAMED_CLUSTER_DOMAIN. */
export function renameClusterNames(text: string): string {
  return text.replace(/\.svc\.cluster\.local(?=$|[^A-Za-z0-9-])/gi, `.${RENAMED_CLUSTER_DOMAIN}`);
}

/** The lab config that renames its built-in cluster: the domain, and the same services under it. */
export function renamedClusterConfig(): string {
  const services = Object.fromEntries(Object.entries(SERVICES).map(([name, ip]) => [renameClusterNames(name), ip]));
  return `${JSON.stringify({ lab: { cluster_domain: RENAMED_CLUSTER_DOMAIN, services } }, null, 2)}\n`;
}

/**
 * `mirrord-lab exec [opts] -- workload` with the built-in cluster renamed: `-f <configFile>` for the
 * lab, the workload's cluster names renamed, and `--host` added for a workload that takes one. Any
 * other command is returned as it is: it does not run on the lab's built-in cluster.
 */
export function renameCluster(argv: string[], configFile: string): string[] {
  const dashes = argv.indexOf('--');
  if (basename(argv[0] ?? '') !== 'mirrord-lab' || argv[1] !== 'exec' || dashes < 0) return argv;
  const workload = argv.slice(dashes + 1).map((a, i) => (i === 0 ? a : renameClusterNames(a)));
  // A Ruby workload is `ruby script.rb args`, any other `program args`.
  const file = workload[1]?.endsWith('.rb') ? workload[1] : workload[0];
  if (file !== undefined && HOST_OPTION_WORKLOADS.includes(basename(file)) && !workload.includes('--host')) {
    workload.push('--host', renameClusterNames(DEFAULT_HOST));
  }
  return [argv[0]!, 'exec', '-f', configFile, ...argv.slice(2, dashes), '--', ...workload];
}

/** Whether SIP protects `path` (and so strips DYLD_* from its environment): Apple's own binaries. */
export function sipProtected(path: string): boolean {
  return /^\/(System|bin|sbin)\//.test(path) || (path.startsWith('/usr/') && !path.startsWith('/usr/local/'));
}

/** `name` found on `path` (`:`-separated), or undefined; a path with a slash is returned as it is. */
export function findOnPath(name: string, path: string | undefined, canRun: (file: string) => boolean = runnable): string | undefined {
  if (name.includes('/')) return name;
  return (path ?? '').split(':').filter(Boolean).map((dir) => join(dir, name)).find(canRun);
}

/** What SIP judges is the file a link leads to (Homebrew's ruby is a link into its Cellar). */
function realPath(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function runnable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Ruby a workload runs: a bare name as the harness finds it, not as the workload's clean PATH would (/usr/bin/ruby). */
export function macRuby(ruby: string, harnessPath: string | undefined = process.env.PATH): string {
  return findOnPath(ruby, harnessPath) ?? ruby;
}

/** The user unprivileged cells run as when the harness is root: whoever ran sudo, else `nobody`. */
export function macRunUser(env: NodeJS.ProcessEnv = process.env): string {
  return env.SUDO_USER && env.SUDO_USER !== 'root' ? env.SUDO_USER : 'nobody';
}

export interface MacSandboxOptions {
  runAs: RunAs;
  /** Who unprivileged cells run as when the harness is root (macRunUser). */
  runUser: string;
  harnessIsRoot: boolean;
  harnessUser: string;
  /** The workload's whole environment (passed through `env -i` after sudo). */
  env: Record<string, string>;
  /** The renamed cluster's config (renamedClusterConfig), as the workload sees its path. */
  configFile: string;
  /** Finds a bare program name on the workload's PATH. @default a search of env.PATH */
  which?: (name: string) => string | undefined;
}

/** Builds the command that runs `workload` on macOS for `opts`; throws the one line when it cannot run there. */
export function planMacSandbox(workload: string[], opts: MacSandboxOptions): SandboxPlan {
  if (opts.runAs === 'root' && !opts.harnessIsRoot) {
    throw new EnvironmentError('running a workload as root (the control cells) needs the harness to run as root: use sudo');
  }
  const argv = renameCluster(workload, opts.configFile);
  const dashes = argv.indexOf('--');
  const program = dashes >= 0 && basename(argv[0] ?? '') === 'mirrord-lab' ? argv[dashes + 1] : argv[0];
  const found = program === undefined ? undefined : (opts.which ?? ((n: string) => realPath(findOnPath(n, opts.env.PATH))))(program);
  if (found !== undefined && sipProtected(found)) {
    throw new EnvironmentError(`${found} is protected by SIP, which strips DYLD_INSERT_LIBRARIES from it, so the layer would never load: use a Ruby (or program) outside /usr and /System (ruby/setup-ruby, Homebrew), with --ruby PATH`, 'SIP_PROTECTED');
  }
  const note = 'macOS: no network namespace; the lab\'s cluster is renamed under .invalid, so a lookup that escapes the layer fails at once';
  if (!opts.harnessIsRoot) return { argv, isolated: false, pidNamespace: false, note, user: opts.harnessUser };
  if (opts.runAs === 'root') return { argv, isolated: false, pidNamespace: false, note, user: 'root' };
  const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
  return {
    argv: ['/usr/bin/sudo', '-n', '-u', opts.runUser, '--', '/usr/bin/env', '-i', ...env, ...argv],
    isolated: false,
    pidNamespace: false,
    note,
    user: opts.runUser,
  };
}

/** A process `ps` listed: its pid and command line. */
export interface ListedProcess {
  pid: number;
  command: string;
}

/**
 * The live processes of `ps -A -E -ww -o pid=,stat=,command=` output that carry `marker` (`ps -E`
 * prints each one's environment after its arguments, as it was at exec).
 */
export function markedProcesses(psOutput: string, marker: string): ListedProcess[] {
  const needle = `${MARKER_VAR}=${marker}`;
  const found: ListedProcess[] = [];
  for (const line of psOutput.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m || m[2]!.startsWith('Z') || !m[3]!.split(/\s+/).includes(needle)) continue;
    found.push({ pid: Number(m[1]), command: m[3]! });
  }
  return found;
}

/** This attempt's processes right now. */
export function listMarked(marker: string): ListedProcess[] {
  const ps = execaSync('ps', ['-A', '-E', '-ww', '-o', 'pid=,stat=,command='], { reject: false });
  return markedProcesses(String(ps.stdout ?? ''), marker);
}

/** Kills every process carrying `marker` until none is left (bounded); returns the survivors. */
export async function killMarked(marker: string, list: (m: string) => ListedProcess[] = listMarked): Promise<ListedProcess[]> {
  for (let i = 0; i < 50; i++) {
    const left = list(marker);
    if (left.length === 0) return [];
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return list(marker);
}
