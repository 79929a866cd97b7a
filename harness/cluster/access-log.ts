/** The cluster service's access log (images/cluster/service.rb): one JSON line per request. */

import type { ClusterSide } from '../model/result.ts';

/** One request: the asking address (the agent's pod), the ClusterIP it came in on, the request line, Host. */
export type ServiceRequest = ClusterSide['requests'][number];

export function parseAccessLog(text: string): ServiceRequest[] {
  const out: ServiceRequest[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Partial<ServiceRequest>;
      if (typeof v.peer === 'string') out.push({ peer: v.peer, local: String(v.local ?? ''), request: String(v.request ?? ''), host: String(v.host ?? ''), t_ms: Number(v.t_ms ?? 0) });
    } catch {
      // A torn last line while the service writes: the rest still counts.
    }
  }
  return out;
}
