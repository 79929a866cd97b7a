/** Bad input: exactly one given line on stderr, exit 2, no stack trace. (Faults of the disk: faults.test.ts.) */
import { describe, expect, it } from 'vitest';
import { regress } from '../support/cli.ts';
import { SCENARIOS } from '../../scenarios/index.ts';

const RUBY_MISSING = 'Ruby not found or not runnable (/nonexistent/ruby): install it with `apt-get install -y ruby`, or pass --ruby PATH';

describe('bad input', () => {
  it.each([
    [['run', '--subject', 'lab@9.9.9', '--scenario', 'spawn-then-resolve'], 'unknown subject "lab@9.9.9"; known: lab@X and lab-exec@X for X in 3.111.0, 3.112.0, 3.112.1, mirrord@X for a pinned release X, mirrord-src:CHECKOUT[@REV]'],
    [['run', '--subject', 'lab@3.112.0', '--strategy', 'sometimes', '--scenario', 'spawn-then-resolve'], 'unknown strategy "sometimes"; choose one of none, normal, forget'],
    [['run', '--subject', 'lab@3.111.0', '--strategy', 'normal', '--scenario', 'spawn-then-resolve'], "lab@3.111.0 has no guard strategy to choose (only 3.112.0's exec hook holds a guard)"],
    [['run', '--subject', 'lab@3.112.0', '--scenario', 'no-such-scenario'], `unknown scenario "no-such-scenario"; known: ${SCENARIOS.map((s) => s.id).join(', ')}`],
    [['run', '--subject', 'lab@3.112.0'], 'give exactly one of --scenario ID or --exec -- CMD [ARGS...]'],
    [['run', '--scenario', 'spawn-then-resolve'], "required option '--subject <id>' not specified"],
    [['matrix', '--shard', '3/2'], 'malformed --shard "3/2": expected i/n with 1 <= i <= n, e.g. 2/4'],
    [['matrix', '--shard', 'x'], 'malformed --shard "x": expected i/n with 1 <= i <= n, e.g. 2/4'],
    [['matrix', '--repeat', '0'], '--repeat must be a whole number from 1 to 1000, got 0'],
    [['matrix', '--strategies', 'normal,wat'], 'unknown strategy "wat"; choose one of none, normal, forget'],
    [['matrix', '--bogus'], "unknown option '--bogus'"],
    [['matrix', '--jbos', '2'], "unknown option '--jbos' (Did you mean --jobs?)"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['run', '--subject', 'lab@3.112.0', '--scenario', 'spawn-then-resolve', '--ruby', '/nonexistent/ruby'], RUBY_MISSING],
    [['report', 'merge', '/nonexistent/results.json', '--out', '/tmp/x'], 'cannot read /nonexistent/results.json: no such file or directory (ENOENT); check the path'],
    [['images', 'build', '--only', ''], '--only is empty: give at least one image kind, e.g. lab'],
    [['images', 'build', '--ruby', ' , '], '--ruby is empty: give at least one Ruby version, e.g. 3.3'],
  ])('%j', async (args, line) => {
    const r = await regress(args);
    expect(r.stderr).toBe(`mirrord-regress: ${line}`);
    expect(r.exitCode).toBe(2);
  });

  it('missing Ruby through the environment too', async () => {
    const r = await regress(['matrix'], { env: { MIRRORD_REGRESS_RUBY: '/nonexistent/ruby' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`mirrord-regress: ${RUBY_MISSING}`);
  });

  it('--help explains each command, with the limits of its numbers, and exits 0', async () => {
    for (const cmd of [[], ['run'], ['matrix'], ['report', 'merge'], ['bisect'], ['doctor'], ['lab', 'build'], ['images', 'build']]) {
      const r = await regress([...cmd, '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/Usage: mirrord-regress/);
    }
    const matrix = (await regress(['matrix', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(matrix).toContain('attempts per cell, 1-1000');
    expect(matrix).toContain('cells run in parallel, 1-64');
    const bisect = (await regress(['bisect', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(bisect).toContain('a SIGKILL of the harness can leave the build running');
  });
});
