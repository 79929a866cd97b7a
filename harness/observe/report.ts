/** Reads the workload's own JSON-lines report (MIRRORD_REGRESS_REPORT); torn lines are skipped. */
import { existsSync, readFileSync } from 'node:fs';
import type { WorkloadStep } from '../model/result.ts';

export function parseReport(text: string): WorkloadStep[] {
  const steps: WorkloadStep[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && typeof (value as WorkloadStep).step === 'string') {
        steps.push(value as WorkloadStep);
      }
    } catch {
      // A workload killed mid-write leaves a torn last line; the rest still counts.
    }
  }
  return steps;
}

export function readReport(path: string): WorkloadStep[] {
  return existsSync(path) ? parseReport(readFileSync(path, 'utf8')) : [];
}

/** The Ruby version the workload reported, if any. */
export function rubyVersionOf(steps: WorkloadStep[]): string | undefined {
  const v = steps.find((s) => typeof s.ruby === 'string')?.ruby;
  return typeof v === 'string' ? v : undefined;
}
