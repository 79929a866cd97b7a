/** The core scenario of the upstream report: resolve, spawn children, resolve again, HTTP GET. */
import type { Scenario } from './scenario.ts';

export const spawnThenResolve: Scenario = {
  id: 'spawn-then-resolve',
  description: 'resolve a cluster name, system("true") x20, resolve again on the same thread, HTTP GET the service',
  workload: { ruby: 'spawn_then_resolve.rb', args: ['--children', '20', '--method', 'system'] },
  runAs: ['unprivileged', 'root'],
  timeoutMs: 5000,
  inDefaultMatrix: true,
};
