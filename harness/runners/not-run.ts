/** The Observation of an attempt whose workload never ran (no sandbox, no container, no agent): an ERROR. */
import type { Observation } from '../model/result.ts';

export function notRun(message: string, opts: { user: string; evidenceSource?: 'layer' | 'black-box'; network?: Observation['network'] }): Observation {
  return {
    exitCode: null, signal: null, timedOut: false, deadlock: null, durationMs: 0, stdoutTail: '', stderrTail: '', report: [], events: null,
    evidenceSource: opts.evidenceSource ?? 'layer', stuck: [], intproxyAliveAtEnd: null, network: opts.network ?? 'isolated', user: opts.user, harnessError: message,
  };
}
