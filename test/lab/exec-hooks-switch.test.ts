/** 3.112.1's `experimental.enable_exec_hooks_linux: false` takes the exec hooks out entirely. */
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, hookEvents, runUnderLab } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

describe.skipIf(skipLabTests)('enable_exec_hooks_linux', () => {
  afterAll(disposeLabStage);

  it('false: exec calls go straight to libc, marked not installed', async () => {
    const run = await runUnderLab(
      '3.112.1',
      { ruby: 'spawn_then_resolve.rb', args: ['--children', '3', '--no-http'] },
      { config: { experimental: { enable_exec_hooks_linux: false } } },
    );
    expect(run.observation.exitCode).toBe(0);
    const execs = hookEvents(run, 'execv');
    expect(execs.length).toBe(3);
    expect(execs.every((e) => e.installed === false)).toBe(true);
  });
});
