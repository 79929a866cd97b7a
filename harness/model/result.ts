/**
 * The result model: what a run observed, what was decided, and why. Every report reads this and
 * nothing else; reports never re-run anything.
 *
 * The zod schemas below are the one source of truth: the TypeScript types are inferred from them,
 * `parseResultsFile` validates results.json with them, and harness/reports/results-schema.md is
 * generated from their descriptions (`npm run schema:doc`). Versioned: bump RESULT_SCHEMA_VERSION
 * on any change an older reader would misread.
 */
import { z } from 'zod';

export const RESULT_SCHEMA = 'mirrord-regress/results';
export const RESULT_SCHEMA_VERSION = 3;

/**
 * Names a schema (its section in results-schema.md and its name in validation messages) and says
 * what the type as a whole is. Field-level meaning goes on the field with `.describe()`.
 */
function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  return schema.meta({ id, description });
}

const count = () => z.int().nonnegative();
const pid = () => z.int().positive();

// ---------------------------------------------------------------------------------------------
// Verdicts

const VERDICT_KIND_VALUES = ['PASS', 'BYPASSED', 'HANG', 'VANISHED', 'CRASH', 'FAIL', 'INCONCLUSIVE', 'TIMEOUT', 'ERROR'] as const;

/** What each verdict kind means; results-schema.md lists these, reports may quote them. */
export const VERDICT_MEANINGS: Readonly<Record<(typeof VERDICT_KIND_VALUES)[number], string>> = {
  PASS: 'The workload exercised a hook that can show the bug, and nothing was bypassed.',
  BYPASSED: 'The bug: a layer hook (`getaddrinfo`, `socket`, `connect`) let calls through unhooked, or the workload failed on a cluster name the way a bypass makes it fail.',
  HANG: 'The bug: the workload deadlocked, every workload thread blocked in an untimed futex or lock wait with no CPU and no layer event (see `observation.deadlock`).',
  VANISHED: 'The bug: the intproxy disappeared before the workload ended, or the layer lost its session.',
  CRASH: 'The workload was killed by a signal, with no evidence of the bug.',
  FAIL: 'The workload exited non-zero, with no evidence of the bug.',
  INCONCLUSIVE: 'The workload never reached a hook that can show the bug, so the attempt says nothing either way.',
  TIMEOUT: 'The workload was still running, and not deadlocked, when the timeout fired.',
  ERROR: 'The harness or the environment failed, or the command could not start: the attempt says nothing about the subject.',
};

export const VerdictKindSchema = named(
  'VerdictKind',
  'Outcome of one attempt, decided by harness/verdict/decide.ts from the Observation alone (the expected-verdict table is never consulted there).',
  z.enum(VERDICT_KIND_VALUES).meta({ values: VERDICT_MEANINGS }),
);
export type VerdictKind = z.infer<typeof VerdictKindSchema>;
export const VERDICT_KINDS: readonly VerdictKind[] = VerdictKindSchema.options;

/** The verdicts that show the bug. */
export const BUG_VERDICTS: readonly VerdictKind[] = ['BYPASSED', 'HANG', 'VANISHED'];

export function isBugVerdict(v: VerdictKind): boolean {
  return BUG_VERDICTS.includes(v);
}

/**
 * The `git bisect run` contract: 0 good, 1 bad, 125 "cannot test this one, skip it". Anything
 * that is neither a clean PASS nor the bug says nothing about the commit, so it is a skip.
 */
export function exitCodeFor(v: VerdictKind): 0 | 1 | 125 {
  if (v === 'PASS') return 0;
  return isBugVerdict(v) ? 1 : 125;
}

// ---------------------------------------------------------------------------------------------
// Cell identity and platform

export const StrategySchema = named(
  'Strategy',
  'How the 3.112.0 exec hook holds its DetourGuard (the upstream experiments): `normal` holds it across the real exec, `forget` sets it and never drops it (`std::mem::forget`), `none` takes none (the socket table\'s read lock still leaks).',
  z.enum(['none', 'normal', 'forget']),
);
export type Strategy = z.infer<typeof StrategySchema>;
export const STRATEGIES: readonly Strategy[] = StrategySchema.options;

export const RunAsSchema = named(
  'RunAs',
  'Who the workload runs as. Ruby only vforks when unprivileged; `root` is the control.',
  z.enum(['unprivileged', 'root']),
);
export type RunAs = z.infer<typeof RunAsSchema>;

export const PlatformSchema = named(
  'Platform',
  'Where and on what a cell ran.',
  z.object({
    os: z.string().describe('`process.platform` of the machine running the workload (`linux`, `darwin`).'),
    arch: z.string().describe('`process.arch`, e.g. `x64`.'),
    kernel: z.string().describe('Kernel release (`uname -r`).'),
    runner: z.string().describe('Runner that executed the workload: `host`, or `docker:ruby3.1` / `docker:ruby3.3` (the docker runner names its Ruby version).'),
    ruby: z.string().optional().describe('`RUBY_VERSION` seen by the workload (e.g. `3.1.2`), when it reported one.'),
    image: z.string().optional().describe('Container image, for the docker runner.'),
  }),
);
export type Platform = z.infer<typeof PlatformSchema>;

export const CellKeySchema = named(
  'CellKey',
  'Identity of a cell of the matrix.',
  z.object({
    subject: z.string().describe('What was tested, e.g. `lab@3.112.0`.'),
    strategy: StrategySchema.nullable().describe('The guard strategy; `null` when the subject has no strategy to choose.'),
    scenario: z.string().describe('Scenario id, e.g. `spawn-then-resolve`.'),
    runAs: RunAsSchema.describe('Who ran the workload.'),
    runner: z.string().describe('Where the workload ran: `host`, or `docker:ruby3.1` / `docker:ruby3.3` (the Ruby version is part of the cell).'),
  }),
);
export type CellKey = z.infer<typeof CellKeySchema>;

/** `subject/strategy|-/scenario/runAs/runner`: stable across runs, the key merge and resume match on. */
export function cellId(key: CellKey): string {
  return [key.subject, key.strategy ?? '-', key.scenario, key.runAs, key.runner].join('/');
}

// ---------------------------------------------------------------------------------------------
// Observation

export const HookTallySchema = named(
  'HookTally',
  "One hook's tally over a run, from the lab's events. The id lists are capped at 20 entries, so they can be shorter than the counts.",
  z.object({
    calls: count().describe('Calls of the hook, in every process that had the layer.'),
    bypassed: count().describe('Calls that went through unhooked (the DetourGuard flag was set).'),
    remote: count().optional().describe('Calls the layer answered through the intproxy (a cluster name looked up, a cluster address connected); absent in files from before it was counted.'),
    bypassedTids: z.array(z.int()).describe('Native thread ids (tids) on which the hook was bypassed.'),
    bypassedPids: z.array(z.int()).describe('Process ids in which the hook was bypassed.'),
    bypassedNames: z.array(z.string()).optional().describe('Names looked up while bypassed (the DNS hooks: `getaddrinfo` and the `gethostbyname` family).'),
  }),
);
export type HookTally = z.infer<typeof HookTallySchema>;

export const EventSummarySchema = named(
  'EventSummary',
  "What the lab's events file (`MIRRORD_LAB_EVENTS`, one JSON line per layer or intproxy event) showed.",
  z.object({
    lines: count().describe('Lines read from the events file.'),
    malformed: count().describe('Lines that were not JSON (counted, not fatal).'),
    layerInits: count().describe('Layer loads (process images that had the layer).'),
    hooks: z.record(z.string(), HookTallySchema).meta({ key: 'hook' }).describe('Per hook name: `getaddrinfo`, `socket`, `connect`, `execv`, `execve`, `freeaddrinfo`; hooks never called are absent.'),
    execGuardSet: z
      .object({
        count: count().describe('How many.'),
        pids: z.array(z.int()).describe('Their pids (at most 20).'),
        paths: z.array(z.string()).describe('The paths they exec\'d (at most 5).'),
      })
      .describe("exec-hook calls made with the DetourGuard flag already set: the leak's fingerprint."),
    execInChild: count().describe("exec-hook calls made from a child that had not exec'd yet (a fork or vfork child)."),
    intproxy: z
      .object({
        pid: pid().optional().describe('Its pid, from its `listening` event, when seen.'),
        sessionsOpened: count().describe('Layer sessions it opened.'),
        sessionsClosed: count().describe('Layer sessions it closed.'),
        exitReason: z.string().optional().describe('Reason of its `exit` event (`idle`, `no_session`), when it exited by itself.'),
      })
      .describe("What the intproxy's own events said."),
    fatal: z.array(z.string()).describe('Layer `fatal` events (lost intproxy session, ...).'),
    lastEventByPid: z.record(z.string(), z.string()).meta({ key: 'pid' }).describe('The last layer event of each pid that wrote any (where a process stopped), e.g. `hook socket`.'),
  }),
);
export type EventSummary = z.infer<typeof EventSummarySchema>;

export const WorkloadStepSchema = named(
  'WorkloadStep',
  "One line of the workload's own report (`MIRRORD_REGRESS_REPORT`), as written by scenarios/ruby/lib/regress_report.rb. Besides the fields below, lines usually carry `pid`, `ruby` (RUBY_VERSION), `workload` and `t_ns`, and scenarios may add any other field (e.g. `url`, `children`, `method`); all are kept.",
  z.looseObject({
    step: z.string().describe('What the workload did, e.g. `lookup`, `spawn`, `http`.'),
    ok: z.boolean().describe('Whether the step succeeded.'),
    thread: z.string().optional().describe('Ruby thread name.'),
    tid: z.int().optional().describe('Native thread id of that thread.'),
    host: z.string().optional().describe('Name looked up or connected to.'),
    phase: z.string().optional().describe('`before` or `after` the spawns, for lookups.'),
    error: z.string().optional().describe('Exception class, on failure.'),
    message: z.string().optional().describe('Exception message, on failure.'),
  }),
);
export type WorkloadStep = z.infer<typeof WorkloadStepSchema>;

export const ProcessSnapshotSchema = named(
  'ProcessSnapshot',
  'A live process when the runner stopped the attempt (at the timeout, or when it saw a deadlock), read from /proc before anything was killed.',
  z.object({
    pid: pid().describe('pid as seen by the harness.'),
    nsPid: pid().describe("pid inside the run's PID namespace (what the lab's events record); equals `pid` when not namespaced."),
    ppid: z.int().nonnegative().describe('Parent pid, as seen by the harness.'),
    comm: z.string().describe('Command name (`/proc/<pid>/comm`).'),
    state: z.string().describe('`/proc/<pid>/stat` state letter (`S`, `D`, `R`, `T`, `Z`).'),
    wchan: z.string().describe('`/proc/<pid>/wchan`: the kernel function it sleeps in; empty when running.'),
    syscall: z.string().describe('First field of `/proc/<pid>/syscall`: the syscall number it is blocked in, `running` when not in one, `unknown` when unreadable.'),
    syscallName: z.string().optional().describe('The syscall\'s name (e.g. `futex`), when the number is a known one.'),
    helper: z.boolean().optional().describe("`true` for the subject's own helper (the intproxy) or the sandbox's init: not part of the workload, so not counted when deciding whether the workload deadlocked."),
    cpuTicks: count().optional().describe('CPU time used so far, `utime + stime` from `/proc/<pid>/stat`, in clock ticks.'),
    threads: z
      .array(
        z.object({
          tid: pid().describe('Native thread id.'),
          comm: z.string().describe('Thread name.'),
          state: z.string().describe('`/proc/<pid>/task/<tid>/stat` state letter.'),
          wchan: z.string().describe('Kernel function the thread sleeps in.'),
          syscall: z.string().describe('Syscall number the thread is blocked in, as for the process.'),
          syscallName: z.string().optional().describe('Its name, when known.'),
          cpuTicks: count().optional().describe("The thread's `utime + stime`, in clock ticks."),
          timedWait: z.boolean().optional().describe('`true` when the thread is blocked in a wait that has a timeout (futex with a timeout, `poll`, `nanosleep`, ...): such a thread will wake up by itself, so it is not deadlocked.'),
        }),
      )
      .optional()
      .describe('Per-thread view, when the process has more than one thread.'),
    cmdline: z.string().describe('Its command line, arguments separated by spaces.'),
  }),
);
export type ProcessSnapshot = z.infer<typeof ProcessSnapshotSchema>;

export const ClusterSideSchema = named(
  'ClusterSide',
  "What the cluster saw of one attempt of a subject run against it (harness/cluster/): the attempt's agent, and the cluster DNS's and service's logs, kept to the requests that came from that agent's pod address. Real mirrord writes nothing when a hook is bypassed; this is what can be seen without its cooperation.",
  z.object({
    agent: z
      .object({
        address: z.string().describe('`ip:port` the agent listened on (its pod IP).'),
        version: z.string().optional().describe('The version its `agent ready - version X` line named.'),
        exited: z.boolean().describe('Whether it had exited when the attempt ended (it exits by itself once its last intproxy is gone).'),
        exitCode: z.int().nullable().optional().describe('Its exit code when it had exited; `null` when a signal ended it.'),
        exitedMidRun: z.boolean().describe("It exited before the workload ended (the end its runner's wrapper recorded, or the harness's stop): its intproxy lost it mid-run."),
        logTail: z.string().describe('The last lines of its stderr.'),
      })
      .describe("The attempt's agent, in its own pod."),
    dns: z
      .array(
        z.object({
          name: z.string().describe('Name asked for.'),
          type: z.string().describe('Record type, e.g. `A`.'),
          from: z.string().describe("The asking address: the agent's pod."),
          answer: z.string().optional().describe('What the cluster DNS answered: an address, `NXDOMAIN`, `NODATA`; absent when no answer was logged.'),
        }),
      )
      .describe("The cluster DNS's query log (dnsmasq), this agent's queries only."),
    requests: z
      .array(
        z.object({
          peer: z.string().describe("The asking address: the agent's pod."),
          local: z.string().describe('The ClusterIP and port it came in on.'),
          request: z.string().describe('The HTTP request line.'),
          host: z.string().describe('Its Host header.'),
          t_ms: z.number().describe('When, in ms since the epoch.'),
        }),
      )
      .describe("The cluster service's access log, this agent's requests only."),
  }),
);
export type ClusterSide = z.infer<typeof ClusterSideSchema>;

export const ObservationSchema = named(
  'Observation',
  'Everything a runner saw of one attempt. Verdicts are decided from this afterwards, never during the run.',
  z.object({
    exitCode: z.int().nullable().describe('Exit code of the workload (the subject\'s process); `null` when it was killed by a signal or stopped by the harness (timeout, deadlock).'),
    signal: z.string().nullable().describe('Terminating signal name (e.g. `SIGSEGV`) when the workload died of one by itself; `null` otherwise, also when the harness killed it.'),
    timedOut: z.boolean().describe("The harness's timeout fired. Stays `false` when the runner stopped a deadlocked workload before the timeout."),
    deadlock: z
      .object({
        atMs: z.number().nonnegative().describe('When the runner concluded it was a deadlock, in ms since the attempt started.'),
        quietMs: z.number().nonnegative().describe('How long every workload thread had been blocked with no CPU and no layer event, in ms.'),
        lastEventAgoMs: z.number().nonnegative().nullable().describe('How long before `atMs` the last layer event was written, in ms; `null` when there was none.'),
      })
      .nullable()
      .describe('Set when the runner saw every workload thread blocked in an untimed futex or lock wait, with no CPU and no layer event, for `quietMs`, and stopped the attempt there. `null` otherwise.'),
    durationMs: z.number().nonnegative().describe('How long the attempt ran, in milliseconds.'),
    stdoutTail: z.string().describe("Last lines of the workload's stdout (bounded)."),
    stderrTail: z.string().describe("Last lines of the workload's stderr (bounded)."),
    report: z.array(WorkloadStepSchema).describe("The workload's own report lines, in order; empty when it wrote none."),
    events: EventSummarySchema.nullable().describe("Summary of the lab's events; `null` when the subject writes none."),
    evidenceSource: z
      .enum(['layer', 'black-box'])
      .default('layer')
      .describe("Whether decide may use the layer's events (`layer`), or must judge from the outside only (`black-box`: exit status, output, /proc), e.g. for a real mirrord release whose layer writes no events. Always written; read as `layer` when absent."),
    stuck: z.array(ProcessSnapshotSchema).describe('Processes alive when the runner stopped the attempt (timeout or deadlock), read from /proc before anything was killed; empty when the workload ended by itself.'),
    notDeadlocked: z.string().optional().describe('At a timeout: why the runner did not call it a deadlock (the first thread that could still move, and how).'),
    intproxyAliveAtEnd: z.boolean().nullable().describe('Whether the intproxy was still running at the end of the attempt (before cleanup); `null` when unknown.'),
    network: z.enum(['isolated', 'host']).describe('`isolated`: own network namespace, loopback only. `host`: could not isolate, see `networkNote`.'),
    networkNote: z.string().optional().describe('Why the run is not network-isolated.'),
    user: z.string().describe('The user the workload ran as (`nobody`, `root`, ...).'),
    harnessError: z.string().optional().describe('Set when the harness or environment failed, or the command could not start: the attempt says nothing about the subject.'),
    cluster: ClusterSideSchema.optional().describe('What the cluster saw, for a subject run against the cluster (a release: `lab@X`, `mirrord@X`, `mirrord-src:...`); absent for `lab-exec@X`.'),
  }),
);
export type Observation = z.infer<typeof ObservationSchema>;

// ---------------------------------------------------------------------------------------------
// Evidence and verdict

const HOOK_EXERCISED = z.object({
  hook: z.string().describe('Hook name.'),
  calls: count().describe('Calls of it.'),
  hooked: count().describe('Calls the layer handled (not bypassed).'),
  remote: count().describe('Calls answered through the intproxy (cluster names, cluster addresses).'),
});

export const EvidenceItemSchema = named(
  'EvidenceItem',
  'One piece of evidence behind a verdict, in structured form: a tagged union on `kind`. Reports print one line per item.',
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('hook-bypassed'),
        hook: z.string().describe('`getaddrinfo`, `socket` or `connect`.'),
        count: count().describe('Calls that went through unhooked.'),
        tids: z.array(z.int()).describe('Native threads they were made on (at most 20).'),
        pids: z.array(z.int()).describe('Processes they were made in (at most 20).'),
        names: z.array(z.string()).optional().describe('Names looked up (`getaddrinfo` only).'),
      })
      .describe('A layer hook let calls through unhooked.'),
    z
      .object({
        kind: z.literal('exec-guard-set'),
        count: count().describe('How many exec-hook entries.'),
        pids: z.array(z.int()).describe('Their pids (at most 20).'),
        paths: z.array(z.string()).describe('What they exec\'d (at most 5).'),
      })
      .describe("exec-hook calls in children that found the DetourGuard already set: the leak's fingerprint."),
    z
      .object({
        kind: z.literal('workload-failure'),
        step: z.string().describe('The failed step (and phase), e.g. `lookup (after)`.'),
        thread: z.string().optional().describe('Ruby thread it ran on.'),
        message: z.string().describe('The error the workload reported.'),
      })
      .describe('A step of the workload\'s own report failed the way a bypass makes it fail.'),
    z
      .object({
        kind: z.literal('stuck-process'),
        pid: z.int().describe('pid as seen by the harness.'),
        comm: z.string().describe('Command name.'),
        state: z.string().describe('/proc state letter.'),
        wchan: z.string().describe('Kernel wait channel.'),
        syscall: z.string().describe('Syscall, with its name when known, e.g. `futex (202)`.'),
        lastEvent: z.string().optional().describe('The last layer event the process wrote.'),
        threads: z
          .array(
            z.object({
              tid: z.int().describe('Native thread id.'),
              state: z.string().describe('/proc state letter.'),
              wchan: z.string().describe('Kernel wait channel.'),
              syscall: z.string().describe('Syscall, as for the process.'),
            }),
          )
          .optional()
          .describe('Where each thread is, for multi-threaded processes.'),
        helper: z.boolean().optional().describe("`true` when this is the subject's helper (the intproxy) or the sandbox's init, not the workload."),
      })
      .describe('A process alive when the runner stopped the attempt, as /proc showed it before anything was killed.'),
    z
      .object({
        kind: z.literal('deadlock'),
        quietMs: z.number().nonnegative().describe('How long nothing moved, in ms.'),
        threads: count().describe('Workload threads blocked in untimed futex or lock waits.'),
        detail: z.string().describe('Where they were blocked, for the reader.'),
      })
      .describe('Every workload thread was blocked in an untimed futex or lock wait, with no CPU and no layer event, for `quietMs`.'),
    z
      .object({
        kind: z.literal('hooks-exercised'),
        hooks: z.array(HOOK_EXERCISED).describe('Per hook that can show the bug and was called.'),
        execEntries: count().describe('exec-hook entries (the calls that can leak the guard).'),
      })
      .describe('The hooks that can show the bug were reached (what makes a PASS a PASS).'),
    z
      .object({
        kind: z.literal('not-exercised'),
        detail: z.string().describe('What was never reached, e.g. no exec went through the exec hook.'),
      })
      .describe('The workload never reached a hook that can show the bug (behind INCONCLUSIVE).'),
    z
      .object({
        kind: z.literal('intproxy'),
        state: z.enum(['running', 'exited', 'vanished', 'never-started']).describe('What became of it.'),
        detail: z.string().describe('One line for the reader, e.g. `intproxy 41 exited (idle) after 1 session`.'),
      })
      .describe('What became of the intproxy.'),
    z
      .object({
        kind: z.literal('exit'),
        code: z.int().nullable().describe('Exit code; `null` when killed or stopped by the harness.'),
        signal: z.string().nullable().describe('Terminating signal; `null` unless the workload died of one.'),
        stderrTail: z.string().optional().describe('The last line of its stderr only.'),
      })
      .describe('How the workload ended.'),
    z
      .object({
        kind: z.literal('network'),
        detail: z.string().describe('Why the run was not isolated.'),
      })
      .describe('The run was not network-isolated.'),
    z
      .object({
        kind: z.literal('cluster-dns'),
        agent: z.string().describe("The agent's pod address the queries came from."),
        queries: count().describe('Queries the cluster DNS got from it.'),
        names: z
          .array(z.object({ name: z.string().describe('Name.'), queries: count().describe('Queries for it.'), answer: z.string().optional().describe('What the cluster DNS answered (the last answer).') }))
          .describe('Per name asked for.'),
      })
      .describe("What the cluster DNS's query log shows of this attempt's agent."),
    z
      .object({
        kind: z.literal('cluster-service'),
        agent: z.string().describe("The agent's pod address the requests came from."),
        requests: count().describe('Requests the service got from it.'),
        targets: z.array(z.string()).describe('The ClusterIPs and ports they came in on.'),
      })
      .describe("What the cluster service's access log shows of this attempt's agent."),
    z
      .object({
        kind: z.literal('agent'),
        address: z.string().describe('`ip:port`.'),
        state: z.enum(['running', 'exited', 'failed']).describe('`running` at the end, `exited` by itself (exit 0), `failed` (non-zero exit or killed).'),
        detail: z.string().describe('One line for the reader.'),
      })
      .describe("What became of the attempt's agent."),
    z
      .object({
        kind: z.literal('harness'),
        message: z.string().describe('What failed.'),
      })
      .describe('The harness or environment failure (or the command that could not start) behind an ERROR.'),
  ]),
);
export type EvidenceItem = z.infer<typeof EvidenceItemSchema>;

export const VerdictSchema = named(
  'Verdict',
  'The decision for one attempt.',
  z.object({
    kind: VerdictKindSchema.describe('The verdict.'),
    summary: z.string().describe('The one line a human reads: what happened and the deciding evidence.'),
    rule: z.string().describe('The rule of harness/verdict/decide.ts that decided it, e.g. `bypass`; the header of decide.ts lists its rules in the order they are tried.'),
    evidence: z.array(EvidenceItemSchema).describe('The evidence behind the verdict, structured.'),
  }),
);
export type Verdict = z.infer<typeof VerdictSchema>;

export const AttemptSchema = named(
  'Attempt',
  'One run of a cell.',
  z.object({
    attempt: z.int().positive().describe('1-based number of the attempt within its cell.'),
    startedAt: z.iso.datetime().describe('When the attempt started (ISO 8601, UTC).'),
    observation: ObservationSchema.describe('Everything the runner saw.'),
    verdict: VerdictSchema.describe('What decide.ts made of the observation.'),
  }),
);
export type Attempt = z.infer<typeof AttemptSchema>;

// ---------------------------------------------------------------------------------------------
// Cells and the file

export const CellResultSchema = named(
  'CellResult',
  'One cell of the matrix: one subject, strategy, scenario, run-as and runner, run `--repeat` times.',
  z
    .object({
      id: z.string().describe('`subject/strategy/scenario/runAs/runner`, with `-` for a null strategy, e.g. `lab@3.112.0/normal/spawn-then-resolve/unprivileged/host`. Always `cellId(key)`.'),
      key: CellKeySchema.describe("The cell's identity."),
      verdict: VerdictKindSchema.describe("The cell's verdict: the attempts' verdict when they all agree, else the most frequent non-PASS verdict among them (ties: the one seen first)."),
      expected: z.array(VerdictKindSchema).describe('Verdicts the expected-verdict table (`scenarios/expectations.ts`) or `--expect` allows for this cell, usually one. Empty means no expectation (e.g. an `--exec` run without `--expect`).'),
      expectedBecause: z.string().describe('Where the expectation came from (the table row\'s reason), for the reader.'),
      matchesExpectation: z
        .boolean()
        .nullable()
        .describe('`true` when every attempt\'s verdict is in `expected`; `false` makes the cell *unexpected* and `matrix` exit 1 (a flaky cell with only some allowed attempts is unexpected, although JUnit reports it as a pass with `<flakyFailure>`, as Surefire does); `null` exactly when `expected` is empty.'),
      flaky: z.boolean().describe('The attempts did not all show the same verdict.'),
      platform: PlatformSchema.describe('Where and on what the cell ran.'),
      attempts: z.array(AttemptSchema).min(1).describe('One per run, in order; never empty.'),
    })
    .superRefine((cell, ctx) => {
      const want = cellId(cell.key);
      if (cell.id !== want) ctx.addIssue({ code: 'custom', path: ['id'], message: `does not match its key (${want})` });
      if ((cell.matchesExpectation === null) !== (cell.expected.length === 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['matchesExpectation'],
          message: '',
          params: { expected: cell.expected.length ? 'true or false (the cell has an expectation)' : 'null (expected is empty: no expectation)' },
        });
      }
    }),
);
export type CellResult = z.infer<typeof CellResultSchema>;

export const ResultsFileSchema = named(
  'ResultsFile',
  'The top level of results.json.',
  z
    .object({
      schema: z.literal(RESULT_SCHEMA).describe('Marks the file as ours.'),
      version: z.literal(RESULT_SCHEMA_VERSION).describe('Schema version, see Versioning.'),
      tool: z
        .object({
          name: z.literal('mirrord-regress').describe('Always `mirrord-regress`.'),
          version: z.string().describe('Its package.json version.'),
        })
        .describe('The tool that wrote the file. `report merge` refuses shards written by different versions.'),
      createdAt: z.iso.datetime().describe('When the file was (last) written, ISO 8601 UTC. For a merged file: when it was merged.'),
      shard: z
        .object({
          index: z.int().positive().describe('1-based shard number, at most `total`.'),
          total: z.int().positive().describe('How many shards the matrix was split into.'),
        })
        .optional()
        .describe('Present when the file holds one shard of a matrix. Absent for unsharded and merged files.'),
      plan: z
        .object({
          cells: z.array(z.string()).describe('Ids of every cell of the matrix that was asked for (all shards), in plan order.'),
        })
        .describe('The matrix that was asked for, so `report merge` can tell when shards are missing.'),
      cells: z.array(CellResultSchema).describe('The cells this file holds, in plan order. A shard file holds only its own cells; an interrupted run only those that finished.'),
    })
    .superRefine((file, ctx) => {
      if (file.shard && file.shard.index > file.shard.total) {
        ctx.addIssue({ code: 'custom', path: ['shard', 'index'], message: '', params: { expected: `at most shard.total (${file.shard.total})` } });
      }
    }),
);
export type ResultsFile = z.infer<typeof ResultsFileSchema>;
