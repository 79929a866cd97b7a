/**
 * The lab does not know what it runs: Python's subprocess also vforks and calls execve through the
 * PLT, so the same leak appears. Node's child_process forks and execs through glibc internally:
 * its exec never reaches a preload hook, so nothing can leak.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { disposeLabStage, hookEvents, lookups, runUnderLab } from '../support/lab-run.ts';
import { skipLabTests } from '../support/requirements.ts';

const PY = `
import socket, subprocess
def look():
    try:
        socket.getaddrinfo("db.default.svc.cluster.local", 80)
        return "ok"
    except OSError as e:
        return "error: " + str(e)
print("before", look())
for _ in range(5):
    subprocess.run(["/bin/true"], check=True)
print("after", look())
`;

describe.skipIf(skipLabTests)('workloads the lab has never seen', () => {
  afterAll(disposeLabStage);

  it('python3 subprocess.run leaks the guard under 3.112.0 normal', async () => {
    const run = await runUnderLab('3.112.0', { argv: ['/usr/bin/python3', '-c', PY] }, { strategy: 'normal' });
    expect(run.observation.stdoutTail).toMatch(/before ok/);
    expect(run.observation.stdoutTail).toMatch(/after error: .*Temporary failure in name resolution/);
    expect(lookups(run).map((e) => e.bypassed)).toEqual([false, true]);
    const execs = [...hookEvents(run, 'execve'), ...hookEvents(run, 'execv')];
    expect(execs.length).toBe(5);
    expect(execs.filter((e) => e.guard_was_set).length).toBe(4);
  });

  it('python3 is fine under 3.112.1', async () => {
    const run = await runUnderLab('3.112.1', { argv: ['/usr/bin/python3', '-c', PY] });
    expect(run.observation.stdoutTail).toMatch(/after ok/);
    expect(lookups(run).every((e) => !e.bypassed)).toBe(true);
  });

  it('node child_process: its exec never reaches the hooks, so no leak even under 3.112.0 normal', async () => {
    const js = `const {execFileSync}=require('child_process');const dns=require('dns');
      const look=()=>new Promise(r=>dns.lookup('db.default.svc.cluster.local',(e)=>r(e?'error '+e.code:'ok')));
      (async()=>{console.log('before',await look());for(let i=0;i<5;i++)execFileSync('/bin/true');console.log('after',await look());})();`;
    const run = await runUnderLab('3.112.0', { argv: [process.execPath, '-e', js] }, { strategy: 'normal' });
    expect(run.observation.stdoutTail).toMatch(/after ok/);
    expect(run.events.some((e) => e.bypassed === true)).toBe(false);
    expect([...hookEvents(run, 'execve'), ...hookEvents(run, 'execv')]).toEqual([]);
    // The 5 children really ran under the layer (each image opens a session), just not via a hooked exec.
    expect(run.events.filter((e) => e.src === 'intproxy' && e.event === 'session_open').length).toBe(6);
  });
});
