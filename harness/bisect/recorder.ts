/** Runs probes and turns each answer into a ProbeRecord, numbering attempts across sessions. */
import { PROBE_OUTCOMES, type Probe, type ProbeRecord } from './outcome.ts';

export interface RecorderOptions {
  probe: Probe;
  /** Records from earlier sessions: only used to continue the attempt numbering. */
  priors: readonly ProbeRecord[];
  /** Called with each new record as soon as it exists (e.g. `appendProbe`), before the search goes on. */
  onRecord?: (record: ProbeRecord) => void;
  /** Clock for `t`; injectable so tests get stable records. Never affects a decision. */
  now?: () => Date;
}

export interface Recorder {
  /** Probes one candidate and returns (and keeps) its record. */
  run(candidate: string): Promise<ProbeRecord>;
  /** Records made by this recorder, oldest first. */
  readonly records: readonly ProbeRecord[];
}

export function createRecorder(options: RecorderOptions): Recorder {
  const attempts = new Map<string, number>();
  for (const r of options.priors) attempts.set(r.candidate, Math.max(attempts.get(r.candidate) ?? 0, r.attempt));
  const records: ProbeRecord[] = [];
  return {
    records,
    async run(candidate) {
      const said = await options.probe(candidate);
      const { outcome, verdict } = typeof said === 'string' ? { outcome: said, verdict: null } : said;
      // The callback is another engineer's code: refuse nonsense rather than bisect on it.
      if (!PROBE_OUTCOMES.includes(outcome)) throw new TypeError(`probe of ${candidate} returned ${JSON.stringify(outcome)}`);
      const attempt = (attempts.get(candidate) ?? 0) + 1;
      attempts.set(candidate, attempt);
      const record: ProbeRecord = { candidate, outcome, verdict, attempt, t: (options.now?.() ?? new Date()).toISOString() };
      records.push(record);
      options.onRecord?.(record);
      return record;
    },
  };
}
