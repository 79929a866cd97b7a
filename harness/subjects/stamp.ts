/**
 * Stamps a lab binary: each of the lab's three artifacts carries one 128-byte static that starts with
 * the magic below (lab/stamp); publishing writes `key=value;...` into its 110 value bytes, so one build
 * becomes three releases and their strategy variants without rebuilding. An unstamped build behaves as
 * the environment says (`mirrord-lab exec`), a stamped one as the release it is.
 */
import { EnvironmentError } from '../cli/errors.ts';

export const STAMP_MAGIC = Buffer.from('MIRRORD_LAB_STAMP:');
export const STAMP_VALUE_BYTES = 110;

/** A copy of `binary` with `fields` in its stamp; refuses a binary without exactly one stamp. */
export function stamped(binary: Buffer, fields: Record<string, string>, what: string): Buffer {
  const at = binary.indexOf(STAMP_MAGIC);
  if (at < 0 || binary.indexOf(STAMP_MAGIC, at + 1) >= 0) {
    throw new EnvironmentError(`${what} has ${at < 0 ? 'no' : 'more than one'} lab stamp: it is not a lab build of this version (rebuild with \`npx mirrord-regress lab build\`)`, 'BAD_LAB_BUILD');
  }
  const value = Buffer.from(Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(';'));
  if (value.length > STAMP_VALUE_BYTES) throw new Error(`stamp too long: ${value.toString()}`);
  const out = Buffer.from(binary);
  out.fill(0, at + STAMP_MAGIC.length, at + STAMP_MAGIC.length + STAMP_VALUE_BYTES);
  value.copy(out, at + STAMP_MAGIC.length);
  return out;
}

/** The fields a binary is stamped with; empty for an unstamped build. */
export function readStamp(binary: Buffer): Record<string, string> {
  const at = binary.indexOf(STAMP_MAGIC);
  if (at < 0) return {};
  const raw = binary.subarray(at + STAMP_MAGIC.length, at + STAMP_MAGIC.length + STAMP_VALUE_BYTES);
  const text = raw.subarray(0, raw.indexOf(0) < 0 ? raw.length : raw.indexOf(0)).toString();
  return Object.fromEntries(text.split(';').filter(Boolean).map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
}
