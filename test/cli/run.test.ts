/** `run` prints a verdict with evidence and exits with the git-bisect-run contract. */
import { describe, expect, it } from 'vitest';
import { regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';

describe.skipIf(skipLabTests)('run', () => {
  it('judges a program the harness has never seen by the lab events alone', async () => {
    const py = 'import socket,subprocess\nfor _ in range(3): subprocess.run(["/bin/true"])\ntry: socket.getaddrinfo("api.default.svc.cluster.local", 80)\nexcept OSError: pass';
    const r = await regress(['run', '--subject', 'lab@3.112.0', '--strategy', 'forget', '--exec', '--', '/usr/bin/python3', '-c', py]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/lab@3.112.0\/forget\/exec\/unprivileged\/host: BYPASSED/);
    expect(r.stdout).toMatch(/getaddrinfo bypassed 1x on tid \d+ \(pid \d+\) for api.default.svc.cluster.local/);
    expect(r.stdout).toMatch(/2 exec-hook entries in children found the DetourGuard already set/);
  });

  it('exit 0 for PASS, with the evidence of health', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--scenario', 'spawn-then-resolve']);
    expect(r.stdout).toMatch(/: PASS \(expected\)/);
    expect(r.stdout).toMatch(/getaddrinfo hooked 3\/3/);
    expect(r.exitCode).toBe(0);
  });

  it('--json prints the cell result; --repeat records every attempt', async () => {
    const r = await regress(['run', '--subject', 'lab@3.112.0', '--strategy', 'normal', '--scenario', 'spawn-then-resolve', '--repeat', '2', '--json']);
    expect(r.exitCode).toBe(1);
    const cell = JSON.parse(r.stdout);
    expect(cell.attempts).toHaveLength(2);
    expect(cell.verdict).toBe('BYPASSED');
    expect(cell.matchesExpectation).toBe(true);
    expect(cell.platform.ruby).toMatch(/^\d+\.\d+/);
  });
});
