/**
 * The host runner's macOS mode, run on Linux as far as Linux can stand in: root cells (as root no
 * sudo is involved), the lab-exec subject on the renamed cluster, the marker in every process's
 * environment, and the sweep by marker at the end, here with a /proc reader in place of `ps -E`.
 * No namespace is used, as on macOS. What it cannot show (dyld, sudo, `ps -E`, SIP): README, "macOS".
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioById } from '../../scenarios/index.ts';
import { runAttempt } from '../../harness/pipeline/run-attempt.ts';
import { HostRunner } from '../../harness/runners/host/host-runner.ts';
import { findOnPath, MARKER_VAR, type ListedProcess } from '../../harness/runners/host/macos-sandbox.ts';
import { createStage } from '../../harness/stage.ts';
import { LabSubject } from '../../harness/subjects/lab.ts';
import { LAB_BUILD_DIR, REPO_ROOT } from '../support/repo.ts';
import { skipLabTests } from '../support/requirements.ts';

/** What `ps -E` gives on macOS, read from /proc: live processes whose environment holds the marker. */
function procMarked(marker: string): ListedProcess[] {
  const needle = `${MARKER_VAR}=${marker}`;
  const found: ListedProcess[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) continue;
      if (!readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(needle)) continue;
      found.push({ pid: Number(name), command: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone
    }
  }
  return found;
}

// SIP-protected paths are refused in macOS mode, /usr/bin/ruby among them: a copy of this Ruby outside /usr.
const rubyDir = mkdtempSync(join(tmpdir(), 'darwin-mode-ruby-'));
const stage = createStage({ repoRoot: REPO_ROOT, ruby: join(rubyDir, 'ruby') });
afterAll(() => {
  stage.dispose();
  rmSync(rubyDir, { recursive: true, force: true });
});

describe.skipIf(skipLabTests)('the host runner in macOS mode, on Linux', () => {
  const seen: string[] = [];
  const runner = new HostRunner({ platform: 'darwin', listProcesses: (m) => {
    seen.push(m);
    return procMarked(m);
  } });

  async function attempt(profile: '3.112.0' | '3.112.1', scenario: string, strategy: 'normal' | null) {
    copyFileSync(realpathSync(findOnPath('ruby', process.env.PATH) ?? 'ruby'), join(rubyDir, 'ruby'));
    const subject = new LabSubject(profile, LAB_BUILD_DIR);
    await subject.prepare(stage);
    const s = scenarioById(scenario);
    return runAttempt({ subject, strategy, workload: s.workload, label: scenario, runAs: 'root', timeoutMs: s.timeoutMs, runner, stage, attempt: 1 });
  }

  it('runs the lab on the renamed cluster: names under .invalid resolve through the layer, nothing is left', async () => {
    const a = await attempt('3.112.0', 'spawn-then-resolve', 'normal');
    expect(a.verdict.kind, a.verdict.summary).toBe('PASS');
    const o = a.observation;
    expect(o).toMatchObject({ network: 'host', user: 'root' });
    expect(o.networkNote).toMatch(/renamed under \.invalid/);
    expect(o.harnessError).toBeUndefined();
    const lookups = o.report.filter((r) => r.step === 'lookup');
    expect(lookups.map((r) => [r.host, r.ok])).toEqual([['db.default.svc.cluster.invalid', true], ['db.default.svc.cluster.invalid', true]]);
    const dns = o.events?.hooks.getaddrinfo;
    expect(dns?.bypassed).toBe(0);
    expect(dns?.remote, 'every lookup (the HTTP GET\'s too) went to the renamed cluster').toBe(dns?.calls);
    expect(procMarked(seen.at(-1)!)).toEqual([]);
  });

  it('a timeout: the sweep by marker kills the workload and the intproxy that left its group', async () => {
    const a = await attempt('3.112.1', 'fixture-sleep-forever', null);
    expect(a.verdict.kind, a.verdict.summary).toBe('TIMEOUT');
    expect(a.observation.harnessError).toBeUndefined();
    expect(a.observation.intproxyAliveAtEnd).toBe(true);
    expect(procMarked(seen.at(-1)!)).toEqual([]);
  });
});
