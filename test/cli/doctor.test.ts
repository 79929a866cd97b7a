/** `doctor`: one line per piece; a missing piece says how to install it, and the exit code says so. */
import { describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { regress } from '../support/cli.ts';

describe('doctor', () => {
  it('reports every check on its own line', async () => {
    const r = await regress(['doctor']);
    const names = r.stdout.trim().split('\n').map((l) => /^(ok|missing) +([^:]+):/.exec(l)?.[2]);
    expect(names).toEqual(['node', 'ruby', 'cargo', 'lab build', 'root', 'unprivileged user', 'network namespaces', 'cluster DNS', 'docker engine']);
    expect(r.exitCode).toBe(r.stdout.includes('\nmissing') || r.stdout.startsWith('missing') ? 1 : 0);
  });

  it('a missing tool is named with the command that installs it', async () => {
    // Only node's own directory on PATH: ruby and cargo cannot be found.
    const r = await regress(['doctor'], { env: { PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath) } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^missing  ruby: .*; fix: apt-get install -y ruby$/m);
    expect(r.stdout).toMatch(/^missing  cargo: .*; fix: install a Rust toolchain/m);
  });
});
