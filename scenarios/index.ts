/** Every scenario, by id. */
import { UsageError } from '../harness/cli/errors.ts';
import { cVforkThenResolve } from './c-vfork.ts';
import { fixtureScenarios } from './fixtures.ts';
import type { Scenario } from './scenario.ts';
import { spawnMethodScenarios } from './spawn-methods.ts';
import { spawnThenResolve } from './spawn-then-resolve.ts';
import { spawnThreads } from './spawn-threads.ts';
import { spawnRandomThread } from './spawn-random-thread.ts';

export const SCENARIOS: Scenario[] = [spawnThenResolve, spawnThreads, spawnRandomThread, ...spawnMethodScenarios, cVforkThenResolve, ...fixtureScenarios];

export function scenarioById(id: string): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new UsageError(`unknown scenario "${id}"; known: ${SCENARIOS.map((x) => x.id).join(', ')}`, 'UNKNOWN_SCENARIO');
  return s;
}

export function defaultScenarios(): Scenario[] {
  return SCENARIOS.filter((s) => s.inDefaultMatrix);
}
