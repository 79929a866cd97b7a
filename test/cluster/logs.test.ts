/** The cluster's two logs, read the way the pods are told apart: by the asking address. */
import { describe, expect, it } from 'vitest';
import { parseQueryLog } from '../../harness/cluster/query-log.ts';
import { parseAccessLog } from '../../harness/cluster/access-log.ts';
import { podAddress, laptopAddress, clusterHosts } from '../../harness/cluster/addresses.ts';

// As dnsmasq 2.90 writes them with --log-queries=extra (recorded here, pods .3 and .4 interleaved).
const DNS_LOG = `Dec  1 21:44:23 dnsmasq[26207]: started, version 2.90 cachesize 150
Dec  1 21:44:23 dnsmasq[26207]: 1 10.244.0.3/44030 query[A] db.default.svc.cluster.local from 10.244.0.3
Dec  1 21:44:23 dnsmasq[26207]: 2 10.244.0.4/40001 query[A] DB.default.svc.cluster.local from 10.244.0.4
Dec  1 21:44:23 dnsmasq[26207]: 1 10.244.0.3/44030 /cluster-state/cluster-hosts db.default.svc.cluster.local is 10.96.0.10
Dec  1 21:44:23 dnsmasq[26207]: 3 10.244.0.3/49490 query[A] nosuch.default.svc.cluster.local from 10.244.0.3
Dec  1 21:44:23 dnsmasq[26207]: 3 10.244.0.3/49490 config nosuch.default.svc.cluster.local is NXDOMAIN
Dec  1 21:44:24 dnsmasq[26207]: 4 10.244.0.3/50000 query[A] silent.default.svc.cluster.local from 10.244.0.3
`;

describe('the cluster DNS query log', () => {
  it('pairs each query with its answer by serial, names lower-cased, the asking pod kept', () => {
    expect(parseQueryLog(DNS_LOG)).toEqual([
      { name: 'db.default.svc.cluster.local', type: 'A', from: '10.244.0.3', answer: '10.96.0.10' },
      { name: 'db.default.svc.cluster.local', type: 'A', from: '10.244.0.4' },
      { name: 'nosuch.default.svc.cluster.local', type: 'A', from: '10.244.0.3', answer: 'NXDOMAIN' },
      { name: 'silent.default.svc.cluster.local', type: 'A', from: '10.244.0.3' },
    ]);
  });
});

describe('the cluster service access log', () => {
  it('reads JSON lines and skips a torn last one', () => {
    const text = `${JSON.stringify({ t_ms: 5, peer: '10.244.0.3', peer_port: 40000, local: '10.96.0.10:80', request: 'GET / HTTP/1.1', host: 'db.default.svc.cluster.local' })}\n{"t_ms": 6, "peer": "10.2`;
    expect(parseAccessLog(text)).toEqual([{ peer: '10.244.0.3', local: '10.96.0.10:80', request: 'GET / HTTP/1.1', host: 'db.default.svc.cluster.local', t_ms: 5 }]);
  });
});

describe('the address plan', () => {
  it('gives distinct pod addresses inside 10.244.0.0/16, never .0 or .255', () => {
    const seen = new Set<string>();
    for (let n = 1; n <= 5000; n++) {
      const ip = podAddress(n);
      expect(ip).toMatch(/^10\.244\.\d+\.\d+$/);
      const last = Number(ip.split('.')[3]);
      expect(last).toBeGreaterThan(0);
      expect(last).toBeLessThan(255);
      seen.add(ip);
    }
    expect(seen.size).toBe(5000);
    expect(laptopAddress(2)).toBe('10.250.2.1');
    expect(clusterHosts()).toContain('10.96.0.10 db.default.svc.cluster.local\n');
  });
});
