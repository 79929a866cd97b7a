/** Bad input: one line on stderr, exit 2, no stack trace. */
import { describe, expect, it } from 'vitest';
import { regress } from '../support/cli.ts';

describe('bad input', () => {
  it.each([
    [['run', '--subject', 'lab@9.9.9', '--scenario', 'spawn-then-resolve'], /unknown subject "lab@9.9.9"; known: lab@3.111.0, lab@3.112.0, lab@3.112.1/],
    [['run', '--subject', 'lab@3.112.0', '--strategy', 'sometimes', '--scenario', 'spawn-then-resolve'], /unknown strategy "sometimes"/],
    [['run', '--subject', 'lab@3.111.0', '--strategy', 'normal', '--scenario', 'spawn-then-resolve'], /lab@3.111.0 has no guard strategy to choose/],
    [['run', '--subject', 'lab@3.112.0', '--scenario', 'no-such-scenario'], /unknown scenario "no-such-scenario"; known: spawn-then-resolve/],
    [['run', '--subject', 'lab@3.112.0'], /give exactly one of --scenario ID or --exec/],
    [['run', '--scenario', 'spawn-then-resolve'], /required option '--subject <id>' not specified/],
    [['matrix', '--shard', '3/2'], /malformed --shard "3\/2"/],
    [['matrix', '--shard', 'x'], /malformed --shard "x"/],
    [['matrix', '--repeat', '0'], /--repeat must be a positive integer/],
    [['matrix', '--strategies', 'normal,wat'], /unknown strategy "wat"/],
    [['matrix', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', '--subject', 'lab@3.112.0', '--scenario', 'spawn-then-resolve', '--ruby', '/nonexistent/ruby'], /Ruby not found or not runnable \(\/nonexistent\/ruby\): install it with `apt-get install -y ruby`/],
    [['report', 'merge', '/nonexistent/results.json', '--out', '/tmp/x'], /cannot read \/nonexistent\/results.json/],
  ])('%j', async (args, message) => {
    const r = await regress(args);
    expect(r.stderr).toMatch(message);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mirrord-regress: /);
  });

  it('missing Ruby through the environment too', async () => {
    const r = await regress(['matrix'], { env: { MIRRORD_REGRESS_RUBY: '/nonexistent/ruby' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Ruby not found/);
  });

  it('--help explains each command and exits 0', async () => {
    for (const cmd of [[], ['run'], ['matrix'], ['report', 'merge'], ['doctor'], ['lab', 'build']]) {
      const r = await regress([...cmd, '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/Usage: mirrord-regress/);
    }
  });
});
