/**
 * An agent's pod: for each attempt, `mirrord-agent -l 61337 targetless` in its own network, mount and
 * PID namespaces, with its own pod IP and the cluster's resolver — as mirrord starts one agent Job per
 * `mirrord exec`. Its address is what the cluster's logs name, so the DNS queries and service requests
 * of one attempt are told apart from those of an attempt running beside it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../cli/context.ts';
import { AGENT_PORT, podAddress } from './addresses.ts';
import { startHolder, type Holder } from './holder.ts';
import type { ClusterSide } from '../model/result.ts';
import { parseAccessLog } from './access-log.ts';
import type { ClusterNode } from './node.ts';
import { parseQueryLog } from './query-log.ts';
import { wire } from './wiring.ts';

/** How long an agent may take to say `agent ready`. */
const READY_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 5;

/** What the cluster saw of one attempt (the result model's `observation.cluster`). */
export type { ClusterSide };

export interface AgentPod {
  readonly ip: string;
  /** `ip:port` for the intproxy's MIRRORD_CONNECT_TCP. */
  readonly address: string;
  readonly version?: string;
  /**
   * Reads the cluster's side of the attempt, then stops the pod. `workloadEndedAt` (ms since the epoch)
   * tells an agent that died mid-run from one that left after its intproxy was torn down.
   */
  finish(workloadEndedAt: number): Promise<ClusterSide>;
  /** Stops the pod without reading anything (the attempt never ran). */
  stop(): Promise<void>;
}

/** The pod could not start, or its agent never became ready: the attempt is an ERROR with this line. */
export class PodError extends Error {}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The part of a log written since `from` (bytes). */
function readFrom(path: string, from: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const len = Math.max(0, size(path) - from);
    const buf = Buffer.alloc(len);
    const n = len ? readSync(fd, buf, 0, len, from) : 0;
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '';
  }
}

/** Reads stdout lines until `agent ready`; fails with the agent's own last words. */
function agentReady(holder: Holder, logPath: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const stdout = holder.process.stdout;
    if (!stdout) return reject(new PodError('the agent\'s output is not readable'));
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => done(new PodError(`the agent did not say "agent ready" within ${READY_TIMEOUT_MS / 1000} s${tailNote()}`)), READY_TIMEOUT_MS);
    const tailNote = () => {
      const t = logTail(logPath).split('\n').pop();
      return t ? `: ${t}` : '';
    };
    let settled = false;
    const done = (e: Error | null, version?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.removeAllListeners();
      // Keep reading (and dropping) what the agent prints later, so it never blocks on a full pipe.
      stdout.resume();
      if (e) reject(e);
      else resolve(version);
    };
    lines.on('line', (line) => {
      const m = /agent ready(?: - version (\S+))?/.exec(line);
      if (m) done(null, m[1]);
    });
    void holder.process.then((r) => {
      const why = String(r.stderr ?? '').trim().split('\n').pop();
      done(new PodError(`the agent exited before it was ready (${r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`})${why ? `: ${why.replace(/^mirrord-regress: /, '')}` : tailNote()}`));
    });
  });
}

export async function startPod(node: ClusterNode, n: number, agent: string[]): Promise<AgentPod> {
  const ip = podAddress(n);
  const dir = join(node.state, 'pods', String(n));
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'agent.log');
  const dnsLog = join(node.state, 'dns.log');
  const accessLog = join(node.state, 'access.log');
  const from = { dns: size(dnsLog), access: size(accessLog) };
  const argv = ['sh', join(REPO_ROOT, 'images', 'cluster', 'pod-init.sh'), dir, join(node.state, 'resolv.conf'), '--', 'sh', '-c', 'exec "$@" 2>"$0"', logPath, ...agent, '-l', String(AGENT_PORT), 'targetless'];
  let holder: Holder;
  try {
    holder = await startHolder(argv, { what: `the agent's pod ${ip}`, stdout: 'pipe' });
  } catch (e) {
    throw new PodError((e as Error).message);
  }
  let version: string | undefined;
  try {
    await wire(node.pid, { pid: holder.pid, nodeIf: `pod${n}`, address: ip, routes: ['default'], what: `the agent's pod ${ip}` });
    writeFileSync(join(dir, 'net-ready'), '');
    version = await agentReady(holder, logPath);
  } catch (e) {
    await holder.stop();
    throw e instanceof PodError ? e : new PodError((e as Error).message);
  }
  const address = `${ip}:${AGENT_PORT}`;
  let exitedAt = Infinity;
  void holder.process.finally(() => (exitedAt = Date.now()));
  return {
    ip,
    address,
    version,
    async finish(workloadEndedAt: number) {
      const exited = holder.exited();
      const result = exited ? await holder.process : undefined;
      await holder.stop();
      return {
        agent: {
          address,
          ...(version ? { version } : {}),
          exited,
          ...(result ? { exitCode: result.exitCode ?? null } : {}),
          exitedMidRun: exited && exitedAt < workloadEndedAt,
          logTail: logTail(logPath),
        },
        dns: parseQueryLog(readFrom(dnsLog, from.dns)).filter((q) => q.from === ip),
        requests: parseAccessLog(readFrom(accessLog, from.access)).filter((r) => r.peer === ip),
      };
    },
    stop: () => holder.stop(),
  };
}
