/**
 * The verdict rules. One Observation in, one Verdict out; the first rule that applies decides.
 * A bug verdict (BYPASSED, HANG, VANISHED) needs the evidence of that bug; anything else that went
 * wrong says nothing about the subject (exit 125, so `git bisect run` skips it).
 *
 *  1. harness-error  ERROR         the harness or the environment failed (sandbox, spawn, Ctrl-C).
 *  2. deadlock       HANG          every workload thread sat in an untimed lock wait with no CPU and
 *                                  no layer event for the settle window (runners/attempt-watch.ts).
 *     agent-failed   ERROR         the attempt's agent died mid-run (non-zero exit or a signal): the
 *                                  cluster side failed, so what the layer did next proves nothing.
 *  3. cannot-start   ERROR         exit 126/127 before the layer ever loaded: the command could not start.
 *  4. intproxy-gone  VANISHED      the intproxy died without its exit record, or the layer lost its
 *                                  session (a `fatal` event; mirrord's layer then SIGKILLs itself).
 *     unsent-kill    VANISHED      black box only: a SIGKILL nobody here sent (the layer's graceful_exit!).
 *  5. bypass         BYPASSED      layer evidence: a DNS or socket hook ran with the guard already set.
 *     escaped        BYPASSED      black box only: a cluster name failed in the laptop's own resolver
 *                                  (EAI_AGAIN), or a cluster connection as unroutable here, in an
 *                                  attempt where mirrord demonstrably carried other cluster calls (the
 *                                  cluster DNS answered all the agent's queries, one with an address).
 *  6. timeout        TIMEOUT       the timeout fired while something could still move.
 *  7. signal         CRASH         killed by a signal, with no bug evidence.
 *  8. failed         FAIL          exited non-zero, with no bug evidence; says why in the command's words.
 *  9. not-exercised  INCONCLUSIVE  exit 0, but no hook that can show the bug was ever reached.
 * 10. clean          PASS          exit 0, hooks that can show the bug were reached, none was bypassed;
 *                                  black box: the cluster's logs show the agent carried the calls.
 *
 * Against the cluster, every verdict also carries what the cluster saw (the agent, the cluster DNS's
 * queries and the service's requests from the attempt's agent).
 *
 * The expected-verdict table is never consulted here: verdicts are observed, then compared.
 */
import type { EvidenceItem, Observation, Verdict, WorkloadStep } from '../model/result.ts';
import { GUARDED_HOOKS } from '../observe/events.ts';
import { errorLine, lastLine } from './error-line.ts';

const CLUSTER_NAME = /\.svc\.cluster\.local\b/i;
// What the laptop's own resolver says when it cannot answer (EAI_AGAIN): the cluster's DNS would
// have answered, even if only "no such name".
const LOCAL_RESOLVER_FAILURE = /temporary failure in name resolution|eai_again/i;
// A cluster address is unroutable from the laptop: only the agent can reach it.
const UNROUTABLE = /network is unreachable|enetunreach|no route to host|ehostunreach/i;

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

const targetOf = (s: WorkloadStep): string => `${s.host ?? ''} ${typeof s.url === 'string' ? s.url : ''}`;
const messageOf = (s: WorkloadStep): string => `${s.message ?? ''} ${s.error ?? ''}`;

/** Report steps on a cluster name that failed the way only an escaped call fails (black-box evidence). */
export function escapedSteps(steps: WorkloadStep[]): WorkloadStep[] {
  return steps.filter((s) => !s.ok && CLUSTER_NAME.test(targetOf(s)) && (LOCAL_RESOLVER_FAILURE.test(messageOf(s)) || UNROUTABLE.test(messageOf(s))));
}

/** Report steps on a cluster name that succeeded: the cluster answered, so the layer carried them. */
function clusterSuccesses(steps: WorkloadStep[]): WorkloadStep[] {
  return steps.filter((s) => s.ok && CLUSTER_NAME.test(targetOf(s)));
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

function execEntries(obs: Observation): number {
  return (obs.events?.hooks.execv?.calls ?? 0) + (obs.events?.hooks.execve?.calls ?? 0);
}

/** What the guarded hooks really did: calls, how many ran their detour, how many went remote. */
function exercised(obs: Observation): Extract<EvidenceItem, { kind: 'hooks-exercised' }> {
  const hooks = GUARDED_HOOKS.flatMap((hook) => {
    const t = obs.events?.hooks[hook];
    return t && t.calls > 0 ? [{ hook, calls: t.calls, hooked: t.calls - t.bypassed, remote: t.remote ?? 0 }] : [];
  });
  return { kind: 'hooks-exercised', hooks, execEntries: execEntries(obs) };
}

function describeExercised(e: Extract<EvidenceItem, { kind: 'hooks-exercised' }>): string {
  const parts = e.hooks.map((h) => `${h.hook} hooked ${h.hooked}/${h.calls}${h.remote ? ` (${h.remote} remote)` : ''}`);
  return `${parts.join(', ')}; ${e.execEntries ? plural(e.execEntries, 'exec-hook entry') : 'no exec-hook entries'}`;
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
    // Judged from outside, /proc at the end is all there is: alive, or gone (not evidence of a vanish).
    if (obs.evidenceSource === 'black-box' && obs.intproxyAliveAtEnd !== null) {
      return obs.intproxyAliveAtEnd
        ? { kind: 'intproxy', state: 'running', detail: 'intproxy still running when the workload ended (seen in /proc)' }
        : { kind: 'intproxy', state: 'exited', detail: 'intproxy no longer running when the workload ended (seen in /proc)' };
    }
    return { kind: 'intproxy', state: 'never-started', detail: obs.evidenceSource === 'black-box' ? 'intproxy not observed (black box)' : 'no intproxy seen in the events' };
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

function stuckEvidence(obs: Observation): Extract<EvidenceItem, { kind: 'stuck-process' }>[] {
  return obs.stuck.map((p) => ({
    kind: 'stuck-process' as const,
    pid: p.pid,
    comm: p.comm,
    state: p.state,
    wchan: p.wchan,
    syscall: p.syscallName ? `${p.syscallName} (${p.syscall})` : p.syscall,
    lastEvent: obs.events?.lastEventByPid[String(p.nsPid)],
    ...(p.helper ? { helper: true } : {}),
    ...(p.threads ? { threads: p.threads.map((t) => ({ tid: t.tid, state: t.state, wchan: t.wchan, syscall: t.syscallName ? `${t.syscallName} (${t.syscall})` : t.syscall })) } : {}),
  }));
}

/** The workload's process that matters most in a stuck run: the first one that is not a helper. */
function where(stuck: Extract<EvidenceItem, { kind: 'stuck-process' }>[]): string {
  const main = stuck.find((e) => !e.helper) ?? stuck[0];
  if (!main) return 'no process state could be read';
  return `${main.comm} (pid ${main.pid}) in ${main.syscall}, wchan ${main.wchan || '?'}${main.lastEvent ? `, last layer event: ${main.lastEvent}` : ''}`;
}

/** The cluster's side of the attempt, as evidence for the reader (and for the black-box rules). */
function clusterEvidence(obs: Observation): EvidenceItem[] {
  const c = obs.cluster;
  if (!c) return [];
  const pod = c.agent.address.replace(/:\d+$/, '');
  const names = new Map<string, { name: string; queries: number; answer?: string }>();
  for (const q of c.dns) {
    const n = names.get(q.name) ?? { name: q.name, queries: 0 };
    n.queries++;
    if (q.answer) n.answer = q.answer;
    names.set(q.name, n);
  }
  const a = c.agent;
  const state = a.exitedMidRun && a.exitCode !== 0 ? 'failed' : a.exited ? 'exited' : 'running';
  const detail =
    state === 'failed' ? `died mid-run (${a.exitCode === null || a.exitCode === undefined ? 'killed by a signal' : `exit ${a.exitCode}`})${lastLine(a.logTail) ? `: ${lastLine(a.logTail)}` : ''}`
    : state === 'exited' ? `exited by itself (exit ${a.exitCode ?? '?'}) after the workload`
    : 'still running at the end';
  return [
    { kind: 'agent', address: a.address, state, detail: `${a.version ? `version ${a.version}, ` : ''}${detail}` },
    { kind: 'cluster-dns', agent: pod, queries: c.dns.length, names: [...names.values()] },
    { kind: 'cluster-service', agent: pod, requests: c.requests.length, targets: [...new Set(c.requests.map((r) => r.local))] },
  ];
}

/** Why the attempt's agent failed mid-run, if it did. */
function agentFailure(obs: Observation): string | undefined {
  const a = obs.cluster?.agent;
  if (!a?.exitedMidRun || a.exitCode === 0) return undefined;
  const how = a.exitCode === null || a.exitCode === undefined ? 'killed by a signal' : `exit ${a.exitCode}`;
  return `the agent ${a.address} died mid-run (${how})${lastLine(a.logTail) ? `: ${lastLine(a.logTail)}` : ''}`;
}

/**
 * Whether mirrord demonstrably carried cluster calls in this attempt, so that a later call failing
 * locally escaped it rather than never being in it (a layer that did not load, a cluster that did not
 * answer): against our cluster, the agent's queries were all answered and one of them with an address,
 * or the service saw the agent; elsewhere (`--kubeconfig`), a cluster call in the report succeeded.
 */
function mirrordCarriedCalls(obs: Observation): boolean {
  const c = obs.cluster;
  if (!c) return clusterSuccesses(obs.report).length > 0;
  const answered = c.dns.every((q) => q.answer !== undefined) && c.dns.some((q) => /^\d+\.\d+\.\d+\.\d+$/.test(q.answer ?? ''));
  return answered || c.requests.length > 0;
}

/** The command could not be started at all: nothing ran under the subject. */
function cannotStart(obs: Observation): boolean {
  if (obs.exitCode !== 126 && obs.exitCode !== 127) return false;
  if (obs.evidenceSource === 'layer') return (obs.events?.layerInits ?? 0) === 0;
  return obs.report.length === 0;
}

export function decide(obs: Observation): Verdict {
  const net = networkEvidence(obs);
  if (obs.harnessError) {
    return { kind: 'ERROR', rule: 'harness-error', summary: obs.harnessError, evidence: [{ kind: 'harness', message: obs.harnessError }, ...net] };
  }
  // Black box: the layer's own events are not evidence, even when a lab subject wrote them.
  const view: Observation = obs.evidenceSource === 'black-box' ? { ...obs, events: null } : obs;
  const intproxy = intproxyEvidence(view);
  const intproxyDetail = intproxy.kind === 'intproxy' ? intproxy.detail : '';
  const cluster = clusterEvidence(view);

  if (view.deadlock) {
    const stuck = stuckEvidence(view);
    const d = view.deadlock;
    const threads = stuck.filter((s) => !s.helper).reduce((n, s) => n + (s.threads?.length ?? 1), 0);
    const detail = `every workload thread blocked for ${d.quietMs} ms with no CPU${d.lastEventAgoMs !== null ? `, last layer event ${d.lastEventAgoMs} ms before` : ''}`;
    return {
      kind: 'HANG',
      rule: 'deadlock',
      summary: `deadlocked after ${(d.atMs / 1000).toFixed(1)}s: ${where(stuck)}; ${intproxyDetail}`,
      evidence: [{ kind: 'deadlock', quietMs: d.quietMs, threads, detail }, ...stuck, intproxy, ...bypassEvidence(view), ...guardEvidence(view), ...cluster, ...net],
    };
  }

  const agentDied = agentFailure(view);
  if (agentDied) {
    return { kind: 'ERROR', rule: 'agent-failed', summary: `${agentDied}: the cluster side failed, so the attempt says nothing about the subject`, evidence: [...cluster, exitEvidence(view), ...net] };
  }

  if (!view.timedOut && cannotStart(view)) {
    const why = errorLine(view.stderrTail) || `exit ${view.exitCode}`;
    return { kind: 'ERROR', rule: 'cannot-start', summary: `the command could not start: ${why}`, evidence: [exitEvidence(view), ...net] };
  }

  const fatal = view.events?.fatal ?? [];
  if ((intproxy.kind === 'intproxy' && intproxy.state === 'vanished') || fatal.length > 0) {
    return {
      kind: 'VANISHED',
      rule: 'intproxy-gone',
      summary: `${intproxy.kind === 'intproxy' && intproxy.state === 'vanished' ? intproxyDetail : 'the layer lost its intproxy session'}${fatal.length ? `; layer: ${fatal[0]}` : ''}; workload ${view.signal ? `killed by ${view.signal}` : `exited ${view.exitCode}`}`,
      evidence: [intproxy, exitEvidence(view), ...bypassEvidence(view), ...cluster, ...net],
    };
  }
  if (obs.evidenceSource === 'black-box' && view.signal === 'SIGKILL' && !view.timedOut) {
    return {
      kind: 'VANISHED',
      rule: 'unsent-kill',
      summary: 'workload killed by a SIGKILL that the harness did not send (mirrord\'s layer kills itself on a proxy error)',
      evidence: [exitEvidence(view), ...cluster, ...net],
    };
  }

  const bypass = bypassEvidence(view);
  if (bypass.length > 0) {
    const parts = [describeBypass(bypass)];
    const guard = view.events?.execGuardSet;
    if (guard && guard.count > 0) parts.push(`${plural(guard.count, 'exec-hook entry')} in children found the guard already set`);
    const first = escapedSteps(view.report)[0] ?? view.report.find((s) => !s.ok && CLUSTER_NAME.test(targetOf(s)));
    if (first) parts.push(`workload: ${first.step}${first.phase ? ` ${first.phase}` : ''} failed: ${first.message ?? first.error}`);
    return {
      kind: 'BYPASSED',
      rule: 'bypass',
      summary: parts.join('; '),
      evidence: [...bypass, ...guardEvidence(view), ...failureEvidence(view.report.filter((s) => !s.ok && CLUSTER_NAME.test(targetOf(s)))), exitEvidence(view), ...cluster, ...net],
    };
  }
  if (view.evidenceSource === 'black-box' && mirrordCarriedCalls(view)) {
    // A call that failed in the laptop's resolver, or as unroutable here, after mirrord carried others:
    // the escape. Without that, the same failure says nothing (the layer may never have been in it).
    const escaped = escapedSteps(view.report);
    const first = escaped[0];
    if (first) {
      return {
        kind: 'BYPASSED',
        rule: 'escaped',
        summary: `${plural(escaped.length, 'cluster call')} escaped to the laptop: ${first.step}${first.phase ? ` ${first.phase}` : ''} ${first.host ?? first.url ?? ''} on thread ${first.thread ?? '?'} failed: ${first.message ?? first.error}`,
        evidence: [...failureEvidence(escaped), exitEvidence(view), ...cluster, ...net],
      };
    }
  }

  if (view.timedOut) {
    const stuck = stuckEvidence(view);
    return {
      kind: 'TIMEOUT',
      rule: 'timeout',
      summary: `timed out after ${(view.durationMs / 1000).toFixed(1)}s and not deadlocked (${view.notDeadlocked ?? 'something could still move'}): ${where(stuck)}`,
      evidence: [...stuck, intproxy, ...guardEvidence(view), ...cluster, ...net],
    };
  }

  if (view.signal) {
    const why = errorLine(view.stderrTail);
    return { kind: 'CRASH', rule: 'signal', summary: `workload killed by ${view.signal} with no sign of the bug${why ? `: ${why}` : ''}`, evidence: [exitEvidence(view), intproxy, ...cluster, ...net] };
  }

  const hooks = exercised(view);
  if (view.exitCode !== 0) {
    const why = errorLine(view.stderrTail) || view.report.find((s) => !s.ok)?.message || 'no error output';
    return {
      kind: 'FAIL',
      rule: 'failed',
      summary: `workload exited ${view.exitCode} with no sign of the bug: ${why}`,
      evidence: [exitEvidence(view), ...failureEvidence(view.report.filter((s) => !s.ok)), ...(hooks.hooks.length ? [hooks] : []), intproxy, ...cluster, ...net],
    };
  }

  if (view.evidenceSource === 'black-box') {
    const reached = clusterSuccesses(view.report);
    // Against the cluster, its logs must show the agent carried them: a success the laptop made alone proves nothing.
    const seen = view.cluster ? view.cluster.dns.length + view.cluster.requests.length : undefined;
    if (reached.length === 0 || seen === 0) {
      const detail = reached.length === 0
        ? 'no lookup or connection of a cluster name in the workload\'s report reached the cluster'
        : `the workload reports ${plural(reached.length, 'cluster call')} that succeeded, but the cluster's logs show none from the attempt's agent`;
      return { kind: 'INCONCLUSIVE', rule: 'not-exercised', summary: `exit 0, but ${detail}`, evidence: [{ kind: 'not-exercised', detail }, exitEvidence(view), ...cluster, ...net] };
    }
    const via = view.cluster ? `; the cluster saw ${plural(view.cluster.dns.length, 'DNS query')} and ${plural(view.cluster.requests.length, 'service request')} from the agent` : '';
    return { kind: 'PASS', rule: 'clean', summary: `exit 0; ${plural(reached.length, 'cluster call')} reached the cluster, none escaped${via}`, evidence: [exitEvidence(view), ...cluster, ...net] };
  }
  if (hooks.hooks.every((h) => h.hooked === 0)) {
    const detail = view.events && view.events.layerInits > 0
      ? `no DNS or socket hook (${GUARDED_HOOKS.join(', ')}) was ever called, though the layer loaded ${plural(view.events.layerInits, 'time')}`
      : 'the layer never loaded (no init event), so no hook could be called';
    return { kind: 'INCONCLUSIVE', rule: 'not-exercised', summary: `exit 0, but ${detail}`, evidence: [{ kind: 'not-exercised', detail }, exitEvidence(view), intproxy, ...cluster, ...net] };
  }
  return { kind: 'PASS', rule: 'clean', summary: `exit 0; ${describeExercised(hooks)}; ${intproxyDetail}`, evidence: [exitEvidence(view), hooks, intproxy, ...cluster, ...net] };
}
