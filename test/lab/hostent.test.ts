/**
 * The gethostbyname family is hooked like getaddrinfo, proved with real programs run as `nobody` in a
 * loopback-only namespace. What each one calls was measured with ltrace/strace:
 * - Perl (threaded build): `gethostbyname` -> libc `gethostbyname_r`; `system` -> plain fork + `execvp`,
 *   which reaches the kernel through glibc's internal execve, never a hook: Perl cannot leak the guard.
 * - `getent hosts NAME` -> `gethostbyname2(NAME, AF_INET6)`, then `gethostbyname2(NAME, AF_INET)`.
 * - CPython: `socket.gethostbyname` -> `getaddrinfo`; `socket.gethostbyname_ex` -> `getaddrinfo`, then
 *   `gethostbyname_r`; `subprocess.run` -> vfork + `execv` through the PLT, which leaks the guard.
 *   So after the leak CPython's own API fails in getaddrinfo before any gethostbyname* call; the leak is
 *   shown on the family through ctypes (workloads/hostent_calls.py), which binds them as a C program would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, hookEvents, runUnderLab, type LabEvent, type LabRun } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

const DB = 'db.default.svc.cluster.local';
const NX = 'nope.default.svc.cluster.local';
const AF_INET = 2;
const AF_INET6 = 10;
const HOST_NOT_FOUND = 1;
const NO_DATA = 4;
const FAMILY = ['gethostbyname', 'gethostbyname2', 'gethostbyname_r', 'gethostbyname2_r'];
const HOSTENT_CALLS = readFileSync(new URL('./workloads/hostent_calls.py', import.meta.url), 'utf8');

const python = (...steps: string[]) => ({ argv: ['/usr/bin/python3', '-c', HOSTENT_CALLS, ...steps] });
const familyEvents = (run: LabRun): LabEvent[] =>
  run.events.filter((e) => e.src === 'layer' && e.event === 'hook' && FAMILY.includes(e.hook ?? ''));
const execEvents = (run: LabRun) => [...hookEvents(run, 'execv'), ...hookEvents(run, 'execve')];
const steps = (run: LabRun, step: string) => run.report.filter((s) => s.step === step);
const sessions = (run: LabRun) => run.events.filter((e) => e.src === 'intproxy' && e.event === 'session_open').length;
const remote = (hook: string, name: string, extra: object) => ({ hook, name, bypassed: false, guard_was_set: false, remote: true, ...extra });

const line = (text: string) => new RegExp(`^${text.replace(/\./g, '\\.')}$`, 'm');

const PERL = `
my $n = shift;
system("true") for 1 .. $n;
my @a = gethostbyname("${DB}");
print "found ", join(" ", $a[0], $a[2], $a[3], join(".", unpack("C4", $a[4] // ""))), "\\n";
my @b = gethostbyname("${NX}");
print "missing ", scalar(@b), " h_errno ", $? , "\\n";
`;

describe.skipIf(skipLabTests)('the gethostbyname family under the lab', () => {
  afterAll(disposeLabStage);

  it('perl gethostbyname under 3.112.1: gethostbyname_r hooked and answered by the intproxy', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/perl', '-e', PERL, '1'] });
    expect(run.observation.exitCode).toBe(0);
    expect(run.observation.stdoutTail).toMatch(line(`found ${DB} 2 4 10.96.0.10`));
    // Perl's `$?` after a failed gethostbyname is h_errno.
    expect(run.observation.stdoutTail).toMatch(line(`missing 0 h_errno ${HOST_NOT_FOUND}`));
    expect(familyEvents(run)).toMatchObject([
      remote('gethostbyname_r', DB, { af: AF_INET, answer: 'A 10.96.0.10', h_errno: 0, rc: 0 }),
      remote('gethostbyname_r', NX, { af: AF_INET, answer: 'NX Name or service not known', h_errno: HOST_NOT_FOUND, rc: 0 }),
    ]);
  });

  it('perl under 3.112.0 normal as nobody: fork + execvp never reach an exec hook, so nothing leaks', async () => {
    const run = await runUnderLab('3.112.0', { argv: ['/usr/bin/perl', '-e', PERL, '3'] }, { strategy: 'normal' });
    expect(run.observation.exitCode).toBe(0);
    expect(run.observation.stdoutTail).toMatch(line(`found ${DB} 2 4 10.96.0.10`));
    expect(execEvents(run)).toEqual([]);
    // The three `true` children did run under the layer (one session per image), just not via a hook.
    expect(sessions(run)).toBe(4);
    expect(familyEvents(run).map((e) => [e.hook, e.bypassed, e.remote])).toEqual([
      ['gethostbyname_r', false, true],
      ['gethostbyname_r', false, true],
    ]);
  });

  it('getent hosts under 3.112.1: gethostbyname2 AF_INET6 (NO_DATA, hooked), then AF_INET answered', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/getent', 'hosts', DB] });
    expect(run.observation.exitCode).toBe(0);
    expect(run.observation.stdoutTail.replace(/\s+/g, ' ').trim()).toBe(`10.96.0.10 ${DB}`);
    expect(familyEvents(run)).toMatchObject([
      remote('gethostbyname2', DB, { af: AF_INET6, h_errno: NO_DATA }),
      remote('gethostbyname2', DB, { af: AF_INET, h_errno: 0 }),
    ]);
    expect(hookEvents(run, 'getaddrinfo')).toEqual([]);
  });

  it('getent hosts of a name the cluster does not have: HOST_NOT_FOUND from both lookups, exit 2', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/getent', 'hosts', NX] });
    expect(run.observation.exitCode).toBe(2);
    expect(familyEvents(run).map((e) => [e.hook, e.af, e.remote, e.h_errno])).toEqual([
      ['gethostbyname2', AF_INET6, true, HOST_NOT_FOUND],
      ['gethostbyname2', AF_INET, true, HOST_NOT_FOUND],
    ]);
  });

  it('all four, called as a C program would under 3.112.1, return a proper hostent', async () => {
    const run = await runUnderLab(
      '3.112.1',
      python(
        `gethostbyname:${DB}`,
        `gethostbyname2:${DB}:${AF_INET}`,
        `gethostbyname2:${DB}:${AF_INET6}`,
        `gethostbyname_r:${DB}`,
        `gethostbyname_r:${DB}:16`,
        `gethostbyname2_r:${DB}:${AF_INET}`,
        `gethostbyname2_r:${DB}:${AF_INET6}`,
        `gethostbyname:${NX}`,
        `gethostbyname2_r:${NX}:${AF_INET}`,
      ),
    );
    expect(run.observation.exitCode).toBe(0);
    const hostent = { ok: true, h_name: DB, addrtype: AF_INET, length: 4, addrs: ['10.96.0.10'], aliases: [] };
    expect(run.report).toMatchObject([
      { step: 'gethostbyname', ...hostent },
      { step: 'gethostbyname2', ...hostent },
      { step: 'gethostbyname2', ok: false, h_errno: NO_DATA },
      { step: 'gethostbyname_r', ...hostent, rc: 0, in_caller_storage: true },
      { step: 'gethostbyname_r', ok: false, rc: 34, errno: 34, h_errno: -1 }, // ERANGE, NETDB_INTERNAL
      { step: 'gethostbyname2_r', ...hostent, rc: 0, in_caller_storage: true },
      { step: 'gethostbyname2_r', ok: false, rc: 0, h_errno: NO_DATA },
      { step: 'gethostbyname', ok: false, h_errno: HOST_NOT_FOUND },
      { step: 'gethostbyname2_r', ok: false, rc: 0, h_errno: HOST_NOT_FOUND },
    ]);
    expect(familyEvents(run).map((e) => [e.hook, e.name, e.bypassed, e.remote])).toEqual(
      run.report.map((s) => [s.step, s.host, false, true]),
    );
  });

  const LEAK = [
    `gethostbyname:${DB}`,
    'spawn:3',
    `socket.gethostbyname:${DB}`,
    `socket.gethostbyname_ex:${DB}`,
    `gethostbyname:${DB}`,
    `gethostbyname2:${DB}:${AF_INET}`,
    `gethostbyname_r:${DB}`,
    `gethostbyname2_r:${DB}:${AF_INET}`,
  ];

  it('python3 under 3.112.0 normal as nobody: subprocess.run leaks the guard, then every gethostbyname* is bypassed', async () => {
    const run = await runUnderLab('3.112.0', python(...LEAK), { strategy: 'normal' });
    expect(run.observation.network).toBe('isolated');
    expect(run.observation.exitCode).toBe(0);
    const [first, ...after] = familyEvents(run);
    expect(first).toMatchObject(remote('gethostbyname', DB, { answer: 'A 10.96.0.10' }));
    // Exactly one of each after the spawns: gethostbyname_ex failed in getaddrinfo, before its gethostbyname_r.
    expect(after.map((e) => e.hook)).toEqual(FAMILY);
    for (const e of after) {
      expect(e).toMatchObject({ name: DB, bypassed: true, guard_was_set: true, remote: false });
      // On the thread that spawned: Python's main thread.
      expect(e.tid).toBe(e.pid);
    }
    // Fingerprint of the leak: the first child's exec hook finds the guard clear, the later children's set
    // (a child may try several PATH entries before `true` runs; the failed ones drop the guard again).
    const execs = execEvents(run);
    const children = [...new Set(execs.map((e) => e.pid))];
    expect(children.length).toBe(3);
    expect(execs.every((e) => e.pid !== e.init_pid && e.installed === true)).toBe(true);
    expect(execs.filter((e) => e.pid === children[0]).every((e) => !e.guard_was_set)).toBe(true);
    expect(execs.filter((e) => e.pid !== children[0]).every((e) => e.guard_was_set)).toBe(true);
    // libc resolved the cluster name itself, in a namespace with no DNS: every lookup failed.
    expect(steps(run, 'gethostbyname')).toMatchObject([{ ok: true, addrs: ['10.96.0.10'] }, { ok: false }]);
    for (const step of ['gethostbyname2', 'gethostbyname_r', 'gethostbyname2_r', 'socket.gethostbyname', 'socket.gethostbyname_ex']) {
      expect(steps(run, step)).toMatchObject([{ ok: false }]);
    }
    expect(hookEvents(run, 'getaddrinfo').map((e) => [e.name, e.bypassed])).toEqual([
      [DB, true],
      [DB, true],
    ]);
  });

  it('python3 under 3.112.1 as nobody: the same program keeps every lookup hooked and remote', async () => {
    const run = await runUnderLab('3.112.1', python(...LEAK));
    expect(run.observation.exitCode).toBe(0);
    const family = familyEvents(run);
    // socket.gethostbyname_ex reaches gethostbyname_r once getaddrinfo has succeeded.
    expect(family.map((e) => e.hook)).toEqual(['gethostbyname', 'gethostbyname_r', ...FAMILY]);
    expect(family.every((e) => e.bypassed === false && e.remote === true && e.name === DB)).toBe(true);
    expect(run.report.every((s) => s.ok)).toBe(true);
  });
});
