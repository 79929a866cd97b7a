/**
 * How the host runner wraps a workload so that nothing outlives it and nothing escapes to the
 * network. As root: `setpriv --pdeathsig KILL unshare --net --pid --fork --mount-proc --kill-child`
 * runs a tiny init (pid 1 of fresh PID and network namespaces, loopback up) that drops to the run
 * user and runs the workload; against the cluster, the network namespace is the cluster's laptop
 * (joined with nsenter), which reaches the agents' pods and nothing else. Killing pid 1 kills the whole namespace, intproxy included; and if
 * the harness itself dies, parent-death signals tear the chain down. Not root: the workload runs
 * in its own process group on the host network, and the result says so.
 */
import type { RunAs } from '../../model/result.ts';
import { EnvironmentError } from '../../cli/errors.ts';

/** pid 1 of a run's namespaces. Exit 125 means the sandbox itself failed (an ERROR, not a verdict). */
export const NS_INIT = `
ip link set lo up 2>/dev/null || { echo "mirrord-regress: cannot bring up loopback in the run's network namespace (is iproute2 installed?)" >&2; exit 125; }
"$@"
rc=$?
# When the workload ended (ms since the epoch): an agent that died before this died mid-run.
[ -n "$MIRRORD_REGRESS_ENDED" ] && date +%s%3N > "$MIRRORD_REGRESS_ENDED" 2>/dev/null
# Let the subject's own helpers (the intproxy) finish by themselves for up to LINGER_MS.
n=$(( \${MIRRORD_REGRESS_LINGER_MS:-0} / 20 ))
while [ "$n" -gt 0 ]; do
  others=0
  for d in /proc/[0-9]*; do
    [ "\${d#/proc/}" = 1 ] && continue
    read -r _ _ st _ < "$d/stat" 2>/dev/null || continue
    [ "$st" = Z ] || { others=1; break; }
  done
  [ "$others" = 0 ] && break
  sleep 0.02
  n=$((n - 1))
done
# Record who is still here when pid 1 leaves (the kernel then kills them).
if [ -n "$MIRRORD_REGRESS_LEFTOVERS" ]; then
  for d in /proc/[0-9]*; do
    [ "\${d#/proc/}" = 1 ] && continue
    read -r _ _ st _ < "$d/stat" 2>/dev/null || continue
    [ "$st" = Z ] && continue
    printf '%s %s\\n' "\${d#/proc/}" "$(tr '\\0' ' ' < "$d/cmdline")"
  done > "$MIRRORD_REGRESS_LEFTOVERS"
fi
exit $rc
`;

export interface SandboxPlan {
  /** argv to spawn (argv[0] is the program). */
  argv: string[];
  /** Cut off from the host's network (a fresh namespace, or the cluster's laptop). */
  isolated: boolean;
  /** Own PID namespace: killing its pid 1 kills everything the workload started. */
  pidNamespace: boolean;
  /** Why the run is not isolated, when it is not. */
  note?: string;
  /** User the workload runs as. */
  user: string;
}

export interface SandboxOptions {
  runAs: RunAs;
  /** Unprivileged account to use (default `nobody`). */
  unprivilegedUser: string;
  unprivilegedGroup: string;
  /** Whether the harness runs as root (uid 0). */
  harnessIsRoot: boolean;
  /** Name of the harness's own user, for the non-root fallback. */
  harnessUser: string;
  /**
   * A network namespace to join (`/proc/PID/ns/net`: the cluster's laptop) instead of a fresh one with
   * loopback only; `host` for none of its own (`--kubeconfig`: mirrord exec must reach a real cluster).
   * @default a fresh one
   */
  netns?: string;
}

/** Builds the command that runs `workload` under the sandbox for `opts`. */
export function planSandbox(workload: string[], opts: SandboxOptions): SandboxPlan {
  if (!opts.harnessIsRoot) {
    if (opts.runAs === 'root') {
      throw new EnvironmentError('running a workload as root (the control cells) needs the harness to run as root: use sudo');
    }
    return {
      argv: workload,
      isolated: false,
      pidNamespace: false,
      note: 'harness is not root: no network namespace, the workload can reach the host network',
      user: opts.harnessUser,
    };
  }
  const drop =
    opts.runAs === 'root'
      ? []
      : ['setpriv', `--reuid=${opts.unprivilegedUser}`, `--regid=${opts.unprivilegedGroup}`, '--clear-groups', '--'];
  // nsenter only setns()es and execs (no fork without a PID namespace), so the parent-death signal holds.
  const network = opts.netns === 'host' ? ['unshare'] : opts.netns ? ['nsenter', `--net=${opts.netns}`, '--', 'unshare'] : ['unshare', '--net'];
  return {
    argv: [
      'setpriv', '--pdeathsig', 'KILL', '--',
      ...network, '--pid', '--fork', '--mount-proc', '--kill-child', '--',
      'sh', '-c', NS_INIT, 'mirrord-regress-init', ...drop, ...workload,
    ],
    isolated: opts.netns !== 'host',
    pidNamespace: true,
    ...(opts.netns === 'host' ? { note: "host network: mirrord exec must reach the cluster's API (--kubeconfig)" } : {}),
    user: opts.runAs === 'root' ? 'root' : opts.unprivilegedUser,
  };
}

