/**
 * spawn-then-resolve without Ruby: a C program calls vfork() + execve() itself. Ruby forks as root;
 * a C program vforks whatever its privileges, so here root shows the bug too.
 */
import type { Scenario } from './scenario.ts';

export const cVforkThenResolve: Scenario = {
  id: 'c-vfork-then-resolve',
  description: 'C: resolve a cluster name, vfork()+execve("/bin/true") x20, resolve again on the same thread, connect and HTTP GET the service',
  workload: { c: 'vfork_probe.c', args: ['--children', '20'] },
  runAs: ['unprivileged', 'root'],
  timeoutMs: 5000,
  // Selectable with --scenarios; the default matrix (30 cells) stays as it is.
  inDefaultMatrix: false,
};
