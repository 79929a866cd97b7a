/** One human line per evidence item; every report renders evidence through this. */
import type { EvidenceItem } from '../model/result.ts';

type Item<K extends EvidenceItem['kind']> = Extract<EvidenceItem, { kind: K }>;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Threads listed on a stuck-process line before the rest are only counted. */
const SHOWN_THREADS = 8;

function stuckProcess(e: Item<'stuck-process'>): string {
  const who = `${e.comm} (pid ${e.pid}${e.helper ? ', helper' : ''})`;
  let line = `${who} state ${e.state} in ${e.syscall}, wchan ${e.wchan || '?'}${e.lastEvent ? `, last layer event: ${e.lastEvent}` : ''}`;
  if (e.threads?.length) {
    const shown = e.threads.slice(0, SHOWN_THREADS).map((t) => `${t.tid} ${t.state} in ${t.syscall} (${t.wchan || '?'})`);
    const more = e.threads.length - shown.length;
    line += `; threads: ${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
  }
  return line;
}

function hooksExercised(e: Item<'hooks-exercised'>): string {
  const hooks = e.hooks.map((h) => `${h.hook} hooked ${h.hooked}/${h.calls}${h.remote ? ` (${h.remote} remote)` : ''}`);
  const exec = e.execEntries ? plural(e.execEntries, 'exec-hook entry', 'exec-hook entries') : 'no exec-hook entries';
  return `hooks: ${hooks.length ? hooks.join(', ') : 'none called'}; ${exec}`;
}

export function formatEvidenceItem(e: EvidenceItem): string {
  switch (e.kind) {
    case 'hook-bypassed':
      return `${e.hook} bypassed ${e.count}x on tid ${e.tids.join(', ')} (pid ${e.pids.join(', ')})${e.names?.length ? ` for ${e.names.join(', ')}` : ''}`;
    case 'exec-guard-set':
      return `${e.count} exec-hook entries in children found the DetourGuard already set (pids ${e.pids.slice(0, 5).join(', ')}${e.pids.length > 5 ? ', ...' : ''}; ${e.paths.join(', ')})`;
    case 'workload-failure':
      return `workload step ${e.step}${e.thread ? ` on thread ${e.thread}` : ''} failed: ${e.message}`;
    case 'stuck-process':
      return stuckProcess(e);
    case 'deadlock':
      return `deadlock: ${plural(e.threads, 'thread')} blocked in futex with no CPU or layer event for ${Math.round(e.quietMs)} ms${e.detail ? `; ${e.detail}` : ''}`;
    case 'hooks-exercised':
      return hooksExercised(e);
    case 'not-exercised':
      return `not exercised: ${e.detail}`;
    case 'intproxy':
      return e.detail;
    case 'exit':
      return `${e.signal ? `killed by ${e.signal}` : e.code === null ? 'stopped by the harness' : `exit code ${e.code}`}${e.stderrTail ? `; stderr: ${e.stderrTail}` : ''}`;
    case 'network':
      return `network: ${e.detail}`;
    case 'cluster-dns':
      return `cluster DNS: ${plural(e.queries, 'query', 'queries')} from the agent's pod ${e.agent}${e.names.length ? `: ${e.names.map((n) => `${n.name} x${n.queries}${n.answer ? ` -> ${n.answer}` : ''}`).join(', ')}` : ''}`;
    case 'cluster-service':
      return `cluster service: ${plural(e.requests, 'request')} from the agent's pod ${e.agent}${e.targets.length ? ` (${e.targets.join(', ')})` : ''}`;
    case 'agent':
      return `agent ${e.address}: ${e.detail}`;
    case 'harness':
      return `harness: ${e.message}`;
  }
}

export function formatEvidence(items: EvidenceItem[]): string[] {
  return items.map(formatEvidenceItem);
}
