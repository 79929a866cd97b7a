/**
 * One veth pair from the node to a laptop or a pod, made in one step from inside the node's namespace
 * (`ip link add ... peer ... netns PID`), so no end ever appears in the host's own namespace; both ends
 * vanish with the namespaces, also when the harness is killed.
 */
import { GATEWAY } from './addresses.ts';
import { ipBatch } from './ip.ts';

export interface Peer {
  /** Host pid of a process in the peer's network namespace. */
  pid: number;
  /** The interface name on the node (unique there, at most 15 characters). */
  nodeIf: string;
  /** The peer's address (a /32 on its eth0). */
  address: string;
  /** Destinations the peer reaches through the node (`default`, or a prefix). */
  routes: string[];
  /** For error lines: "the laptop", "the pod of attempt 3". */
  what: string;
}

export async function wire(nodePid: number, peer: Peer): Promise<void> {
  await ipBatch(nodePid, [
    `link add ${peer.nodeIf} type veth peer name eth0 netns ${peer.pid}`,
    `addr add ${GATEWAY}/32 dev ${peer.nodeIf}`,
    `link set ${peer.nodeIf} up`,
    `route add ${peer.address}/32 dev ${peer.nodeIf}`,
  ], `the node's link to ${peer.what}`);
  await ipBatch(peer.pid, [
    'link set lo up',
    `addr add ${peer.address}/32 dev eth0`,
    'link set eth0 up',
    `route add ${GATEWAY}/32 dev eth0`,
    ...peer.routes.map((r) => `route add ${r} via ${GATEWAY} dev eth0`),
  ], peer.what);
}
