/**
 * The macOS host runner's pure parts, on Linux: the renamed cluster (its config, the argv it makes,
 * the workloads that take `--host`), the SIP check, the sudo plan, the marker's `ps` parsing and the
 * sweep. The renamed cluster also runs for real here through the lab, whose layer reads the domain
 * the same way on both systems. What only a macOS runner can show: README, "macOS".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../scenarios/index.ts';
import { isAlive } from '../../harness/liveness.ts';
import {
  DEFAULT_HOST,
  findOnPath,
  HOST_OPTION_WORKLOADS,
  killMarked,
  markedProcesses,
  planMacSandbox,
  renameCluster,
  renameClusterNames,
  renamedClusterConfig,
  sipProtected,
} from '../../harness/runners/host/macos-sandbox.ts';
import { LAB_CLI, REPO_ROOT } from '../support/repo.ts';

const LAB = '/stage/lab/mirrord-lab';
const SCRIPT = '/stage/ruby/spawn_then_resolve.rb';
const RUBY = '/Users/runner/hostedtoolcache/Ruby/3.3.6/arm64/bin/ruby';

describe('the renamed cluster', () => {
  it('moves cluster names under .invalid, in names and URLs, and nothing else', () => {
    expect(renameClusterNames('db.default.svc.cluster.local')).toBe('db.default.svc.cluster.invalid');
    expect(renameClusterNames('http://api.default.svc.cluster.local:8080/x')).toBe('http://api.default.svc.cluster.invalid:8080/x');
    expect(renameClusterNames('db.default.svc.cluster.local.')).toBe('db.default.svc.cluster.invalid.');
    expect(renameClusterNames('example.com')).toBe('example.com');
    expect(renameClusterNames('x.svc.cluster.localhost')).toBe('x.svc.cluster.localhost');
  });

  it('gives the lab its domain and the same services under it', () => {
    expect(JSON.parse(renamedClusterConfig())).toEqual({
      lab: {
        cluster_domain: 'svc.cluster.invalid',
        services: { 'db.default.svc.cluster.invalid': '10.96.0.10', 'api.default.svc.cluster.invalid': '10.96.0.11', 'cache.default.svc.cluster.invalid': '10.96.0.12' },
      },
    });
  });

  it('gives mirrord-lab exec the config, and a workload that takes --host the renamed default', () => {
    const argv = [LAB, 'exec', '--profile', '3.112.0', '--strategy', 'none', '--', RUBY, SCRIPT, '--children', '20'];
    expect(renameCluster(argv, '/run/1/lab-cluster.json')).toEqual([
      LAB, 'exec', '-f', '/run/1/lab-cluster.json', '--profile', '3.112.0', '--strategy', 'none', '--',
      RUBY, SCRIPT, '--children', '20', '--host', 'db.default.svc.cluster.invalid',
    ]);
    const probe = [LAB, 'exec', '--', '/stage/c/vfork_probe', '--children', '20'];
    expect(renameCluster(probe, 'c.json').slice(-2)).toEqual(['--host', 'db.default.svc.cluster.invalid']);
  });

  it('renames a --host given, adds none to a workload that takes none, and leaves other commands alone', () => {
    const given = renameCluster([LAB, 'exec', '--', RUBY, SCRIPT, '--host', 'api.default.svc.cluster.local'], 'c.json');
    expect(given.slice(-2)).toEqual(['--host', 'api.default.svc.cluster.invalid']);
    expect(given.filter((a) => a === '--host')).toHaveLength(1);
    expect(renameCluster([LAB, 'exec', '--', RUBY, '/stage/ruby/fixtures/deadlock.rb'], 'c.json')).not.toContain('--host');
    // Real mirrord (--kubeconfig) resolves real cluster names: not the lab's built-in cluster.
    const mirrord = ['/stage/bin/mirrord', 'exec', '-f', 'k.json', '--', RUBY, SCRIPT];
    expect(renameCluster(mirrord, 'c.json')).toBe(mirrord);
  });

  it('lists exactly the scenario workloads that take --host, each defaulting to the name it renames', () => {
    const sources = new Map<string, string>();
    for (const s of SCENARIOS) {
      const w = s.workload;
      if ('ruby' in w) sources.set(basename(w.ruby), join(REPO_ROOT, 'scenarios', 'ruby', w.ruby));
      else if ('c' in w) sources.set(basename(w.c, '.c'), join(REPO_ROOT, 'scenarios', 'c', w.c));
    }
    const takesHost = [...sources].filter(([, path]) => readFileSync(path, 'utf8').includes('--host')).map(([name]) => name);
    expect([...HOST_OPTION_WORKLOADS].sort()).toEqual(takesHost.sort());
    for (const name of HOST_OPTION_WORKLOADS) expect(readFileSync(sources.get(name)!, 'utf8'), name).toContain(DEFAULT_HOST);
  });

  // The layer reads the cluster domain alike on Linux and macOS: the rename runs for real here.
  it.skipIf(!existsSync(LAB_CLI) && !process.env.CI)('through the lab, the renamed names resolve and connect through the layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renamed-cluster-'));
    try {
      const config = join(dir, 'lab-cluster.json');
      writeFileSync(config, renamedClusterConfig());
      const argv = renameCluster([LAB_CLI, 'exec', '--profile', '3.112.1', '--', 'ruby', join(REPO_ROOT, 'scenarios', 'ruby', 'spawn_then_resolve.rb'), '--children', '2'], config);
      const events = join(dir, 'events.jsonl');
      const report = join(dir, 'report.jsonl');
      const r = await execa(argv[0]!, argv.slice(1), { reject: false, env: { MIRRORD_LAB_EVENTS: events, MIRRORD_REGRESS_REPORT: report } });
      expect(r.exitCode, r.stderr).toBe(0);
      const lookups = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.hook === 'getaddrinfo');
      expect(lookups.length).toBeGreaterThan(0);
      for (const e of lookups) expect(e).toMatchObject({ name: 'db.default.svc.cluster.invalid', remote: true, bypassed: false });
      expect(readFileSync(report, 'utf8')).toContain('"step":"http"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SIP and the Ruby it runs', () => {
  it('knows what SIP protects: Apple\'s binaries, not /usr/local, Homebrew or a tool cache', () => {
    for (const p of ['/usr/bin/ruby', '/bin/sh', '/sbin/ping', '/System/Library/x', '/usr/libexec/y']) expect(sipProtected(p), p).toBe(true);
    for (const p of ['/usr/local/bin/ruby', '/opt/homebrew/bin/ruby', RUBY, '/tmp/mirrord-regress-x/lab/mirrord-lab']) expect(sipProtected(p), p).toBe(false);
  });

  it('finds a bare name on a PATH, and leaves a path alone', () => {
    const canRun = (f: string) => f === '/opt/homebrew/bin/ruby' || f === '/usr/bin/ruby';
    expect(findOnPath('ruby', '/opt/homebrew/bin:/usr/bin', canRun)).toBe('/opt/homebrew/bin/ruby');
    expect(findOnPath('ruby', '/usr/bin:/opt/homebrew/bin', canRun)).toBe('/usr/bin/ruby');
    expect(findOnPath('ruby', '/nowhere', canRun)).toBeUndefined();
    expect(findOnPath('./ruby', '/usr/bin', canRun)).toBe('./ruby');
  });
});

describe('planMacSandbox', () => {
  const env = { PATH: '/usr/bin:/bin', HOME: '/run/1', MIRRORD_REGRESS_RUN: 'm-1' };
  const base = { runAs: 'unprivileged' as const, runUser: 'runner', harnessIsRoot: true, harnessUser: 'root', env, configFile: '/run/1/lab-cluster.json', which: (n: string) => n };
  const workload = [LAB, 'exec', '--profile', '3.112.1', '--', RUBY, SCRIPT];

  it('as root: the runner\'s own user through sudo, with exactly the runner\'s environment', () => {
    const p = planMacSandbox(workload, base);
    expect(p.argv.slice(0, 10)).toEqual(['/usr/bin/sudo', '-n', '-u', 'runner', '--', '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/run/1', 'MIRRORD_REGRESS_RUN=m-1']);
    expect(p.argv.slice(10, 14)).toEqual([LAB, 'exec', '-f', '/run/1/lab-cluster.json']);
    expect(p).toMatchObject({ isolated: false, pidNamespace: false, user: 'runner' });
    expect(p.note).toMatch(/renamed under \.invalid/);
  });

  it('root cells as root; without root, the harness\'s own user, and no root cells', () => {
    expect(planMacSandbox(workload, { ...base, runAs: 'root' })).toMatchObject({ user: 'root', argv: renameCluster(workload, base.configFile) });
    expect(planMacSandbox(workload, { ...base, harnessIsRoot: false, harnessUser: 'runner' })).toMatchObject({ user: 'runner', argv: renameCluster(workload, base.configFile) });
    expect(() => planMacSandbox(workload, { ...base, runAs: 'root', harnessIsRoot: false })).toThrow(/needs the harness to run as root: use sudo/);
  });

  it('refuses a workload SIP would strip the layer from, in one line', () => {
    const sip = [LAB, 'exec', '--', 'ruby', SCRIPT];
    expect(() => planMacSandbox(sip, { ...base, which: () => '/usr/bin/ruby' })).toThrow(/^\/usr\/bin\/ruby is protected by SIP, which strips DYLD_INSERT_LIBRARIES/);
    expect(() => planMacSandbox(['/usr/bin/python3', '-c', 'x'], base)).toThrow(/protected by SIP/);
  });
});

describe('leftovers by marker', () => {
  it('reads ps -E: live processes whose environment holds the marker, word for word', () => {
    const ps = [
      '  101 S    /stage/lab/mirrord-lab intproxy HOME=/run/1 MIRRORD_REGRESS_RUN=m-1',
      '  102 R+   /Users/runner/ruby w.rb --host x MIRRORD_REGRESS_RUN=m-1 PATH=/usr/bin',
      '  103 Z    (ruby) MIRRORD_REGRESS_RUN=m-1',
      '  104 S    /bin/zsh MIRRORD_REGRESS_RUN=m-10',
      '  105 S    /bin/zsh',
    ].join('\n');
    expect(markedProcesses(ps, 'm-1')).toEqual([
      { pid: 101, command: '/stage/lab/mirrord-lab intproxy HOME=/run/1 MIRRORD_REGRESS_RUN=m-1' },
      { pid: 102, command: '/Users/runner/ruby w.rb --host x MIRRORD_REGRESS_RUN=m-1 PATH=/usr/bin' },
    ]);
  });

  it('kills what carries the marker until nothing does', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid!;
    const gone = new Promise((r) => sleeper.on('exit', r));
    let calls = 0;
    const list = () => (calls++ === 0 || isAlive(pid) ? [{ pid, command: 'sleep 30' }] : []);
    expect(await killMarked('m-1', list)).toEqual([]);
    await gone;
    expect(sleeper.signalCode).toBe('SIGKILL');
  });
});
