/**
 * The cluster DNS's query log (dnsmasq --log-queries=extra): each query with a serial, the asking
 * address, the name and type, and what dnsmasq answered. Read per pod: the address names the agent.
 */

import type { ClusterSide } from '../model/result.ts';

/** One query: name, type, the asking address, and dnsmasq's answer (an address, NXDOMAIN, NODATA) when logged. */
export type DnsQuery = ClusterSide['dns'][number];

// "Dec  1 21:44:23 dnsmasq[26207]: 1 10.244.0.5/44030 query[A] db.default.svc.cluster.local from 10.244.0.5"
const QUERY = /dnsmasq\[\d+\]: (\d+) ([\d.]+)\/\d+ query\[(\w+)\] (\S+) from ([\d.]+)$/;
// "... 1 10.244.0.5/44030 /state/cluster-hosts db.default.svc.cluster.local is 10.96.0.10", "... config X is NXDOMAIN"
const ANSWER = /dnsmasq\[\d+\]: (\d+) [\d.]+\/\d+ .+ (\S+) is (\S+)$/;

export function parseQueryLog(text: string): DnsQuery[] {
  const bySerial = new Map<string, DnsQuery>();
  const queries: DnsQuery[] = [];
  for (const line of text.split('\n')) {
    const q = QUERY.exec(line);
    if (q) {
      const query: DnsQuery = { name: q[4]!.toLowerCase(), type: q[3]!, from: q[5]! };
      bySerial.set(q[1]!, query);
      queries.push(query);
      continue;
    }
    const a = ANSWER.exec(line);
    const query = a ? bySerial.get(a[1]!) : undefined;
    if (query && query.answer === undefined && a![2]!.toLowerCase() === query.name) query.answer = a![3]!.replace(/^<|>$/g, '');
  }
  return queries;
}
