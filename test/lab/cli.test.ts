/** `mirrord-lab` refuses bad input with one line and exit 2, and explains itself. */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_CLI } from '../support/repo.ts';

const lab = (...args: string[]) => execa(LAB_CLI, args, { reject: false });

describe.skipIf(!existsSync(LAB_CLI) && !process.env.CI)('mirrord-lab CLI', () => {
  it('prints its version and the profiles it mirrors', async () => {
    const r = await lab('--version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^mirrord-lab \d+\.\d+\.\d+ \(mirrors mirrord 3\.111\.0, 3\.112\.0, 3\.112\.1/);
  });

  it.each([
    [['exec', '--profile', '3.200.0', '--', 'true'], /unknown profile "3.200.0"/],
    [['exec', '--profile', '3.112.0', '--strategy', 'sometimes', '--', 'true'], /unknown strategy "sometimes"/],
    [['exec', '--profile', '3.112.1', '--strategy', 'normal', '--', 'true'], /--strategy applies to profile 3.112.0 only/],
    [['exec', '--bogus', '--', 'true'], /unknown option --bogus/],
    [['exec', '--profile'], /--profile needs a value/],
    [['exec'], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j -> one line, exit 2', async (args, message) => {
    const r = await lab(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.startsWith('mirrord-lab: ')).toBe(true);
  });

  it('rejects config keys a profile does not have, and unknown keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    try {
      const cfg = join(dir, 'c.json');
      writeFileSync(cfg, JSON.stringify({ experimental: { enable_exec_hooks_linux: false } }));
      const r = await lab('exec', '--profile', '3.112.0', '-f', cfg, '--', 'true');
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/does not exist in 3\.112\.0 \(added in 3\.112\.1\)/);
      writeFileSync(cfg, '{"feature": {}}');
      const u = await lab('exec', '-f', cfg, '--', 'true');
      expect(u.exitCode).toBe(2);
      expect(u.stderr).toMatch(/unknown key feature/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a command that cannot be run, exit 1, and leaves no intproxy behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    try {
      const r = await execa(LAB_CLI, ['exec', '--', '/nonexistent/program'], { reject: false, env: { TMPDIR: dir } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/cannot run \/nonexistent\/program: No such file or directory/);
      const ps = await execa('pgrep', ['-f', `${LAB_CLI} intproxy`], { reject: false, env: { TMPDIR: dir } });
      expect(ps.stdout.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
