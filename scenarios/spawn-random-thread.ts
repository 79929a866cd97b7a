/** Intermittent by design: the bug shows only when the resolving thread is the one that spawned. */
import type { Scenario } from './scenario.ts';

export const spawnRandomThread: Scenario = {
  id: 'spawn-random-thread',
  description: 'a random pool thread spawns 5 children, a random pool thread resolves (bug in ~1 of 2 runs)',
  workload: { ruby: 'spawn_random_thread.rb', args: ['--threads', '2', '--children', '5'] },
  runAs: ['unprivileged'],
  timeoutMs: 5000,
  inDefaultMatrix: false,
};
