/**
 * Real releases through the real path, offline: the lab published as mirrord releases, served by a
 * local HTTP server; `run --subject mirrord@X --release-base URL --pins FILE` downloads, verifies,
 * caches and stages them, starts the cluster (node, agent pod per attempt, laptop), runs the workload
 * under the launcher's intproxy and layer, and judges it from outside (the lab's events are not even
 * written). Then the same with the docker runner, and again offline from the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import tmp from 'tmp';
import { privateTmp, processesMentioning, regress } from '../support/cli.ts';
import { skipLabTests } from '../support/requirements.ts';
import { serveDir, type ReleaseServer } from '../release/support/release-base.ts';
import { skipDockerTests } from '../images/support/docker-gate.ts';
import { HARNESS_LABEL } from '../../harness/runners/docker/sweep.ts';

const LAYER = 'libmirrord_layer_linux_x86_64.so';

/**
 * The lab published as releases in a temp dir, served over HTTP, with its own download cache; `args`
 * are the runner options. Set up in beforeAll, torn down in afterAll, by the describe that calls it.
 */
function servedReleases(prefix: string, args: string[]) {
  const t = privateTmp();
  const f = { t, base: '', server: undefined as unknown as ReleaseServer, env: {} as Record<string, string>, remove: () => {} };
  const run = (subject: string, extra: string[] = []) =>
    regress(['run', ...args, '--subject', subject, '--release-base', f.server.url, '--pins', join(f.base, 'pins.json'), '--scenario', 'spawn-then-resolve', ...extra], { env: f.env });
  beforeAll(async () => {
    const d = tmp.dirSync({ prefix, unsafeCleanup: true });
    f.remove = d.removeCallback;
    f.base = join(d.name, 'base');
    const published = await regress(['lab', 'publish', '--out', f.base]);
    expect(published.exitCode, published.stderr).toBe(0);
    f.server = await serveDir(f.base);
    f.env = { ...t.env, MIRRORD_REGRESS_CACHE: join(d.name, 'cache') };
  });
  afterAll(async () => {
    await f.server?.close();
    f.remove();
    t.dispose();
  });
  return { f, run };
}

describe.skipIf(skipLabTests)('mirrord releases, published from the lab and served over HTTP', () => {
  const { f, run } = servedReleases('releases-', []);

  it('3.112.0 (normal, as released) is BYPASSED, judged from outside: the escaped lookup, and the cluster DNS that answered the agent', async () => {
    const r = await run('mirrord@3.112.0', ['--strategy', 'normal']);
    expect(r.stdout.split('\n')[0]).toBe('mirrord@3.112.0/normal/spawn-then-resolve/unprivileged/host: BYPASSED (expected)');
    expect(r.stdout).toMatch(/^ {2}why: 2 cluster calls escaped to the laptop: lookup after db\.default\.svc\.cluster\.local on thread main failed: getaddrinfo: Temporary failure in name resolution$/m);
    expect(r.stdout).toMatch(/^ {2}- cluster DNS: 1 query from the agent's pod 10\.244\.\d+\.\d+: db\.default\.svc\.cluster\.local x1 -> 10\.96\.0\.10$/m);
    expect(r.stdout).toMatch(/^ {2}- agent 10\.244\.\d+\.\d+:61337: version 3\.112\.0, /m);
    // Black box: no hook tally could have been read.
    expect(r.stdout).not.toMatch(/bypassed \d+x on tid/);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fetching mirrord_linux_x86_64 of mirrord 3\.112\.0 from http:\/\/127\.0\.0\.1:\d+\/3\.112\.0\/mirrord_linux_x86_64/m);
  }, 60_000);

  it('3.111.0 and 3.112.1 PASS, with the agent\'s DNS queries and service request in the cluster\'s logs', async () => {
    for (const v of ['3.111.0', '3.112.1']) {
      const r = await run(`mirrord@${v}`);
      expect(r.stdout.split('\n')[0], r.stdout + r.stderr).toBe(`mirrord@${v}/-/spawn-then-resolve/unprivileged/host: PASS (expected)`);
      expect(r.stdout).toMatch(/^ {2}why: exit 0; 3 cluster calls reached the cluster, none escaped; the cluster saw 3 DNS queries and 1 service request from the agent$/m);
      expect(r.exitCode).toBe(0);
    }
  }, 60_000);

  it('3.112.0 with --layer variants/none/... (a layer of one\'s own) HANGs, called as it happens', async () => {
    const r = await run('mirrord@3.112.0', ['--layer', join(f.base, 'variants', 'none', LAYER)]);
    expect(r.stdout.split('\n')[0]).toMatch(/^mirrord@3\.112\.0\+layer:[0-9a-f]{8}\/-\/spawn-then-resolve\/unprivileged\/host: HANG \(no expectation\)$/);
    expect(r.stdout).toMatch(/why: deadlocked after \d\.\ds: ruby \(pid \d+\) in futex \(202\)/);
    expect(r.stdout).toMatch(/- intproxy still running when the workload ended \(seen in \/proc\)/);
    expect(r.exitCode).toBe(1);
  }, 60_000);

  it('a second run needs no server: the verified files come from the cache', async () => {
    const before = f.server.requests.length;
    await f.server.close();
    try {
      const r = await run('mirrord@3.112.1');
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/fetching/);
    } finally {
      f.server = await serveDir(f.base);
    }
    expect(before).toBeGreaterThan(0);
  }, 60_000);

  it('nothing is left: no node, pod or laptop process, no stage', async () => {
    expect(processesMentioning(f.t.dir)).toEqual([]);
    expect(readdirSync(f.t.dir).filter((n) => n.startsWith('mirrord-regress-'))).toEqual([]);
  });
});

const skipDocker = skipLabTests || (await skipDockerTests('the docker runner against the cluster', ['3.1']));

describe.skipIf(skipDocker)('mirrord releases under the docker runner: the cluster is a container', () => {
  const { f, run } = servedReleases('releases-docker-', ['--runner', 'docker', '--ruby-version', '3.1']);
  const docker = new Docker();

  it('the same verdicts as on the host: BYPASSED, PASS, HANG with --layer none', async () => {
    const bypassed = await run('mirrord@3.112.0');
    expect(bypassed.stdout.split('\n')[0], bypassed.stdout + bypassed.stderr).toBe('mirrord@3.112.0/normal/spawn-then-resolve/unprivileged/docker:ruby3.1: BYPASSED (expected)');
    expect(bypassed.stdout).toMatch(/- cluster DNS: 1 query from the agent's pod /);
    expect(bypassed.exitCode).toBe(1);
    const pass = await run('mirrord@3.112.1');
    expect(pass.stdout.split('\n')[0]).toBe('mirrord@3.112.1/-/spawn-then-resolve/unprivileged/docker:ruby3.1: PASS (expected)');
    expect(pass.exitCode).toBe(0);
    const hang = await run('mirrord@3.112.0', ['--layer', join(f.base, 'variants', 'none', LAYER)]);
    expect(hang.stdout.split('\n')[0]).toMatch(/: HANG \(no expectation\)$/);
    expect(hang.exitCode).toBe(1);
  }, 300_000);

  it('leaves no container (workload or cluster) and no process behind', async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [HARNESS_LABEL] } });
    expect(left.filter((c) => c.Labels['mirrord-regress.owner'] !== String(process.pid))).toEqual([]);
    expect(processesMentioning(f.t.dir)).toEqual([]);
    expect(existsSync(f.t.dir) ? readdirSync(f.t.dir).filter((n) => n.startsWith('mirrord-regress-')) : []).toEqual([]);
  });
});
