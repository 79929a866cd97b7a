/**
 * spawn-then-resolve with each of Ruby's spawn methods. They differ in how the child reaches exec:
 * vfork + execv/execve through the PLT (hooked), a shell string via execl (never hooked), or fork.
 */
import type { Scenario } from './scenario.ts';

export const SPAWN_METHODS = ['backticks', 'spawn', 'popen', 'open3', 'system_env', 'shell', 'fork_exec'] as const;

// Shell strings and fork+exec show what does NOT leak, so they join the default matrix as contrast.
const IN_DEFAULT = new Set(['system_env', 'shell', 'fork_exec']);

export const spawnMethodScenarios: Scenario[] = SPAWN_METHODS.map((method) => ({
  id: `spawn-via-${method.replace('_', '-')}`,
  description: `spawn-then-resolve, children spawned with ${method}`,
  workload: { ruby: 'spawn_then_resolve.rb', args: ['--children', '20', '--method', method] },
  runAs: ['unprivileged'],
  timeoutMs: 5000,
  inDefaultMatrix: IN_DEFAULT.has(method),
}));
