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
  fixture('fixture-hang', 'hang.rb', 'resolves, then sleeps forever (a HANG with evidence)', 2000),
  fixture('fixture-kill-self', 'kill_self.rb', 'resolves, then SIGKILLs itself (a CRASH)'),
  fixture('fixture-kill-intproxy', 'kill_intproxy.rb', 'resolves, SIGKILLs the intproxy, resolves again (VANISHED)'),
];
