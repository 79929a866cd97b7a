/** Spawning from one thread, resolving from others: only the spawning thread's hooks leak. */
import type { Scenario } from './scenario.ts';

export const spawnThreads: Scenario = {
  id: 'spawn-threads',
  description: 'a "spawner" thread spawns 20 children then resolves; a fresh thread and main resolve too',
  workload: { ruby: 'spawn_threads.rb', args: ['--children', '20'] },
  runAs: ['unprivileged'],
  timeoutMs: 5000,
  inDefaultMatrix: true,
};
