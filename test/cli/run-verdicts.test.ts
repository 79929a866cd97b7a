/**
 * The examples that made bisects untrustworthy (issue 8, "Why"), each through the real CLI with the
 * verdict and exit code `git bisect run` will believe: a bug verdict only with bug evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regress } from '../support/cli.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';

const CLUSTER = 'db.default.svc.cluster.local';
const firstLine = (text: string) => text.split('\n')[0];

describe.skipIf(skipLabTests)('run: verdicts a bisect can trust', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'regress-verdicts-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`--exec -- false` is FAIL (exit 125), not VANISHED', async () => {
    const r = await regress(['run', '--subject', 'lab@3.111.0', '--exec', '--', 'false']);
    expect(firstLine(r.stdout)).toBe('lab@3.111.0/-/exec/unprivileged/host: FAIL (no expectation)');
    expect(r.stdout).toMatch(/why: workload exited 1 with no sign of the bug: no error output/);
    expect(r.exitCode).toBe(125);
  });

  it('a command that does not exist is ERROR with its own message (exit 125)', async () => {
    const r = await regress(['run', '--subject', 'lab@3.111.0', '--exec', '--', 'no-such-command-here']);
    expect(firstLine(r.stdout)).toBe('lab@3.111.0/-/exec/unprivileged/host: ERROR (no expectation)');
    expect(r.stdout).toMatch(/why: the command could not start: launch: cannot execute "no-such-command-here": No such file or directory/);
    expect(r.exitCode).toBe(125);
  });

  it('a bash script whose `getent hosts` resolves through gethostbyname is judged on hooks: PASS on every release', async () => {
    const script = join(dir, 'lookup.sh');
    writeFileSync(script, `#!/bin/bash\n/bin/true\ngetent hosts ${CLUSTER}\n`, { mode: 0o755 });
    for (const subject of ['lab@3.111.0', 'lab@3.112.0', 'lab@3.112.1']) {
      const r = await regress(['run', '--subject', subject, '--exec', '--', script]);
      expect(firstLine(r.stdout), subject).toMatch(/: PASS \(no expectation\)$/);
      // getent asks gethostbyname2 for AF_INET6, then for AF_INET.
      expect(r.stdout, subject).toMatch(/why: exit 0; gethostbyname2 hooked 2\/2 \(2 remote\)/);
      expect(r.exitCode, subject).toBe(0);
    }
  });

  it('a cluster name the cluster does not know is FAIL on a fixed release, not BYPASSED', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--exec', '--', 'ruby', join(REPO_ROOT, 'scenarios/ruby/spawn_then_resolve.rb'), '--host', 'nosuch.default.svc.cluster.local']);
    expect(firstLine(r.stdout)).toBe('lab@3.112.1/-/exec/unprivileged/host: FAIL (no expectation)');
    expect(r.exitCode).toBe(125);
  });

  it('`--timeout 30` (seconds typed as milliseconds) is refused, not run into a false HANG', async () => {
    const r = await regress(['run', '--subject', 'lab@3.111.0', '--scenario', 'spawn-then-resolve', '--timeout', '30']);
    expect(r.stderr.trim()).toBe('mirrord-regress: --timeout is in milliseconds and must be at least 1000 (got 30; did you mean 30000?)');
    expect(r.exitCode).toBe(2);
  });

  it('a program that spawns but never reaches a DNS or socket hook is INCONCLUSIVE, never PASS', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--exec', '--', 'python3', '-c', 'import subprocess; subprocess.run(["true"])']);
    expect(firstLine(r.stdout)).toBe('lab@3.112.1/-/exec/unprivileged/host: INCONCLUSIVE (no expectation)');
    expect(r.stdout).toMatch(/no DNS or socket hook .* was ever called/);
    expect(r.exitCode).toBe(125);
  });

  it('perl `system` then `gethostbyname` is judged on the gethostbyname hook', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.0', '--exec', '--', 'perl', '-e', `system("true"); my @a = gethostbyname("${CLUSTER}"); exit(@a ? 0 : 1)`]);
    // Perl forks (not vfork) and execs through execvp, which no preload hook sees: no leak, but the lookup is hooked.
    expect(firstLine(r.stdout)).toBe('lab@3.112.0/normal/exec/unprivileged/host: PASS (no expectation)');
    expect(r.stdout).toMatch(/why: exit 0; gethostbyname_r hooked 1\/1 \(1 remote\); no exec-hook entries/);
    expect(r.exitCode).toBe(0);
  });

  it('an --exec run is compared only with what the user expects (--expect)', async () => {
    const py = `import subprocess, socket\nsubprocess.run(["true"])\nsocket.getaddrinfo("${CLUSTER}", 80)`;
    const r = await regress(['run', '--subject', 'lab@3.112.0', '--strategy', 'normal', '--expect', 'BYPASSED', '--exec', '--', 'python3', '-c', py]);
    expect(firstLine(r.stdout)).toBe('lab@3.112.0/normal/exec/unprivileged/host: BYPASSED (expected)');
    expect(r.exitCode).toBe(1);
    const bad = await regress(['run', '--subject', 'lab@3.112.0', '--expect', 'MAYBE', '--exec', '--', 'true']);
    expect(bad.stderr.trim()).toBe('mirrord-regress: --expect takes verdicts from PASS, BYPASSED, HANG, VANISHED, CRASH, FAIL, INCONCLUSIVE, TIMEOUT, ERROR (comma-separated), got "MAYBE"');
    expect(bad.exitCode).toBe(2);
  });

  it('the workload gets a clean PATH, not the harness\'s node_modules/.bin', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--keep', '--exec', '--', 'sh', '-c', 'echo "PATH=$PATH" >&2; exit 3'], { env: { PATH: `${REPO_ROOT}/node_modules/.bin:${process.env.PATH}` } });
    expect(r.stdout).toMatch(/why: workload exited 3 with no sign of the bug: PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
    const kept = r.stderr.match(/^kept: (.+)$/m)?.[1];
    expect(kept).toBeDefined();
    rmSync(kept!, { recursive: true, force: true });
  });
});
