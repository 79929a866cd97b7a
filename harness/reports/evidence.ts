/** One human line per evidence item; every report renders evidence through this. */
import type { EvidenceItem } from '../model/result.ts';

export function formatEvidenceItem(e: EvidenceItem): string {
  switch (e.kind) {
    case 'hook-bypassed':
      return `${e.hook} bypassed ${e.count}x on tid ${e.tids.join(', ')} (pid ${e.pids.join(', ')})${e.names?.length ? ` for ${e.names.join(', ')}` : ''}`;
    case 'exec-guard-set':
      return `${e.count} exec-hook entries in children found the DetourGuard already set (pids ${e.pids.slice(0, 5).join(', ')}${e.pids.length > 5 ? ', ...' : ''}; ${e.paths.join(', ')})`;
    case 'workload-failure':
      return `workload step ${e.step}${e.thread ? ` on thread ${e.thread}` : ''} failed: ${e.message}`;
    case 'stuck-process':
      return `${e.comm} (pid ${e.pid}) state ${e.state} in ${e.syscall}, wchan ${e.wchan || '?'}${e.lastEvent ? `, last layer event: ${e.lastEvent}` : ''}`;
    case 'intproxy':
      return e.detail;
    case 'exit':
      return `${e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`}${e.stderrTail ? `; stderr: ${e.stderrTail}` : ''}`;
    case 'network':
      return `network: ${e.detail}`;
    case 'harness':
      return `harness: ${e.message}`;
  }
}

export function formatEvidence(items: EvidenceItem[]): string[] {
  return items.map(formatEvidenceItem);
}
