/**
 * The verdict rules. One Observation in, one Verdict out; the first rule that applies decides:
 *
 *  1. harness-error  ERROR     the harness or the environment failed (sandbox, spawn, exit 125).
 *  2. timeout        HANG      the timeout fired; evidence names each stuck process, its state,
 *                              wchan and syscall (read before killing), and whether intproxy was up.
 *  3. intproxy-gone  VANISHED  the intproxy was gone before the workload ended (no exit event of
 *                              its own, not alive at the end) or the layer lost its session.
 *  4. signal         CRASH     the workload was killed by a signal.
 *  5. silent-death   VANISHED  the workload exited non-zero with no error output at all.
 *  6. bypass         BYPASSED  a layer hook (getaddrinfo, socket, connect) was bypassed, or the
 *                              workload saw a name-resolution or connect failure for a cluster
 *                              name. Ruby 3.3 resolves on a separate thread, so there the bypass
 *                              shows on socket/connect instead of getaddrinfo.
 *  7. failed         ERROR     non-zero exit with no sign of the bug: says nothing about the subject.
 *  8. clean          PASS      exit 0, nothing bypassed.
 *
 * The expected-verdict table is never consulted here: verdicts are observed, then compared.
 */
import type { EvidenceItem, Observation, Verdict, WorkloadStep } from '../model/result.ts';
import { GUARDED_HOOKS } from '../observe/events.ts';

const CLUSTER_NAME = /\.svc\.cluster\.local\b/i;
const RESOLUTION_FAILURE = /name resolution|name or service not known|nodename nor servname|getaddrinfo/i;
const CONNECT_FAILURE = /network is unreachable|connection refused|enetunreach|econnrefused|no route to host|failed to open tcp connection/i;

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/** Report steps that failed on a cluster name the way a bypass makes them fail. */
export function clusterFailures(steps: WorkloadStep[]): WorkloadStep[] {
  return steps.filter((s) => {
    if (s.ok) return false;
    const target = `${s.host ?? ''} ${typeof s.url === 'string' ? s.url : ''} ${s.message ?? ''}`;
    const message = `${s.message ?? ''} ${s.error ?? ''}`;
    return CLUSTER_NAME.test(target) && (RESOLUTION_FAILURE.test(message) || CONNECT_FAILURE.test(message));
  });
}

function bypassEvidence(obs: Observation): EvidenceItem[] {
  const items: EvidenceItem[] = [];
  for (const hook of GUARDED_HOOKS) {
    const t = obs.events?.hooks[hook];
    if (t && t.bypassed > 0) {
      items.push({ kind: 'hook-bypassed', hook, count: t.bypassed, tids: t.bypassedTids, pids: t.bypassedPids, names: t.bypassedNames });
    }
  }
  return items;
}

function guardEvidence(obs: Observation): EvidenceItem[] {
  const g = obs.events?.execGuardSet;
  return g && g.count > 0 ? [{ kind: 'exec-guard-set', count: g.count, pids: g.pids, paths: g.paths }] : [];
}

function failureEvidence(steps: WorkloadStep[]): EvidenceItem[] {
  return steps.map((s) => ({
    kind: 'workload-failure' as const,
    step: s.phase ? `${s.step} (${s.phase})` : s.step,
    thread: s.thread,
    message: s.message ?? s.error ?? 'failed',
  }));
}

function intproxyEvidence(obs: Observation): EvidenceItem {
  const ip = obs.events?.intproxy;
  if (!ip || ip.pid === undefined) {
    return { kind: 'intproxy', state: 'never-started', detail: 'no intproxy seen in the events' };
  }
  const open = ip.sessionsOpened - ip.sessionsClosed;
  if (ip.exitReason) return { kind: 'intproxy', state: 'exited', detail: `intproxy ${ip.pid} exited (${ip.exitReason}) after ${plural(ip.sessionsOpened, 'session')}` };
  if (obs.intproxyAliveAtEnd === null) return { kind: 'intproxy', state: 'running', detail: `intproxy ${ip.pid}: state at the end unknown (no exit event yet)` };
  if (obs.intproxyAliveAtEnd) {
    const detail = open > 0 ? `intproxy ${ip.pid} still running with ${plural(open, 'open session')}` : `intproxy ${ip.pid} up and idle (no open session) when the workload ended`;
    return { kind: 'intproxy', state: 'running', detail };
  }
  return { kind: 'intproxy', state: 'vanished', detail: `intproxy ${ip.pid} disappeared without exiting, ${plural(open, 'session')} still open` };
}

function exitEvidence(obs: Observation): EvidenceItem {
  return { kind: 'exit', code: obs.exitCode, signal: obs.signal, stderrTail: lastLine(obs.stderrTail) || undefined };
}

function describeBypass(items: EvidenceItem[]): string {
  return items
    .flatMap((e) => (e.kind === 'hook-bypassed' ? [`${e.hook} bypassed ${e.count}x on tid ${e.tids.join(',')}${e.names?.length ? ` (${e.names.join(', ')})` : ''}`] : []))
    .join('; ');
}

function networkEvidence(obs: Observation): EvidenceItem[] {
  return obs.network === 'isolated' ? [] : [{ kind: 'network', detail: obs.networkNote ?? 'not isolated from the network' }];
}

export function decide(obs: Observation): Verdict {
  const net = networkEvidence(obs);
  if (obs.harnessError) {
    return { kind: 'ERROR', rule: 'harness-error', summary: obs.harnessError, evidence: [{ kind: 'harness', message: obs.harnessError }, ...net] };
  }
  const bypass = bypassEvidence(obs);
  const failures = clusterFailures(obs.report);
  const intproxy = intproxyEvidence(obs);

  if (obs.timedOut) {
    const stuck: EvidenceItem[] = obs.stuck
      .map((p) => ({ kind: 'stuck-process', pid: p.pid, comm: p.comm, state: p.state, wchan: p.wchan, syscall: p.syscallName ? `${p.syscallName} (${p.syscall})` : p.syscall, lastEvent: obs.events?.lastEventByPid[String(p.nsPid)] }));
    const main = stuck.find((e) => e.kind === 'stuck-process' && e.comm !== 'mirrord-lab' && !/^mirrord/.test(e.comm)) ?? stuck[0];
    const where = main && main.kind === 'stuck-process'
      ? `${main.comm} (pid ${main.pid}) stuck in ${main.syscall}, wchan ${main.wchan || '?'}${main.lastEvent ? `, last layer event: ${main.lastEvent}` : ''}`
      : 'no process state could be read';
    return {
      kind: 'HANG',
      rule: 'timeout',
      summary: `timed out after ${(obs.durationMs / 1000).toFixed(1)}s: ${where}; ${intproxy.kind === 'intproxy' ? intproxy.detail : ''}`,
      evidence: [...stuck, intproxy, ...bypass, ...guardEvidence(obs), ...net],
    };
  }

  const fatal = obs.events?.fatal ?? [];
  if ((intproxy.kind === 'intproxy' && intproxy.state === 'vanished') || fatal.length > 0) {
    return {
      kind: 'VANISHED',
      rule: 'intproxy-gone',
      summary: `${intproxy.kind === 'intproxy' ? intproxy.detail : 'intproxy gone'}${fatal.length ? `; layer: ${fatal[0]}` : ''}; workload ${obs.signal ? `killed by ${obs.signal}` : `exited ${obs.exitCode}`}`,
      evidence: [intproxy, exitEvidence(obs), ...bypass, ...net],
    };
  }

  if (obs.signal) {
    return { kind: 'CRASH', rule: 'signal', summary: `workload killed by ${obs.signal}${lastLine(obs.stderrTail) ? `: ${lastLine(obs.stderrTail)}` : ''}`, evidence: [exitEvidence(obs), intproxy, ...bypass, ...net] };
  }

  if (obs.exitCode !== 0 && !obs.stderrTail.trim() && obs.report.every((s) => s.ok) && bypass.length === 0) {
    return { kind: 'VANISHED', rule: 'silent-death', summary: `workload exited ${obs.exitCode} without any error output`, evidence: [exitEvidence(obs), intproxy, ...net] };
  }

  if (bypass.length > 0 || failures.length > 0) {
    const parts = [describeBypass(bypass)];
    const guard = obs.events?.execGuardSet;
    if (guard && guard.count > 0) parts.push(`${plural(guard.count, 'exec-hook entry')} in children found the guard already set`);
    const first = failures[0];
    if (first) parts.push(`workload: ${first.step}${first.phase ? ` ${first.phase}` : ''} failed: ${first.message}`);
    return {
      kind: 'BYPASSED',
      rule: 'bypass',
      summary: parts.filter(Boolean).join('; '),
      evidence: [...bypass, ...guardEvidence(obs), ...failureEvidence(failures), exitEvidence(obs), ...net],
    };
  }

  if (obs.exitCode !== 0) {
    const why = lastLine(obs.stderrTail) || obs.report.find((s) => !s.ok)?.message || 'no message';
    return { kind: 'ERROR', rule: 'failed', summary: `workload exited ${obs.exitCode} with no sign of a bypass: ${why}`, evidence: [exitEvidence(obs), ...failureEvidence(obs.report.filter((s) => !s.ok)), intproxy, ...net] };
  }

  const hooked = GUARDED_HOOKS.map((h) => obs.events?.hooks[h]).some(Boolean)
    ? GUARDED_HOOKS.flatMap((h) => {
        const t = obs.events?.hooks[h];
        return t ? [`${h} hooked ${t.calls}/${t.calls}`] : [];
      }).join(', ')
    : `${obs.report.filter((s) => s.ok).length} workload steps ok`;
  return { kind: 'PASS', rule: 'clean', summary: `exit 0; ${hooked}; ${intproxy.kind === 'intproxy' ? intproxy.detail : ''}`, evidence: [exitEvidence(obs), intproxy, ...net] };
}
