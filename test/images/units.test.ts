/** The pieces around Docker that need no engine: error lines, keys, the build plan, the missing-engine error. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../harness/cli/errors.ts';
import { lastErrorLine } from '../../harness/images/build-log.ts';
import { requireEngine } from '../../harness/images/engine.ts';
import { inputsKey, type BuildInputs } from '../../harness/images/inputs.ts';
import { planBuilds } from '../../harness/images/plan.ts';
import type { PinsFile } from '../../harness/subjects/release/pins.ts';

const dir = mkdtempSync(join(tmpdir(), 'regress-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lastErrorLine', () => {
  it('takes the last error line of the build log, without its prefix', () => {
    const log = 'Step 3/3 : RUN x\n ---> Running in abc\nerror: first\nnoise\nerror: sha256 mismatch: expected a, actual b\n';
    expect(lastErrorLine(log, "The command '/bin/sh -c x' returned a non-zero code: 1")).toBe('sha256 mismatch: expected a, actual b');
    expect(lastErrorLine('E: Unable to locate package rubyy\n')).toBe('Unable to locate package rubyy');
  });

  it("falls back to the daemon's first line", () => {
    expect(lastErrorLine('Step 1/2 : FROM debian:bookworm\n', 'pull access denied for debian\nmore')).toBe('pull access denied for debian');
  });
});

describe('inputsKey', () => {
  const file = join(dir, 'payload');
  writeFileSync(file, 'one');
  const inputs = (over: Partial<BuildInputs> = {}): BuildInputs => ({
    dockerfile: 'Dockerfile',
    args: { A: '1', B: '2' },
    labels: { l: 'x' },
    files: [{ path: 'p', source: file }],
    facts: {},
    ...over,
  });

  it('is stable across argument order and changes with every input', () => {
    const key = inputsKey(inputs());
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(inputsKey(inputs({ args: { B: '2', A: '1' } }))).toBe(key);
    expect(inputsKey(inputs({ args: { A: '1', B: '3' } }))).not.toBe(key);
    expect(inputsKey(inputs({ labels: { l: 'y' } }))).not.toBe(key);
    expect(inputsKey(inputs({ facts: { baseImageId: 'sha256:1' } }))).not.toBe(key);
    expect(inputsKey(inputs({ files: [{ path: 'q', source: file }] }))).not.toBe(key);
    writeFileSync(file, 'two');
    const changedBytes = inputsKey(inputs());
    expect(changedBytes).not.toBe(key);
    chmodSync(file, 0o755);
    expect(inputsKey(inputs())).not.toBe(changedBytes);
  });
});

describe('planBuilds', () => {
  const pins: PinsFile = {
    schema: 2,
    releaseBaseUrl: 'u',
    versions: { '3.112.0': { assets: { a: 'f'.repeat(64) } }, '3.111.0': { assets: { a: null } } },
  };

  it('by default: ruby, lab and every pinned mirrord, per Ruby; unpinned ones are reported', () => {
    const plan = planBuilds(undefined, ['3.1', '3.3'], pins, 'a');
    expect(plan.requests).toEqual([
      { kind: 'ruby', ruby: '3.1' },
      { kind: 'lab', ruby: '3.1' },
      { kind: 'mirrord', version: '3.112.0', ruby: '3.1' },
      { kind: 'ruby', ruby: '3.3' },
      { kind: 'lab', ruby: '3.3' },
      { kind: 'mirrord', version: '3.112.0', ruby: '3.3' },
    ]);
    expect(plan.skipped).toEqual([expect.stringMatching(/^mirrord@3\.111\.0: no sha256 pinned for a \(run `mirrord-regress images pin 3\.111\.0`/)]);
  });

  it('--only picks targets, even an unpinned version (its build says why it fails)', () => {
    expect(planBuilds(['lab', 'mirrord@3.111.0'], ['3.3'], pins, 'a').requests).toEqual([
      { kind: 'lab', ruby: '3.3' },
      { kind: 'mirrord', version: '3.111.0', ruby: '3.3' },
    ]);
  });

  it('rejects unknown targets and Rubies with a usage error', () => {
    expect(() => planBuilds(['mirrord@latest'], ['3.1'], pins, 'a')).toThrow(UsageError);
    expect(() => planBuilds(['python'], ['3.1'], pins, 'a')).toThrow(/--only takes ruby, lab, mirrord or mirrord@VERSION/);
    expect(() => planBuilds(undefined, ['2.7'], pins, 'a')).toThrow(/--ruby takes 3\.1, 3\.3, got "2\.7"/);
  });
});

describe('requireEngine', () => {
  it('without an engine: one line, NO_DOCKER, exit 2, and how to start one', async () => {
    const socket = join(dir, 'no-engine.sock');
    const err = await requireEngine(socket).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err).toMatchObject({ code: 'NO_DOCKER', exitCode: 2 });
    expect((err as Error).message).toBe(
      `no Docker engine answers at ${socket}: start one (\`bash images/engine.sh start /tmp/dockerd.pid\`, or \`dockerd &\`)`,
    );
  });
});
