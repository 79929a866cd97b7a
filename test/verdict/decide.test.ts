/** Each verdict rule, on observations shaped like recorded ones; the first rule that applies wins. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../harness/verdict/decide.ts';
import { emptySummary, summarizeEvents } from '../../harness/observe/events.ts';
import type { Observation } from '../../harness/model/result.ts';

function obs(over: Partial<Observation> = {}): Observation {
  return {
    exitCode: 0, signal: null, timedOut: false, durationMs: 300, stdoutTail: '', stderrTail: '',
    report: [], events: emptySummary(), stuck: [], intproxyAliveAtEnd: false, network: 'isolated', user: 'nobody',
    ...over,
  };
}

const layer = (o: object) => JSON.stringify({ src: 'layer', event: 'hook', pid: 7, tid: 7, init_pid: 7, profile: '3.112.0', strategy: 'normal', t_ns: 1, ...o });
const intproxy = (o: object) => JSON.stringify({ src: 'intproxy', pid: 3, t_ns: 1, ...o });

const LEAK = [
  intproxy({ event: 'listening' }),
  intproxy({ event: 'session_open' }),
  layer({ hook: 'getaddrinfo', bypassed: false, guard_was_set: false, name: 'db.default.svc.cluster.local', remote: true }),
  layer({ hook: 'execv', pid: 8, init_pid: 7, bypassed: false, guard_was_set: false, installed: true, path: '/usr/bin/true' }),
  layer({ hook: 'execv', pid: 9, init_pid: 7, bypassed: false, guard_was_set: true, installed: true, path: '/usr/bin/true' }),
  layer({ hook: 'getaddrinfo', bypassed: true, guard_was_set: true, name: 'db.default.svc.cluster.local' }),
  intproxy({ event: 'session_close' }),
  intproxy({ event: 'exit', reason: 'idle' }),
].join('\n');

describe('decide', () => {
  it('PASS: exit 0 and nothing bypassed', () => {
    const v = decide(obs({ events: summarizeEvents([intproxy({ event: 'listening' }), layer({ hook: 'socket', bypassed: false }), intproxy({ event: 'exit', reason: 'idle' })].join('\n')) }));
    expect(v).toMatchObject({ kind: 'PASS', rule: 'clean' });
    expect(v.summary).toMatch(/socket hooked 1\/1/);
  });

  it('BYPASSED from events alone names the hook, thread and the guard fingerprint', () => {
    const v = decide(obs({ exitCode: 0, events: summarizeEvents(LEAK) }));
    expect(v.kind).toBe('BYPASSED');
    expect(v.summary).toMatch(/getaddrinfo bypassed 1x on tid 7 \(db\.default\.svc\.cluster\.local\)/);
    expect(v.summary).toMatch(/1 exec-hook entry in children found the guard already set/);
    expect(v.evidence).toContainEqual(expect.objectContaining({ kind: 'exec-guard-set', count: 1, pids: [9] }));
  });

  it('BYPASSED from the workload report alone (a subject that writes no events)', () => {
    const v = decide(obs({
      exitCode: 1, events: null, stderrTail: 'boom',
      report: [{ step: 'lookup', ok: false, host: 'db.default.svc.cluster.local', phase: 'after', message: 'getaddrinfo: Temporary failure in name resolution' }],
    }));
    expect(v.kind).toBe('BYPASSED');
    expect(v.summary).toMatch(/lookup after failed: getaddrinfo: Temporary failure in name resolution/);
  });

  it('a failing lookup of a non-cluster name is not a bypass', () => {
    const v = decide(obs({ exitCode: 1, events: null, stderrTail: 'x', report: [{ step: 'lookup', ok: false, host: 'example.com', message: 'getaddrinfo: Temporary failure in name resolution' }] }));
    expect(v).toMatchObject({ kind: 'ERROR', rule: 'failed' });
  });

  it('HANG: names the stuck process, its syscall and last layer event, and the live intproxy', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' }), layer({ pid: 5, hook: 'socket', bypassed: false })].join('\n'));
    const v = decide(obs({
      timedOut: true, exitCode: null, durationMs: 5003, events, intproxyAliveAtEnd: true,
      stuck: [{ pid: 1005, nsPid: 5, ppid: 1, comm: 'ruby', state: 'S', wchan: 'futex_do_wait', syscall: '202', syscallName: 'futex', cmdline: 'ruby w.rb' }],
    }));
    expect(v.kind).toBe('HANG');
    expect(v.summary).toBe('timed out after 5.0s: ruby (pid 1005) stuck in futex (202), wchan futex_do_wait, last layer event: hook socket; intproxy 3 still running with 1 open session');
  });

  it('timeout beats everything else, even bypass evidence', () => {
    expect(decide(obs({ timedOut: true, events: summarizeEvents(LEAK) })).kind).toBe('HANG');
  });

  it('VANISHED: intproxy gone without exiting while the workload had a session', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' })].join('\n'));
    const v = decide(obs({ exitCode: 0, events, intproxyAliveAtEnd: false }));
    expect(v).toMatchObject({ kind: 'VANISHED', rule: 'intproxy-gone' });
  });

  it('an intproxy whose end state is unknown (no namespace to inspect) is not VANISHED', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' }), intproxy({ event: 'session_close' })].join('\n'));
    const v = decide(obs({ exitCode: 0, events, intproxyAliveAtEnd: null }));
    expect(v.kind).toBe('PASS');
  });

  it('VANISHED: non-zero exit with no error output at all', () => {
    const v = decide(obs({ exitCode: 1, stderrTail: '  \n', events: null }));
    expect(v).toMatchObject({ kind: 'VANISHED', rule: 'silent-death' });
  });

  it('CRASH: killed by a signal', () => {
    const v = decide(obs({ exitCode: null, signal: 'SIGSEGV', stderrTail: 'Segmentation fault' }));
    expect(v).toMatchObject({ kind: 'CRASH', rule: 'signal' });
    expect(v.summary).toBe('workload killed by SIGSEGV: Segmentation fault');
  });

  it('ERROR: the harness failed, whatever else was seen', () => {
    const v = decide(obs({ harnessError: 'could not start the sandbox: spawn setpriv ENOENT', events: summarizeEvents(LEAK) }));
    expect(v).toMatchObject({ kind: 'ERROR', rule: 'harness-error' });
  });

  it('says when the run was not isolated from the network', () => {
    const v = decide(obs({ network: 'host', networkNote: 'harness is not root' }));
    expect(v.evidence).toContainEqual({ kind: 'network', detail: 'harness is not root' });
  });
});

describe('summarizeEvents', () => {
  it('counts malformed lines instead of failing, and tallies per hook', () => {
    const s = summarizeEvents(`${LEAK}\n{"src":"layer","event":"ho`);
    expect(s.malformed).toBe(1);
    expect(s.hooks.getaddrinfo).toMatchObject({ calls: 2, bypassed: 1, bypassedTids: [7] });
    expect(s.execInChild).toBe(2);
    expect(s.intproxy).toMatchObject({ pid: 3, sessionsOpened: 1, sessionsClosed: 1, exitReason: 'idle' });
  });
});
