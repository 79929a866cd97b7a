/**
 * `mirrord-lab` refuses bad input with one line and exit 2, and explains itself; a command it cannot
 * start gets a shell's answer (one line, 127/126) and leaves nothing running.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_CLI } from '../support/repo.ts';
import type { LabEvent } from '../support/lab-run.ts';

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
      // mirrord's own keys are accepted (one file serves both); a key mirrord does not have is not.
      writeFileSync(cfg, '{"bogus": {}}');
      const u = await lab('exec', '-f', cfg, '--', 'true');
      expect(u.exitCode).toBe(2);
      expect(u.stderr).toMatch(/unknown key bogus/);
      writeFileSync(cfg, '{"feature": {"network": {"dns": true}}, "operator": false, "internal_proxy": {"log_level": "mirrord=trace"}}');
      const m = await lab('exec', '-f', cfg, '--', 'true');
      expect(m.stderr).toBe('');
      expect(m.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a command that cannot start', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs `mirrord-lab exec -- cmd` with its temp files and events in `dir`. */
    async function execFails(cmd: string, withEvents = true) {
      const env: Record<string, string> = { PATH: '/usr/bin:/bin', TMPDIR: dir };
      if (withEvents) env.MIRRORD_LAB_EVENTS = join(dir, 'events.jsonl');
      const child = execa(LAB_CLI, ['exec', '--', cmd], { reject: false, env, extendEnv: false });
      const started = performance.now();
      const r = await child;
      const events = existsSync(join(dir, 'events.jsonl'))
        ? readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LabEvent)
        : [];
      return { r, pid: child.pid!, events, ms: performance.now() - started };
    }

    it.each([
      ['/no/such/cmd', 127, 'No such file or directory', 2],
      ['nosuchcmd', 127, 'No such file or directory', 2],
      ['<not executable>', 126, 'Permission denied', 13],
      ['<a directory>', 126, 'Permission denied', 13],
    ])('%s: one line naming it and the OS error, exit %i, an exec_failed event, no intproxy left', async (name, code, error, errno) => {
      let cmd = name;
      if (name === '<not executable>') writeFileSync((cmd = join(dir, 'script')), '#!/bin/sh\n', { mode: 0o644 });
      if (name === '<a directory>') mkdirSync((cmd = join(dir, 'subdir')));
      const { r, pid, events } = await execFails(cmd);
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toBe(`mirrord-lab: cannot execute ${JSON.stringify(cmd)}: ${error} (os error ${errno})`);
      expect(r.stdout).toBe('');

      const failed = events.filter((e) => (e.src as string) === 'cli');
      expect(failed).toEqual([{ src: 'cli', event: 'exec_failed', pid, t_ns: expect.any(Number), path: cmd, error, errno }]);
      // The intproxy was told, cleaned up and exited before the CLI did: reaped, nothing left in TMPDIR.
      const proxy = events.filter((e) => e.src === 'intproxy');
      expect(proxy.map((e) => e.event)).toEqual(['listening', 'abort', 'exit']);
      expect(proxy.at(-1)).toMatchObject({ reason: 'exec_failed', sessions: 0 });
      expect(proxy.at(-1)!.t_ns).toBeGreaterThan(failed[0]!.t_ns);
      expect(proxy.at(-1)!.t_ns - failed[0]!.t_ns).toBeLessThan(500e6);
      expect(existsSync(`/proc/${proxy[0]!.pid}`)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.startsWith('mirrord-lab-'))).toEqual([]);
    });

    it('without MIRRORD_LAB_EVENTS: the same line and exit code, promptly, and no events file', async () => {
      const { r, ms } = await execFails('nosuchcmd', false);
      expect(r.exitCode).toBe(127);
      expect(r.stderr).toBe('mirrord-lab: cannot execute "nosuchcmd": No such file or directory (os error 2)');
      expect(readdirSync(dir)).toEqual([]);
      // Not the intproxy's 60 s start timeout, nor the 2 s grace before a kill.
      expect(ms).toBeLessThan(1500);
    });

    it('a name with a newline still gives one line (quoted and escaped)', async () => {
      const { r, events } = await execFails('bad\nname');
      expect(r.exitCode).toBe(127);
      expect(r.stderr).toBe('mirrord-lab: cannot execute "bad\\nname": No such file or directory (os error 2)');
      expect(events.find((e) => e.event === 'exec_failed')?.path).toBe('bad\nname');
    });
  });
});
