/**
 * The bisect state file: JSON lines, one ProbeRecord per probe, only ever appended. A crash
 * mid-write can leave a torn last line; loading ignores it and the next append cuts it off
 * first, so the file never holds a broken line in the middle. Resume = pass loadProbes() as priors.
 */
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, truncateSync } from 'node:fs';
import { VERDICT_KINDS, type VerdictKind } from '../model/result.ts';
import { UsageError } from '../cli/errors.ts';
import { guardFs } from '../cli/fs-errors.ts';
import { PROBE_OUTCOMES, type ProbeOutcome, type ProbeRecord } from './outcome.ts';

/** Every complete record in the file, in order; none when the file does not exist yet. */
export function loadProbes(path: string): ProbeRecord[] {
  if (!existsSync(path)) return [];
  const lines = guardFs({ path, action: 'read' }, () => readFileSync(path, 'utf8')).split('\n');
  // The text after the last newline: '' for an intact file, else a write cut short.
  lines.pop();
  const records: ProbeRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') records.push(parseRecord(line, `${path}:${i + 1}`));
  });
  return records;
}

/** Appends one record as one complete line (one appendFileSync call). */
export function appendProbe(path: string, record: ProbeRecord): void {
  guardFs({ path, action: 'write', option: '--out' }, () => {
    cutTornTail(path);
    appendFileSync(path, `${JSON.stringify(record)}\n`);
  });
}

// Without this, the next line would be glued onto the torn one and both would be lost.
function cutTornTail(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
  } finally {
    closeSync(fd);
  }
  const bytes = readFileSync(path);
  truncateSync(path, bytes.lastIndexOf(0x0a) + 1);
}

function parseRecord(line: string, where: string): ProbeRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UsageError(`${where}: not JSON; the bisect state file is damaged beyond a torn last line: remove that line to resume without it, or start a new session`, 'BAD_STATE');
  }
  const r = value as Partial<Record<keyof ProbeRecord, unknown>> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.candidate === 'string' &&
    PROBE_OUTCOMES.includes(r.outcome as ProbeOutcome) &&
    (r.verdict === null || VERDICT_KINDS.includes(r.verdict as VerdictKind)) &&
    Number.isInteger(r.attempt) &&
    typeof r.t === 'string';
  if (!ok) throw new UsageError(`${where}: not a probe record (${line.slice(0, 80)}): remove that line to resume without it, or start a new session`, 'BAD_STATE');
  return value as ProbeRecord;
}
