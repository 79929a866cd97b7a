/** The model's verdict helpers, and the schema agreeing with what the harness builds. */
import { describe, expect, it } from 'vitest';
import {
  AttemptSchema,
  BUG_VERDICTS,
  ObservationSchema,
  ProcessSnapshotSchema,
  ResultsFileSchema,
  VERDICT_KINDS,
  WorkloadStepSchema,
  exitCodeFor,
  isBugVerdict,
  type VerdictKind,
} from '../../harness/model/result.ts';
import { attempt, observation, observationFor, upstreamMatrix } from '../fixtures/results.ts';

describe('verdict kinds', () => {
  it('are the nine kinds, in the order reports and decide.ts rely on', () => {
    expect(VERDICT_KINDS).toEqual(['PASS', 'BYPASSED', 'HANG', 'VANISHED', 'CRASH', 'FAIL', 'INCONCLUSIVE', 'TIMEOUT', 'ERROR']);
  });

  it('only BYPASSED, HANG and VANISHED are the bug', () => {
    expect(BUG_VERDICTS).toEqual(['BYPASSED', 'HANG', 'VANISHED']);
    expect(VERDICT_KINDS.filter(isBugVerdict)).toEqual(['BYPASSED', 'HANG', 'VANISHED']);
  });

  it('exit codes follow `git bisect run`: 0 good, 1 bad, 125 skip for everything that cannot judge', () => {
    const codes = Object.fromEntries(VERDICT_KINDS.map((k) => [k, exitCodeFor(k)]));
    expect(codes).toEqual({ PASS: 0, BYPASSED: 1, HANG: 1, VANISHED: 1, CRASH: 125, FAIL: 125, INCONCLUSIVE: 125, TIMEOUT: 125, ERROR: 125 });
  });
});

describe('the schema and the objects the harness builds', () => {
  it.each(VERDICT_KINDS.map((k) => [k] as [VerdictKind]))('a %s attempt from the fixtures is valid and parses to itself', (kind) => {
    const a = attempt(kind);
    expect(AttemptSchema.parse(a)).toEqual(a);
  });

  it('a whole matrix round-trips through the schema unchanged', () => {
    const file = upstreamMatrix({ 'lab@3.112.0/normal/spawn-then-resolve/unprivileged/host': ['BYPASSED', 'TIMEOUT'] });
    expect(ResultsFileSchema.parse(JSON.parse(JSON.stringify(file)))).toEqual(file);
  });

  it('evidenceSource reads as `layer` when an observation does not say', () => {
    const { evidenceSource: _, ...old } = observation();
    expect(ObservationSchema.parse(old).evidenceSource).toBe('layer');
    expect(ObservationSchema.parse(observation({ evidenceSource: 'black-box' })).evidenceSource).toBe('black-box');
  });

  it('deadlock is required, null or the full record', () => {
    const { deadlock: _, ...without } = observation();
    expect(ObservationSchema.safeParse(without).success).toBe(false);
    expect(ObservationSchema.safeParse(observationFor('HANG')).success).toBe(true);
    expect(ObservationSchema.safeParse(observation({ deadlock: { atMs: 10, quietMs: 5 } as never })).success).toBe(false);
  });

  it("a thread's state is required, its CPU and wait kind are not", () => {
    const snap = { pid: 9, nsPid: 3, ppid: 1, comm: 'ruby', state: 'S', wchan: '', syscall: '202', cmdline: 'ruby', threads: [{ tid: 9, comm: 'ruby', wchan: '', syscall: '202' }] };
    expect(ProcessSnapshotSchema.safeParse(snap).success).toBe(false);
    snap.threads[0] = { ...snap.threads[0]!, state: 'S' } as (typeof snap.threads)[0];
    expect(ProcessSnapshotSchema.safeParse(snap).success).toBe(true);
  });

  it("keeps the workload's own extra fields, and drops unknown ones elsewhere (a newer writer's optional fields)", () => {
    expect(WorkloadStepSchema.parse({ step: 'http', ok: true, url: 'http://x', status: 200 })).toEqual({ step: 'http', ok: true, url: 'http://x', status: 200 });
    expect(ObservationSchema.parse({ ...observation(), fromTheFuture: 1 })).not.toHaveProperty('fromTheFuture');
  });
});
