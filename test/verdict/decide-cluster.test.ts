/**
 * The rules that read the cluster's side (observation.cluster): an agent that died mid-run is no
 * evidence about the subject, a black-box escape needs the cluster DNS to have answered, and a
 * black-box PASS needs the cluster's logs to show the agent carried the calls.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../harness/verdict/decide.ts';
import { emptySummary } from '../../harness/observe/events.ts';
import { exitCodeFor, type ClusterSide, type Observation } from '../../harness/model/result.ts';

const CLUSTER = 'db.default.svc.cluster.local';
const POD = '10.244.0.3';

function side(over: Omit<Partial<ClusterSide>, 'agent'> & { agent?: Partial<ClusterSide['agent']> } = {}): ClusterSide {
  return {
    dns: [{ name: CLUSTER, type: 'A', from: POD, answer: '10.96.0.10' }],
    requests: [],
    ...over,
    agent: { address: `${POD}:61337`, version: '3.112.0', exited: true, exitCode: 0, exitedMidRun: false, logTail: '', ...over.agent },
  };
}

function blackBox(over: Partial<Observation> = {}): Observation {
  return {
    exitCode: 0, signal: null, timedOut: false, deadlock: null, durationMs: 300, stdoutTail: '', stderrTail: '',
    report: [], events: null, evidenceSource: 'black-box', stuck: [], intproxyAliveAtEnd: true, network: 'isolated', user: 'nobody',
    cluster: side(),
    ...over,
  };
}

const lookup = (ok: boolean, phase: string, message?: string) => ({ step: 'lookup', ok, phase, host: CLUSTER, thread: 'main', ...(message ? { message, error: 'SocketError' } : {}) });
const ESCAPED = [lookup(true, 'before'), lookup(false, 'after', 'getaddrinfo: Temporary failure in name resolution')];

describe('decide against the cluster', () => {
  it('a black-box escape: the laptop resolver failed while the cluster DNS answered every query of the agent', () => {
    const v = decide(blackBox({ exitCode: 1, report: ESCAPED }));
    expect(v).toMatchObject({ kind: 'BYPASSED', rule: 'escaped' });
    expect(v.evidence).toContainEqual({ kind: 'cluster-dns', agent: POD, queries: 1, names: [{ name: CLUSTER, queries: 1, answer: '10.96.0.10' }] });
    expect(exitCodeFor(v.kind)).toBe(1);
  });

  it('the same failure while the cluster DNS left a query unanswered is no escape: FAIL, exit 125', () => {
    const v = decide(blackBox({ exitCode: 1, report: ESCAPED, stderrTail: 'spawn_then_resolve: lookup after spawning failed: getaddrinfo: Temporary failure in name resolution (SocketError)\n', cluster: side({ dns: [{ name: CLUSTER, type: 'A', from: POD }] }) }));
    expect(v).toMatchObject({ kind: 'FAIL', rule: 'failed' });
    expect(exitCodeFor(v.kind)).toBe(125);
  });

  it('an unroutable cluster connection after a lookup the agent answered is an escape (the layer never redirected it)', () => {
    const connect = { step: 'http', ok: false, host: CLUSTER, url: `http://${CLUSTER}/`, thread: 'main', message: 'Failed to open TCP connection to 10.96.0.10:80 (Network is unreachable - connect(2) for "10.96.0.10" port 80)' };
    const v = decide(blackBox({ exitCode: 1, report: [lookup(true, 'before'), connect] }));
    expect(v).toMatchObject({ kind: 'BYPASSED', rule: 'escaped' });
  });

  it('a layer that never loaded (the agent was asked nothing) or a cluster DNS that answered nothing: the same failures are no escape', () => {
    const unroutable = { step: 'http', ok: false, host: CLUSTER, thread: 'main', message: 'Failed to open TCP connection to 10.96.0.10:80 (Network is unreachable)' };
    const failing = [lookup(false, 'before', 'getaddrinfo: Temporary failure in name resolution'), unroutable];
    expect(decide(blackBox({ exitCode: 1, report: failing, cluster: side({ dns: [] }) })).kind).toBe('FAIL');
    expect(decide(blackBox({ exitCode: 1, report: ESCAPED, cluster: side({ dns: [{ name: CLUSTER, type: 'A', from: POD }] }) })).kind).toBe('FAIL');
    // Answered, but never with an address (NXDOMAIN only): nothing shows the chain carried a call.
    expect(decide(blackBox({ exitCode: 1, report: ESCAPED, cluster: side({ dns: [{ name: CLUSTER, type: 'A', from: POD, answer: 'NXDOMAIN' }] }) })).kind).toBe('FAIL');
  });

  it('a black-box PASS names what the cluster saw; cluster successes the cluster never saw are INCONCLUSIVE', () => {
    const ok = [lookup(true, 'before'), lookup(true, 'after'), { step: 'http', ok: true, host: CLUSTER, thread: 'main' }];
    const seen = side({ requests: [{ peer: POD, local: '10.96.0.10:80', request: 'GET / HTTP/1.1', host: CLUSTER, t_ms: 1 }] });
    const pass = decide(blackBox({ report: ok, cluster: seen }));
    expect(pass).toMatchObject({ kind: 'PASS', rule: 'clean' });
    expect(pass.summary).toBe('exit 0; 3 cluster calls reached the cluster, none escaped; the cluster saw 1 DNS query and 1 service request from the agent');
    const unseen = decide(blackBox({ report: ok, cluster: side({ dns: [], requests: [] }) }));
    expect(unseen).toMatchObject({ kind: 'INCONCLUSIVE', rule: 'not-exercised' });
    expect(unseen.summary).toBe("exit 0, but the workload reports 3 cluster calls that succeeded, but the cluster's logs show none from the attempt's agent");
  });

  it('an agent that died mid-run makes the attempt an ERROR, even when the layer then killed itself', () => {
    const died = side({ agent: { exited: true, exitCode: null, exitedMidRun: true, logTail: 'agent: connect 10.96.0.10:80 ok' } });
    const v = decide(blackBox({ exitCode: null, signal: 'SIGKILL', cluster: died }));
    expect(v).toMatchObject({ kind: 'ERROR', rule: 'agent-failed' });
    expect(v.summary).toBe(`the agent ${POD}:61337 died mid-run (killed by a signal): agent: connect 10.96.0.10:80 ok: the cluster side failed, so the attempt says nothing about the subject`);
    // One that left after the workload (its intproxy torn down) is no failure: the rules go on.
    // (Here exit 1 after the workload: the layer's own SIGKILL is then the VANISHED signature.)
    const left = decide(blackBox({ exitCode: null, signal: 'SIGKILL', cluster: side({ agent: { exited: true, exitCode: 1, exitedMidRun: false } }) }));
    expect(left).toMatchObject({ kind: 'VANISHED', rule: 'unsent-kill' });
  });

  it('with the lab\'s events, the cluster side is evidence beside the layer\'s, not instead of it', () => {
    const v = decide({ ...blackBox(), evidenceSource: 'layer', events: emptySummary() });
    expect(v.kind).toBe('INCONCLUSIVE');
    expect(v.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['agent', 'cluster-dns', 'cluster-service']));
  });
});
