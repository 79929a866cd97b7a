/**
 * The cluster's address plan, as a small Kubernetes cluster has it: ClusterIPs in 10.96.0.0/12 (kube-dns
 * and the services, on the node), pod IPs in 10.244.0.0/16 (one pod per agent), and the laptop on its own
 * addresses. Every link is a veth pair whose node end is 169.254.1.1, as Calico does it, so pods and
 * laptops route through the node without a bridge. The laptop gets a route to the pods only: a ClusterIP
 * stays unroutable from it (ENETUNREACH), as from a real laptop, and no resolver answers it there
 * (EAI_AGAIN): only the agent, inside the cluster, reaches either.
 */

/** The names the cluster's DNS serves: the same services the lab's built-in table has. */
export const SERVICES: Readonly<Record<string, string>> = {
  'db.default.svc.cluster.local': '10.96.0.10',
  'api.default.svc.cluster.local': '10.96.0.11',
  'cache.default.svc.cluster.local': '10.96.0.12',
};
export const CLUSTER_DOMAIN = 'svc.cluster.local';
/** kube-dns's ClusterIP. */
export const KUBE_DNS = '10.96.0.2';
export const SERVICE_PORT = 80;
/** The node's end of every link. */
export const GATEWAY = '169.254.1.1';
export const POD_RANGE = '10.244.0.0/16';
/** mirrord-agent's default port (`-l`); every pod has its own IP, so all agents use it. */
export const AGENT_PORT = 61337;

/** Pod number n (1..65023) as an address in the pod range. */
export function podAddress(n: number): string {
  const k = n + 1; // skip 10.244.0.0 and .1
  return `10.244.${Math.floor(k / 254) % 256}.${(k % 254) + 1}`;
}

/** The n-th laptop (0..255): the host runner has one, the docker runner one per container. */
export function laptopAddress(n: number): string {
  return `10.250.${n}.1`;
}

/** /etc/hosts lines for the cluster's DNS (dnsmasq --addn-hosts). */
export function clusterHosts(): string {
  return Object.entries(SERVICES).map(([name, ip]) => `${ip} ${name}\n`).join('');
}
