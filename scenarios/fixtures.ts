/** Tiny workloads that each do one bad thing, to prove the verdict rules on real runs. */
import type { Scenario } from './scenario.ts';

const fixture = (id: string, script: string, description: string, timeoutMs = 5000): Scenario => ({
  id,
  description,
  workload: { ruby: `fixtures/${script}`, args: [] },
  runAs: ['unprivileged'],
  timeoutMs,
  inDefaultMatrix: false,
});

export const fixtureScenarios: Scenario[] = [
  fixture('fixture-sleep-forever', 'sleep_forever.rb', 'resolves, then sleeps in poll until killed (a TIMEOUT: asleep is not stuck)', 2000),
  fixture('fixture-deadlock', 'deadlock.rb', 'resolves, then waits for a file lock it holds itself (a HANG, called before the timeout)', 10000),
  fixture('fixture-wait-busy', 'wait_busy.rb', 'waits on a busy thread, then on a sleeping child, then resolves (a PASS: waiting is not deadlock)', 10000),
  fixture('fixture-kill-self', 'kill_self.rb', 'resolves, then SIGKILLs itself without the layer asking (a CRASH: no bug evidence)'),
  fixture('fixture-kill-intproxy', 'kill_intproxy.rb', 'resolves, SIGKILLs the intproxy, resolves again (VANISHED)'),
];
