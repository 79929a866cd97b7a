/** The host sandbox's argv for each network: a fresh namespace, the cluster's laptop, the host's own. */
import { describe, expect, it } from 'vitest';
import { planSandbox } from '../../harness/runners/host/sandbox.ts';

const base = { runAs: 'unprivileged' as const, unprivilegedUser: 'nobody', unprivilegedGroup: 'nogroup', harnessIsRoot: true, harnessUser: 'root' };
const upTo = (argv: string[], word: string) => argv.slice(0, argv.indexOf(word));

describe('planSandbox', () => {
  it('a fresh network and PID namespace by default, under a parent-death signal', () => {
    const p = planSandbox(['ruby', 'w.rb'], base);
    expect(upTo(p.argv, 'sh')).toEqual(['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--net', '--pid', '--fork', '--mount-proc', '--kill-child', '--']);
    expect(p).toMatchObject({ isolated: true, pidNamespace: true, user: 'nobody' });
    expect(p.argv.slice(-7)).toEqual(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'ruby', 'w.rb']);
  });

  it('against the cluster, the laptop\'s network namespace joined with nsenter, still its own PID namespace', () => {
    const p = planSandbox(['ruby', 'w.rb'], { ...base, netns: '/proc/42/ns/net' });
    expect(upTo(p.argv, 'sh')).toEqual(['setpriv', '--pdeathsig', 'KILL', '--', 'nsenter', '--net=/proc/42/ns/net', '--', 'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--']);
    expect(p).toMatchObject({ isolated: true, pidNamespace: true });
  });

  it('--kubeconfig: the host\'s network (said in the result), still its own PID namespace', () => {
    const p = planSandbox(['ruby', 'w.rb'], { ...base, netns: 'host' });
    expect(upTo(p.argv, 'sh')).toEqual(['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--']);
    expect(p).toMatchObject({ isolated: false, pidNamespace: true, note: "host network: mirrord exec must reach the cluster's API (--kubeconfig)" });
  });

  it('without root: no namespaces, the harness\'s own user, said why', () => {
    const p = planSandbox(['ruby', 'w.rb'], { ...base, harnessIsRoot: false, harnessUser: 'dev' });
    expect(p).toEqual({ argv: ['ruby', 'w.rb'], isolated: false, pidNamespace: false, note: 'harness is not root: no network namespace, the workload can reach the host network', user: 'dev' });
  });
});
