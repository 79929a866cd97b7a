/** Each verdict rule, on observations shaped like recorded ones; the first rule that applies wins. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../harness/verdict/decide.ts';
import { errorLine } from '../../harness/verdict/error-line.ts';
import { emptySummary, summarizeEvents } from '../../harness/observe/events.ts';
import { exitCodeFor, type Observation } from '../../harness/model/result.ts';

function obs(over: Partial<Observation> = {}): Observation {
  return {
    exitCode: 0, signal: null, timedOut: false, deadlock: null, durationMs: 300, stdoutTail: '', stderrTail: '',
    report: [], events: emptySummary(), evidenceSource: 'layer', stuck: [], intproxyAliveAtEnd: false, network: 'isolated', user: 'nobody',
    ...over,
  };
}

const layer = (o: object) => JSON.stringify({ src: 'layer', event: 'hook', pid: 7, tid: 7, init_pid: 7, profile: '3.112.0', strategy: 'normal', t_ns: 1, ...o });
const intproxy = (o: object) => JSON.stringify({ src: 'intproxy', pid: 3, t_ns: 1, ...o });
const CLUSTER = 'db.default.svc.cluster.local';

const LEAK = [
  intproxy({ event: 'listening' }),
  intproxy({ event: 'session_open' }),
  layer({ event: 'init' }),
  layer({ hook: 'getaddrinfo', bypassed: false, guard_was_set: false, name: CLUSTER, remote: true }),
  layer({ hook: 'execv', pid: 8, init_pid: 7, bypassed: false, guard_was_set: false, installed: true, path: '/usr/bin/true' }),
  layer({ hook: 'execv', pid: 9, init_pid: 7, bypassed: false, guard_was_set: true, installed: true, path: '/usr/bin/true' }),
  layer({ hook: 'getaddrinfo', bypassed: true, guard_was_set: true, name: CLUSTER }),
  intproxy({ event: 'session_close' }),
  intproxy({ event: 'exit', reason: 'idle' }),
].join('\n');

// Every lookup hooked and answered by the intproxy: the name simply does not exist in the cluster.
const NO_SUCH_NAME = [
  intproxy({ event: 'listening' }),
  intproxy({ event: 'session_open' }),
  layer({ event: 'init' }),
  layer({ hook: 'getaddrinfo', bypassed: false, guard_was_set: false, name: 'nosuch.default.svc.cluster.local', remote: true, answer: 'NXDOMAIN', rc: -2 }),
  intproxy({ event: 'session_close' }),
  intproxy({ event: 'exit', reason: 'idle' }),
].join('\n');

const HOOKED_SOCKET = [intproxy({ event: 'listening' }), layer({ event: 'init' }), layer({ hook: 'socket', bypassed: false }), layer({ hook: 'socket', bypassed: false }), intproxy({ event: 'exit', reason: 'idle' })].join('\n');

describe('decide: bug verdicts need bug evidence', () => {
  it('PASS: exit 0, hooks reached and none bypassed, counted as hooked/called', () => {
    const v = decide(obs({ events: summarizeEvents(HOOKED_SOCKET) }));
    expect(v).toMatchObject({ kind: 'PASS', rule: 'clean' });
    expect(v.summary).toMatch(/^exit 0; socket hooked 2\/2; no exec-hook entries;/);
    expect(v.evidence).toContainEqual({ kind: 'hooks-exercised', hooks: [{ hook: 'socket', calls: 2, hooked: 2, remote: 0 }], execEntries: 0 });
  });

  it('BYPASSED from layer events names the hook, thread and the guard fingerprint', () => {
    const v = decide(obs({ exitCode: 0, events: summarizeEvents(LEAK) }));
    expect(v.kind).toBe('BYPASSED');
    expect(v.summary).toMatch(/getaddrinfo bypassed 1x on tid 7 \(db\.default\.svc\.cluster\.local\)/);
    expect(v.summary).toMatch(/1 exec-hook entry in children found the guard already set/);
    expect(v.evidence).toContainEqual(expect.objectContaining({ kind: 'exec-guard-set', count: 1, pids: [9] }));
  });

  it('a gethostbyname bypass is a bypass too (Perl, getent, C programs)', () => {
    const v = decide(obs({ events: summarizeEvents([layer({ event: 'init' }), layer({ hook: 'gethostbyname', bypassed: true, guard_was_set: true, name: CLUSTER })].join('\n')) }));
    expect(v.kind).toBe('BYPASSED');
    expect(v.summary).toBe(`gethostbyname bypassed 1x on tid 7 (${CLUSTER})`);
  });

  it('a cluster name the cluster does not know is FAIL, not BYPASSED, when the layer shows it hooked', () => {
    const v = decide(obs({
      exitCode: 1,
      stderrTail: `spawn_then_resolve.rb:20:in 'getaddrinfo': getaddrinfo: Name or service not known (SocketError)\n\tfrom spawn_then_resolve.rb:20:in '<main>'\n`,
      events: summarizeEvents(NO_SUCH_NAME),
      report: [{ step: 'lookup', ok: false, host: 'nosuch.default.svc.cluster.local', message: 'getaddrinfo: Name or service not known' }],
    }));
    expect(v).toMatchObject({ kind: 'FAIL', rule: 'failed' });
    expect(v.summary).toBe("workload exited 1 with no sign of the bug: spawn_then_resolve.rb:20:in 'getaddrinfo': getaddrinfo: Name or service not known (SocketError)");
    expect(exitCodeFor(v.kind)).toBe(125);
  });

  it('a subject that writes events is never judged from workload text: a resolver error alone is FAIL', () => {
    const v = decide(obs({
      exitCode: 1, stderrTail: 'boom', events: summarizeEvents(HOOKED_SOCKET),
      report: [{ step: 'lookup', ok: false, host: CLUSTER, message: 'getaddrinfo: Temporary failure in name resolution' }],
    }));
    expect(v.kind).toBe('FAIL');
  });

  it('black box: a cluster name failing in the laptop resolver (EAI_AGAIN), after one that mirrord resolved, is BYPASSED, rule escaped', () => {
    const v = decide(obs({
      exitCode: 1, events: null, evidenceSource: 'black-box', stderrTail: 'boom',
      report: [
        { step: 'lookup', ok: true, host: CLUSTER, phase: 'before', thread: 'main' },
        { step: 'lookup', ok: false, host: CLUSTER, phase: 'after', thread: 'main', message: 'getaddrinfo: Temporary failure in name resolution' },
      ],
    }));
    expect(v).toMatchObject({ kind: 'BYPASSED', rule: 'escaped' });
    expect(v.summary).toBe(`1 cluster call escaped to the laptop: lookup after ${CLUSTER} on thread main failed: getaddrinfo: Temporary failure in name resolution`);
  });

  it('black box: the same failure with no cluster call ever carried is no escape (the layer may never have loaded): FAIL', () => {
    const v = decide(obs({
      exitCode: 1, events: null, evidenceSource: 'black-box', stderrTail: 'spawn_then_resolve: lookup before spawning failed: getaddrinfo: Temporary failure in name resolution (SocketError)\n',
      report: [{ step: 'lookup', ok: false, host: CLUSTER, phase: 'before', thread: 'main', message: 'getaddrinfo: Temporary failure in name resolution' }],
    }));
    expect(v).toMatchObject({ kind: 'FAIL', rule: 'failed' });
  });

  it('black box: the cluster answering "no such name" is not an escape', () => {
    const v = decide(obs({
      exitCode: 1, events: null, evidenceSource: 'black-box', stderrTail: 'x',
      report: [{ step: 'lookup', ok: false, host: 'nosuch.default.svc.cluster.local', message: 'getaddrinfo: Name or service not known' }],
    }));
    expect(v.kind).toBe('FAIL');
  });

  it('black box ignores the layer events even when a lab subject wrote them', () => {
    const v = decide(obs({ events: summarizeEvents(LEAK), evidenceSource: 'black-box', report: [{ step: 'lookup', ok: true, host: CLUSTER }] }));
    expect(v).toMatchObject({ kind: 'PASS', summary: 'exit 0; 1 cluster call reached the cluster, none escaped' });
  });

  it('a failing lookup of a non-cluster name is not a bypass', () => {
    const v = decide(obs({ exitCode: 1, events: null, evidenceSource: 'black-box', stderrTail: 'x', report: [{ step: 'lookup', ok: false, host: 'example.com', message: 'getaddrinfo: Temporary failure in name resolution' }] }));
    expect(v).toMatchObject({ kind: 'FAIL', rule: 'failed' });
  });

  it('INCONCLUSIVE: exit 0 with the layer loaded but no hook that can show the bug called', () => {
    const v = decide(obs({ events: summarizeEvents([intproxy({ event: 'listening' }), layer({ event: 'init' }), layer({ event: 'init', pid: 8 }), intproxy({ event: 'exit', reason: 'idle' })].join('\n')) }));
    expect(v).toMatchObject({ kind: 'INCONCLUSIVE', rule: 'not-exercised' });
    expect(v.summary).toMatch(/^exit 0, but no DNS or socket hook \(getaddrinfo, gethostbyname, .*socket, connect\) was ever called, though the layer loaded 2 times$/);
    expect(exitCodeFor(v.kind)).toBe(125);
  });

  it('INCONCLUSIVE: a hook that was only ever bypassed is not a PASS either', () => {
    // (It is BYPASSED: bypass evidence comes first.) A black box with no cluster call at all is INCONCLUSIVE.
    const v = decide(obs({ events: null, evidenceSource: 'black-box', report: [{ step: 'spawn', ok: true }] }));
    expect(v.kind).toBe('INCONCLUSIVE');
  });

  it('plain non-zero exit with no output is FAIL, not VANISHED (`--exec -- false`)', () => {
    const v = decide(obs({ exitCode: 1, stderrTail: '', events: summarizeEvents([intproxy({ event: 'listening' }), layer({ event: 'init' }), intproxy({ event: 'exit', reason: 'idle' })].join('\n')) }));
    expect(v).toMatchObject({ kind: 'FAIL', summary: 'workload exited 1 with no sign of the bug: no error output' });
  });

  it('ERROR cannot-start: exit 127 before the layer ever loaded, with the launcher\'s own line', () => {
    const v = decide(obs({
      exitCode: 127, stderrTail: 'mirrord-lab: cannot execute "nosuchcmd": No such file or directory (os error 2)\n',
      events: summarizeEvents([intproxy({ event: 'listening' })].join('\n')),
    }));
    expect(v).toMatchObject({ kind: 'ERROR', rule: 'cannot-start', summary: 'the command could not start: mirrord-lab: cannot execute "nosuchcmd": No such file or directory (os error 2)' });
  });

  it('exit 127 from a workload that did run under the layer is its own failure', () => {
    const v = decide(obs({ exitCode: 127, stderrTail: 'sh: 1: x: not found', events: summarizeEvents(HOOKED_SOCKET) }));
    expect(v.kind).toBe('FAIL');
  });
});

describe('decide: HANG is a deadlock, TIMEOUT is not', () => {
  const stuck = [
    { pid: 1005, nsPid: 5, ppid: 1, comm: 'ruby', state: 'S', wchan: 'futex_do_wait', syscall: '202', syscallName: 'futex', cmdline: 'ruby w.rb' },
    { pid: 1006, nsPid: 6, ppid: 5, comm: 'mirrord-lab', state: 'S', wchan: 'futex_do_wait', syscall: '202', syscallName: 'futex', cmdline: '/s/lab/mirrord-lab intproxy', helper: true },
  ];
  const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' }), layer({ pid: 5, hook: 'socket', bypassed: false })].join('\n'));

  it('HANG names the deadlock, the stuck workload process (not the helper), its syscall and last layer event', () => {
    const v = decide(obs({ exitCode: null, durationMs: 640, events, intproxyAliveAtEnd: true, stuck, deadlock: { atMs: 612, quietMs: 161, lastEventAgoMs: 180 } }));
    expect(v).toMatchObject({ kind: 'HANG', rule: 'deadlock' });
    expect(v.summary).toBe('deadlocked after 0.6s: ruby (pid 1005) in futex (202), wchan futex_do_wait, last layer event: hook socket; intproxy 3 still running with 1 open session');
    expect(v.evidence[0]).toEqual({ kind: 'deadlock', quietMs: 161, threads: 1, detail: 'every workload thread blocked for 161 ms with no CPU, last layer event 180 ms before' });
  });

  it('a deadlock beats bypass evidence (the none experiment can show both)', () => {
    expect(decide(obs({ deadlock: { atMs: 1, quietMs: 150, lastEventAgoMs: null }, events: summarizeEvents(LEAK) })).kind).toBe('HANG');
  });

  it('TIMEOUT when the timeout fired and something could still move, with why it is not a deadlock', () => {
    const running = [{ ...stuck[0]!, state: 'R', syscall: 'running', syscallName: undefined, wchan: '' }];
    const v = decide(obs({ timedOut: true, exitCode: null, durationMs: 30_000, events, intproxyAliveAtEnd: true, stuck: running, notDeadlocked: 'ruby (pid 1005) tid 1005 is running in user space' }));
    expect(v).toMatchObject({ kind: 'TIMEOUT', rule: 'timeout' });
    expect(v.summary).toBe('timed out after 30.0s and not deadlocked (ruby (pid 1005) tid 1005 is running in user space): ruby (pid 1005) in running, wchan ?, last layer event: hook socket');
    expect(exitCodeFor(v.kind)).toBe(125);
  });

  it('bypass evidence still counts when the run later timed out', () => {
    expect(decide(obs({ timedOut: true, exitCode: null, events: summarizeEvents(LEAK) })).kind).toBe('BYPASSED');
  });
});

describe('decide: vanishing needs a death nobody asked for', () => {
  it('VANISHED: intproxy gone without exiting while the workload had a session', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' })].join('\n'));
    expect(decide(obs({ exitCode: 0, events, intproxyAliveAtEnd: false }))).toMatchObject({ kind: 'VANISHED', rule: 'intproxy-gone' });
  });

  it('VANISHED: the layer lost its session and killed itself', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), layer({ event: 'fatal', error: 'lost the intproxy session: write to intproxy: errno 32' })].join('\n'));
    const v = decide(obs({ exitCode: null, signal: 'SIGKILL', events, intproxyAliveAtEnd: true }));
    expect(v.kind).toBe('VANISHED');
    expect(v.summary).toBe('the layer lost its intproxy session; layer: lost the intproxy session: write to intproxy: errno 32; workload killed by SIGKILL');
  });

  it('an intproxy whose end state is unknown (no namespace to inspect) is not VANISHED', () => {
    const events = summarizeEvents([intproxy({ event: 'listening' }), intproxy({ event: 'session_open' }), intproxy({ event: 'session_close' }), layer({ hook: 'socket', bypassed: false })].join('\n'));
    expect(decide(obs({ exitCode: 0, events, intproxyAliveAtEnd: null })).kind).toBe('PASS');
  });

  it('a SIGKILL with no fatal event from the layer is a CRASH (exit 125)', () => {
    const v = decide(obs({ exitCode: null, signal: 'SIGKILL', stderrTail: 'Killed', events: summarizeEvents(HOOKED_SOCKET), intproxyAliveAtEnd: true }));
    expect(v).toMatchObject({ kind: 'CRASH', rule: 'signal', summary: 'workload killed by SIGKILL with no sign of the bug: Killed' });
    expect(exitCodeFor(v.kind)).toBe(125);
  });

  it('black box: a SIGKILL the harness did not send is VANISHED (mirrord\'s graceful_exit!)', () => {
    const v = decide(obs({ exitCode: null, signal: 'SIGKILL', events: null, evidenceSource: 'black-box' }));
    expect(v).toMatchObject({ kind: 'VANISHED', rule: 'unsent-kill' });
  });

  it('CRASH: any other signal', () => {
    const v = decide(obs({ exitCode: null, signal: 'SIGSEGV', stderrTail: 'Segmentation fault', events: summarizeEvents(HOOKED_SOCKET) }));
    expect(v).toMatchObject({ kind: 'CRASH', rule: 'signal', summary: 'workload killed by SIGSEGV with no sign of the bug: Segmentation fault' });
  });
});

describe('decide: the rest', () => {
  it('ERROR: the harness failed, whatever else was seen', () => {
    const v = decide(obs({ harnessError: 'could not start the sandbox: spawn setpriv ENOENT', events: summarizeEvents(LEAK) }));
    expect(v).toMatchObject({ kind: 'ERROR', rule: 'harness-error' });
  });

  it('says when the run was not isolated from the network', () => {
    const v = decide(obs({ events: summarizeEvents(HOOKED_SOCKET), network: 'host', networkNote: 'harness is not root' }));
    expect(v.evidence).toContainEqual({ kind: 'network', detail: 'harness is not root' });
  });

  it('exit codes follow git bisect run: 0 PASS, 1 bug, 125 cannot tell', () => {
    expect(['PASS', 'BYPASSED', 'HANG', 'VANISHED', 'CRASH', 'FAIL', 'INCONCLUSIVE', 'TIMEOUT', 'ERROR'].map((k) => exitCodeFor(k as never))).toEqual([0, 1, 1, 1, 125, 125, 125, 125, 125]);
  });
});

describe('errorLine: the command\'s own words', () => {
  it('Ruby: the message line, not the last backtrace frame', () => {
    expect(errorLine("x.rb:5:in `foo': boom (RuntimeError)\n\tfrom x.rb:9:in `bar'\n\tfrom x.rb:12:in `<main>'\n")).toBe("x.rb:5:in `foo': boom (RuntimeError)");
  });
  it('Python: the last line, after the frames', () => {
    expect(errorLine('Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n    import nosuch\nModuleNotFoundError: No module named \'nosuch\'\n')).toBe("ModuleNotFoundError: No module named 'nosuch'");
  });
  it('anything else: the last line', () => {
    expect(errorLine('warning: x\nperl: fatal: y\n')).toBe('perl: fatal: y');
    expect(errorLine('  \n')).toBe('');
  });
});

describe('summarizeEvents', () => {
  it('counts malformed lines instead of failing, and tallies per hook with remote calls', () => {
    const s = summarizeEvents(`${LEAK}\n{"src":"layer","event":"ho`);
    expect(s.malformed).toBe(1);
    expect(s.hooks.getaddrinfo).toMatchObject({ calls: 2, bypassed: 1, remote: 1, bypassedTids: [7] });
    expect(s.execInChild).toBe(2);
    expect(s.intproxy).toMatchObject({ pid: 3, sessionsOpened: 1, sessionsClosed: 1, exitReason: 'idle' });
  });
});
