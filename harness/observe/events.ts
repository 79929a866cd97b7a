/**
 * Summarises the lab's events file (JSON lines from the layer and the intproxy) into the
 * EventSummary of the result model: per-hook tallies with the threads that were bypassed, exec-hook
 * entries that found the guard already set, and the intproxy's sessions and exit.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { EventSummary, HookTally } from '../model/result.ts';

/** DNS hooks: mirrord 3.112.0 hooks the gethostbyname family as well as getaddrinfo. */
export const DNS_HOOKS = ['getaddrinfo', 'gethostbyname', 'gethostbyname2', 'gethostbyname_r', 'gethostbyname2_r'] as const;
/** Hooks whose bypass means the app escaped the layer: the ones that can show the bug. */
export const GUARDED_HOOKS = [...DNS_HOOKS, 'socket', 'connect'] as const;
const NAMED_HOOKS = new Set<string>(DNS_HOOKS);
/** macOS's layer hooks `posix_spawn` where Linux's hooks `execv`. */
const EXEC_HOOKS = new Set(['execv', 'execve', 'posix_spawn']);

/** One line of the events file, as lab/layer/src/events.rs and lab/cli/src/intproxy.rs write it. */
export interface LabEvent {
  src: 'layer' | 'intproxy' | 'cli';
  /** layer: `init`, `hook`, `fatal`; intproxy: `listening`, `session_open`, `session_close`, `dns`, `http`, `abort`, `exit`; cli: `exec_failed`. */
  event: string;
  hook?: string;
  pid: number;
  tid?: number;
  /** pid of the image that loaded the layer; differs from pid in a (v)fork child before exec. */
  init_pid?: number;
  bypassed?: boolean;
  guard_was_set?: boolean;
  /** false when the profile does not hook this function (3.111.0 exec, or exec hooks switched off). */
  installed?: boolean;
  name?: string;
  remote?: boolean;
  path?: string;
  reason?: string;
  error?: string;
  t_ns: number;
  [field: string]: unknown;
}

type RawEvent = Partial<LabEvent>;

function tally(summary: EventSummary, hook: string): HookTally {
  summary.hooks[hook] ??= { calls: 0, bypassed: 0, remote: 0, bypassedTids: [], bypassedPids: [] };
  return summary.hooks[hook];
}

function addUnique<T>(list: T[], value: T | undefined, max = 20): void {
  if (value !== undefined && !list.includes(value) && list.length < max) list.push(value);
}

export function emptySummary(): EventSummary {
  return {
    lines: 0,
    malformed: 0,
    layerInits: 0,
    hooks: {},
    execGuardSet: { count: 0, pids: [], paths: [] },
    execInChild: 0,
    intproxy: { sessionsOpened: 0, sessionsClosed: 0 },
    fatal: [],
    lastEventByPid: {},
  };
}

export function summarizeEvents(text: string): EventSummary {
  const summary = emptySummary();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    summary.lines++;
    let e: RawEvent;
    try {
      e = JSON.parse(line) as RawEvent;
    } catch {
      summary.malformed++;
      continue;
    }
    if (e.src === 'intproxy') {
      if (e.event === 'listening') summary.intproxy.pid = e.pid;
      if (e.event === 'session_open') summary.intproxy.sessionsOpened++;
      if (e.event === 'session_close') summary.intproxy.sessionsClosed++;
      if (e.event === 'exit') summary.intproxy.exitReason = e.reason ?? 'unknown';
      continue;
    }
    if (e.src !== 'layer') continue;
    if (e.pid !== undefined) summary.lastEventByPid[String(e.pid)] = e.event === 'hook' ? `hook ${e.hook}` : String(e.event);
    if (e.event === 'init') summary.layerInits++;
    if (e.event === 'fatal') summary.fatal.push(e.error ?? 'fatal');
    if (e.event !== 'hook' || !e.hook) continue;
    // A profile that does not hook this function (3.111.0's exec) only reports that it let it pass.
    if (e.installed === false) continue;
    const t = tally(summary, e.hook);
    t.calls++;
    if (e.remote === true) t.remote = (t.remote ?? 0) + 1;
    if (e.bypassed) {
      t.bypassed++;
      addUnique(t.bypassedTids, e.tid);
      addUnique(t.bypassedPids, e.pid);
      if (NAMED_HOOKS.has(e.hook)) addUnique((t.bypassedNames ??= []), e.name);
    }
    if (EXEC_HOOKS.has(e.hook)) {
      if (e.init_pid !== undefined && e.pid !== e.init_pid) summary.execInChild++;
      if (e.guard_was_set) {
        summary.execGuardSet.count++;
        addUnique(summary.execGuardSet.pids, e.pid);
        addUnique(summary.execGuardSet.paths, e.path, 5);
      }
    }
  }
  return summary;
}

/** Reads and summarises an events file; `null` when the subject wrote none. */
export function readEvents(path: string): EventSummary | null {
  if (!existsSync(path)) return null;
  return summarizeEvents(readFileSync(path, 'utf8'));
}
