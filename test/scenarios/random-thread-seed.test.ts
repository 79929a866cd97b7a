/** The intermittent scenario repeats exactly under MIRRORD_REGRESS_SEED, attempt by attempt. */
import { describe, expect, it } from 'vitest';
import { attemptSeed } from '../../harness/pipeline/run-attempt.ts';
import { regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';

const outcomes = async (seed: string): Promise<string[]> => {
  const r = await regress(['run', '--subject', 'lab@3.112.0', '--scenario', 'spawn-random-thread', '--repeat', '8', '--json'], { env: { MIRRORD_REGRESS_SEED: seed } });
  return (JSON.parse(r.stdout) as { attempts: { verdict: { kind: string } }[] }).attempts.map((a) => a.verdict.kind);
};

describe('attemptSeed', () => {
  it('differs per attempt and per cell, repeats for the same inputs, and is off without a base', () => {
    expect(attemptSeed('7', 'cell', 1)).toBe(attemptSeed('7', 'cell', 1));
    expect(attemptSeed('7', 'cell', 1)).not.toBe(attemptSeed('7', 'cell', 2));
    expect(attemptSeed('7', 'cell', 1)).not.toBe(attemptSeed('7', 'other', 1));
    expect(attemptSeed(undefined, 'cell', 1)).toBeUndefined();
  });
});

describe.skipIf(skipLabTests)('spawn-random-thread, seeded', () => {
  it('gives the same sequence of verdicts twice, and still both outcomes', async () => {
    const first = await outcomes('7');
    expect(await outcomes('7')).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['PASS', 'BYPASSED']));
  });
});
