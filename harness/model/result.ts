/**
 * The result model: what a run observed, what was decided, and why. Every report reads this and
 * nothing else; reports never re-run anything. Versioned: bump RESULT_SCHEMA_VERSION on any change
 * that an older reader would misread.
 */

export const RESULT_SCHEMA = 'mirrord-regress/results';
export const RESULT_SCHEMA_VERSION = 1;

/** Outcome of one attempt, decided by harness/verdict/decide.ts from an Observation alone. */
export type VerdictKind = 'PASS' | 'BYPASSED' | 'HANG' | 'VANISHED' | 'CRASH' | 'ERROR';
export const VERDICT_KINDS: readonly VerdictKind[] = ['PASS', 'BYPASSED', 'HANG', 'VANISHED', 'CRASH', 'ERROR'];

/** How the 3.112.0 exec hook holds its DetourGuard (the upstream experiments). */
export type Strategy = 'none' | 'normal' | 'forget';
export const STRATEGIES: readonly Strategy[] = ['none', 'normal', 'forget'];

/** Who the workload runs as. Ruby only vforks when unprivileged; `root` is the control. */
export type RunAs = 'unprivileged' | 'root';

/** Where and on what a cell ran. */
export interface Platform {
  /** `process.platform` of the machine running the workload (`linux`, `darwin`). */
  os: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  /** Kernel release (`uname -r`). */
  kernel: string;
  /** Runner that executed the workload: `host` or `docker`. */
  runner: string;
  /** `RUBY_VERSION` seen by the workload, when known (e.g. `3.1.2`). */
  ruby?: string;
  /** Container image, for the docker runner. */
  image?: string;
}

/** One hook's tally over a run, from the lab's events. The id lists are capped at 20 entries. */
export interface HookTally {
  calls: number;
  bypassed: number;
  /** Native thread ids (tids) on which the hook was bypassed. */
  bypassedTids: number[];
  /** Process ids in which the hook was bypassed. */
  bypassedPids: number[];
  /** Names looked up while bypassed (getaddrinfo only). */
  bypassedNames?: string[];
}

/** What the lab's events file (MIRRORD_LAB_EVENTS) showed. Absent for subjects that write none. */
export interface EventSummary {
  /** Lines read; malformed lines are counted, not fatal. */
  lines: number;
  malformed: number;
  /** Layer loads (process images that had the layer). */
  layerInits: number;
  /** Per hook name (`getaddrinfo`, `socket`, `connect`, `execv`, `execve`, `freeaddrinfo`). */
  hooks: Record<string, HookTally>;
  /** exec-hook calls made with the DetourGuard flag already set (the leak's fingerprint). */
  execGuardSet: { count: number; pids: number[]; paths: string[] };
  /** exec-hook calls made from a child that had not exec'd yet (fork or vfork child). */
  execInChild: number;
  intproxy: {
    /** pid from its `listening` event, when seen. */
    pid?: number;
    sessionsOpened: number;
    sessionsClosed: number;
    /** `exit` event reason (`idle`, `no_session`), when it exited by itself. */
    exitReason?: string;
  };
  /** Layer `fatal` events (lost intproxy session, ...). */
  fatal: string[];
  /** The last layer event of each pid that wrote any (where a process stopped). */
  lastEventByPid: Record<string, string>;
}

/** One line of the workload's own report (MIRRORD_REGRESS_REPORT), as written by scenarios/ruby/lib. */
export interface WorkloadStep {
  step: string;
  ok: boolean;
  thread?: string;
  tid?: number;
  host?: string;
  phase?: string;
  error?: string;
  message?: string;
  [field: string]: unknown;
}

/** A live process at a timeout, read from /proc before anything was killed. */
export interface ProcessSnapshot {
  /** pid as seen by the harness. */
  pid: number;
  /** pid inside the run's PID namespace (what the lab's events record); equals pid when not namespaced. */
  nsPid: number;
  ppid: number;
  comm: string;
  /** /proc/<pid>/stat state letter (S, D, R, T, Z). */
  state: string;
  /** /proc/<pid>/wchan: the kernel function it sleeps in. */
  wchan: string;
  /** Syscall number from /proc/<pid>/syscall (`running` when not in one), with its name when known. */
  syscall: string;
  syscallName?: string;
  /** Per-thread view when the process has more than one thread. */
  threads?: { tid: number; comm: string; wchan: string; syscall: string; syscallName?: string }[];
  cmdline: string;
}

/** Everything a runner saw of one attempt. Decisions are made from this, never during the run. */
export interface Observation {
  /** Exit code of the workload (the subject's process), `null` when killed by a signal or timed out. */
  exitCode: number | null;
  /** Terminating signal name (e.g. `SIGKILL`) when the workload died of one. */
  signal: string | null;
  /** Whether the harness's timeout fired. */
  timedOut: boolean;
  durationMs: number;
  /** Last lines of the workload's stdout and stderr (bounded). */
  stdoutTail: string;
  stderrTail: string;
  /** The workload's own report lines, in order. */
  report: WorkloadStep[];
  /** Summary of the lab's events, or `null` when the subject writes none. */
  events: EventSummary | null;
  /** Processes alive at the timeout (empty unless timedOut). */
  stuck: ProcessSnapshot[];
  /** Whether the intproxy was still running at the end of the attempt (before cleanup). */
  intproxyAliveAtEnd: boolean | null;
  /** `isolated` (own network namespace, loopback only) or `host` (could not isolate; see networkNote). */
  network: 'isolated' | 'host';
  networkNote?: string;
  /** The user the workload ran as (`nobody`, `root`, ...). */
  user: string;
  /** Set when the harness or environment failed: the attempt says nothing about the subject. */
  harnessError?: string;
}

/** One piece of evidence behind a verdict, in structured form. */
export type EvidenceItem =
  | { kind: 'hook-bypassed'; hook: string; count: number; tids: number[]; pids: number[]; names?: string[] }
  | { kind: 'exec-guard-set'; count: number; pids: number[]; paths: string[] }
  | { kind: 'workload-failure'; step: string; thread?: string; message: string }
  | { kind: 'stuck-process'; pid: number; comm: string; state: string; wchan: string; syscall: string; lastEvent?: string }
  | { kind: 'intproxy'; state: 'running' | 'exited' | 'vanished' | 'never-started'; detail: string }
  /** `stderrTail` holds the last line of stderr only. */
  | { kind: 'exit'; code: number | null; signal: string | null; stderrTail?: string }
  | { kind: 'network'; detail: string }
  | { kind: 'harness'; message: string };

/** The decision for one attempt. `summary` is the one line a human reads. */
export interface Verdict {
  kind: VerdictKind;
  /** One line: what happened and the deciding evidence. */
  summary: string;
  /** The rule in harness/verdict/decide.ts that decided it (e.g. `bypass-evidence`). */
  rule: string;
  evidence: EvidenceItem[];
}

export interface Attempt {
  /** 1-based. */
  attempt: number;
  startedAt: string;
  observation: Observation;
  verdict: Verdict;
}

/** Identity of a cell of the matrix. */
export interface CellKey {
  /** e.g. `lab@3.112.0`. */
  subject: string;
  /** `null` when the subject has no guard strategy to choose. */
  strategy: Strategy | null;
  /** Scenario id, e.g. `spawn-then-resolve`. */
  scenario: string;
  runAs: RunAs;
  runner: string;
}

export interface CellResult {
  /** Stable id: `subject/strategy|-/scenario/runAs/runner`. */
  id: string;
  key: CellKey;
  /** Verdicts the expectation table allows for this cell (usually one). */
  expected: VerdictKind[];
  /** Where the expectation came from (the table row), for the reader. */
  expectedBecause: string;
  attempts: Attempt[];
  /** The cell's verdict: the attempts' verdict when they agree, else the most frequent non-PASS one. */
  verdict: VerdictKind;
  /** Attempts disagreed. */
  flaky: boolean;
  /**
   * Every attempt's verdict is in `expected`. A flaky cell with some matching attempts is not a
   * match (the matrix exits 1), although JUnit reports it as a pass with <flakyFailure>, as Surefire does.
   */
  matchesExpectation: boolean;
  platform: Platform;
}

export interface ResultsFile {
  schema: typeof RESULT_SCHEMA;
  version: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'mirrord-regress'; version: string };
  createdAt: string;
  /** Present when this file holds one shard of a matrix: 1 <= index <= total. */
  shard?: { index: number; total: number };
  /** The matrix that was asked for (so merge can tell when shards are missing). */
  plan: { cells: string[] };
  cells: CellResult[];
}

export function cellId(key: CellKey): string {
  return [key.subject, key.strategy ?? '-', key.scenario, key.runAs, key.runner].join('/');
}
