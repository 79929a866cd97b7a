/**
 * Network configuration of a namespace, from outside: `nsenter --net=/proc/PID/ns/net ip -batch -`,
 * as root on the host. Namespaces and containers need no capability of their own for it.
 */
import { execa } from 'execa';
import { EnvironmentError } from '../cli/errors.ts';

/** Runs `ip` commands (one per line, without the `ip`) in the network namespace of `pid`. */
export async function ipBatch(pid: number, commands: string[], what: string): Promise<void> {
  const r = await execa('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'ip', '-batch', '-'], { input: commands.join('\n') + '\n', reject: false });
  if (r.failed) {
    const why = String(r.stderr || r.shortMessage).trim().split('\n').pop();
    throw new EnvironmentError(`cannot set up the network of ${what}: ${why}`, 'CLUSTER_NETWORK');
  }
}

/** Turns on IPv4 forwarding in the namespace of `pid` (/proc/sys/net shows the opener's namespace). */
export async function enableForwarding(pid: number, what: string): Promise<void> {
  const r = await execa('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], { reject: false });
  if (r.failed) throw new EnvironmentError(`cannot turn on forwarding in ${what}: ${String(r.stderr || r.shortMessage).trim()}`, 'CLUSTER_NETWORK');
}
