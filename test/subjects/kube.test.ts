/** --kubeconfig: what `mirrord exec` is given (no cluster is reachable here to run it). */
import { describe, expect, it } from 'vitest';
import tmp from 'tmp';
import { kubeConfig } from '../../harness/subjects/kube-subject.ts';
import { resolveSubject } from '../../harness/subjects/registry.ts';
import { LAB_BUILD_DIR } from '../support/repo.ts';

describe('--kubeconfig', () => {
  it('a targetless config: no operator or telemetry, remote DNS and outgoing on, the kubeconfig named', () => {
    expect(kubeConfig('/stage/kubeconfig')).toEqual({
      operator: false,
      telemetry: false,
      feature: { network: { incoming: 'off', dns: true, outgoing: true } },
      kubeconfig: '/stage/kubeconfig',
      agent: { ttl: 1 },
    });
  });

  it('makes mirrord@X a subject of the real cluster; a missing kubeconfig and --layer are refused in one line', () => {
    const k = tmp.fileSync({ prefix: 'kubeconfig-' });
    try {
      const s = resolveSubject('mirrord@3.112.0', { labBuildDir: LAB_BUILD_DIR, kubeconfig: k.name });
      expect(s).toMatchObject({ id: 'mirrord@3.112.0', topology: 'kubernetes', evidenceSource: 'black-box', strategies: ['normal'] });
      expect(() => resolveSubject('mirrord@3.112.0', { labBuildDir: LAB_BUILD_DIR, kubeconfig: k.name, layer: '/l.so' })).toThrow('--layer and --kubeconfig do not go together');
      expect(() => resolveSubject('mirrord@3.112.0', { labBuildDir: LAB_BUILD_DIR, kubeconfig: '/nonexistent/kubeconfig' })).toThrow('--kubeconfig /nonexistent/kubeconfig: no such file or directory (ENOENT)');
    } finally {
      k.removeCallback();
    }
  });
});
