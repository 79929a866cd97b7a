/**
 * What goes wrong with a release or the cluster, answered: each in one line (exit 2 before anything
 * runs, or an ERROR verdict with its cause, exit 125), and nothing left behind — no namespace holder,
 * pod or container, no stage, no half-written cache file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import tmp from 'tmp';
import { privateTmp, processesMentioning, regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';
import { filesUnder } from '../release/support/release-base.ts';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const CLI = 'mirrord_linux_x86_64';

describe.skipIf(skipLabTests)('release and cluster faults', () => {
  const t = privateTmp();
  let root = '';
  let published = '';
  let remove = () => {};
  let cache = '';

  /** A copy of the published releases, changed by `edit`; returns its pins file. */
  function variantBase(name: string, edit: (dir: string, pins: { versions: Record<string, { assets: Record<string, string> }> }) => void): { dir: string; pins: string } {
    const dir = join(root, name);
    cpSync(published, dir, { recursive: true });
    const pinsPath = join(dir, 'pins.json');
    const pins = JSON.parse(readFileSync(pinsPath, 'utf8'));
    pins.releaseBaseUrl = dir;
    edit(dir, pins);
    writeFileSync(pinsPath, JSON.stringify(pins));
    return { dir, pins: pinsPath };
  }
  const run = (subject: string, pins: string, env: Record<string, string> = {}) =>
    regress(['run', '--subject', subject, '--pins', pins, '--scenario', 'spawn-then-resolve'], { env: { ...t.env, MIRRORD_REGRESS_CACHE: cache, ...env } });
  const nothingLeft = () => {
    expect(processesMentioning(t.dir)).toEqual([]);
    expect(readdirSync(t.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
    expect(filesUnder(cache).filter((f) => !/^sha256\/[0-9a-f]{64}$/.test(f))).toEqual([]);
  };

  beforeAll(async () => {
    const d = tmp.dirSync({ prefix: 'cluster-faults-', unsafeCleanup: true });
    root = d.name;
    remove = d.removeCallback;
    published = join(root, 'published');
    cache = join(root, 'cache');
    expect((await regress(['lab', 'publish', '--out', published])).exitCode).toBe(0);
  });
  afterAll(() => {
    remove();
    t.dispose();
  });

  it('a tampered asset: expected vs actual, exit 2, nothing cached', async () => {
    const { dir, pins } = variantBase('tampered', (d) => {
      const f = join(d, '3.112.0', CLI);
      const bytes = readFileSync(f);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(f, bytes);
    });
    const actual = sha256(readFileSync(join(dir, '3.112.0', CLI)));
    const expected = JSON.parse(readFileSync(pins, 'utf8')).versions['3.112.0'].assets[CLI];
    const r = await run('mirrord@3.112.0', pins);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`mirrord-regress: ${CLI} of mirrord 3.112.0 from ${join(dir, '3.112.0', CLI)}: sha256 ${actual}, but ${pins} pins ${expected}: the download is not the pinned release (tampered, or the pin is stale)`);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    nothingLeft();
  });

  it('an unpinned version: which, where, and how to pin it', async () => {
    const r = await run('mirrord@3.113.0', join(published, 'pins.json'));
    expect(r.stderr.trim()).toBe(`mirrord-regress: mirrord 3.113.0 is not pinned in ${join(published, 'pins.json')}: run mirrord-regress images pin 3.113.0 where GitHub is reachable, or give --pins FILE`);
    expect(r.exitCode).toBe(2);
    nothingLeft();
  });

  it('a missing asset names the path it looked at', async () => {
    const { dir, pins } = variantBase('missing', (d) => rmSync(join(d, '3.112.1', 'mirrord-agent')));
    const r = await run('mirrord@3.112.1', pins);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last.startsWith('mirrord-regress: ')).toBe(true);
    expect(last).toContain(join(dir, '3.112.1', 'mirrord-agent'));
    expect(r.exitCode).toBe(2);
    nothingLeft();
  });

  it('a cluster that does not come up (its DNS server fails): one line with the server\'s own words, exit 2', async () => {
    const fake = join(root, 'dnsmasq-that-fails');
    writeFileSync(fake, '#!/bin/sh\necho "dnsmasq: failed to create listening socket for 10.96.0.2: Address already in use" >&2\nexit 2\n');
    chmodSync(fake, 0o755);
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--scenario', 'spawn-then-resolve'], { env: { ...t.env, MIRRORD_REGRESS_DNSMASQ: fake } });
    expect(r.stderr.trim()).toBe('mirrord-regress: the cluster did not come up: the cluster DNS (dnsmasq) exited 2: dnsmasq: failed to create listening socket for 10.96.0.2: Address already in use');
    expect(r.exitCode).toBe(2);
    nothingLeft();
  });

  it('a --layer that is no shared object (ld.so would skip it and test nothing): one line, exit 2', async () => {
    const notALayer = join(root, 'layer.yaml');
    writeFileSync(notALayer, 'not: a layer\n');
    const r = await run('mirrord@3.112.0', join(published, 'pins.json'), {});
    expect(r.exitCode).toBe(1); // as released: the bug (a control for the line below)
    const bad = await regress(['run', '--subject', 'mirrord@3.112.0', '--pins', join(published, 'pins.json'), '--layer', notALayer, '--scenario', 'spawn-then-resolve'], { env: { ...t.env, MIRRORD_REGRESS_CACHE: cache } });
    expect(bad.stderr.trim()).toBe(`mirrord-regress: --layer ${notALayer} is not an ELF shared object: give a libmirrord_layer .so built for Linux`);
    expect(bad.exitCode).toBe(2);
    nothingLeft();
  }, 60_000);

  it('a temp directory with a space (LD_PRELOAD cannot carry it): one line, exit 2, instead of a layer that silently never loads', async () => {
    const spaced = join(root, 'with space');
    mkdirSync(spaced, { mode: 0o755 });
    chmodSync(spaced, 0o755);
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--scenario', 'spawn-then-resolve'], { env: { TMPDIR: spaced } });
    expect(r.stderr.trim()).toMatch(/^mirrord-regress: the temp directory .*with space\/mirrord-regress-\w+ has a space or a colon, which LD_PRELOAD cannot carry: set TMPDIR to a plain path$/);
    expect(r.exitCode).toBe(2);
    expect(readdirSync(spaced).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  });

  it('the cluster going down mid-attempt: ERROR naming what died, not a verdict on the subject', async () => {
    const dying = join(root, 'dnsmasq-that-dies');
    writeFileSync(dying, `#!/bin/sh\n${process.env.MIRRORD_REGRESS_DNSMASQ ?? '/usr/sbin/dnsmasq'} "$@" &\npid=$!\nsleep 1.5\nkill $pid\nwait $pid\necho "dnsmasq: killed for the test" >&2\nexit 1\n`);
    chmodSync(dying, 0o755);
    const r = await regress(['run', '--subject', 'lab@3.112.1', '--exec', '--', 'sleep', '3'], { env: { ...t.env, MIRRORD_REGRESS_DNSMASQ: dying } });
    expect(r.stdout).toMatch(/^ {2}why: the cluster went down during the attempt: the cluster DNS \(dnsmasq\) died: /m);
    expect(r.exitCode).toBe(125);
    nothingLeft();
  }, 60_000);

  it('an agent that exits before it is ready: ERROR with its own last words, exit 125', async () => {
    const agent = '#!/bin/sh\necho "agent: cannot open the cluster\'s runtime socket" >&2\nexit 3\n';
    const { pins } = variantBase('agent-dies', (d, p) => {
      writeFileSync(join(d, '3.112.1', 'mirrord-agent'), agent);
      p.versions['3.112.1']!.assets['mirrord-agent'] = sha256(agent);
    });
    const r = await run('mirrord@3.112.1', pins);
    expect(r.stdout.split('\n')[0]).toBe('mirrord@3.112.1/-/spawn-then-resolve/unprivileged/host: ERROR (expected PASS)'.replace('(expected PASS)', '(UNEXPECTED: expected PASS)'));
    expect(r.stdout).toMatch(/^ {2}why: the agent exited before it was ready \(exit 3\): agent: cannot open the cluster's runtime socket$/m);
    expect(r.exitCode).toBe(125);
    nothingLeft();
  });

  it('an agent that is ready, then gone before the intproxy dials it: ERROR, the intproxy\'s words, exit 125', async () => {
    const agent = '#!/bin/sh\necho "agent ready - version 3.112.1"\nexit 0\n';
    const { pins } = variantBase('agent-leaves', (d, p) => {
      writeFileSync(join(d, '3.112.1', 'mirrord-agent'), agent);
      p.versions['3.112.1']!.assets['mirrord-agent'] = sha256(agent);
    });
    const r = await run('mirrord@3.112.1', pins);
    expect(r.stdout).toMatch(/^ {2}why: the intproxy exited before printing its port \(exit 1\): .*cannot connect to the agent at 10\.244\.\d+\.\d+:61337: (Connection refused|Network is unreachable)/m);
    expect(r.exitCode).toBe(125);
    nothingLeft();
  });
});
