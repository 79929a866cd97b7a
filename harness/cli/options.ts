/**
 * Parsers for option values; each throws a one-line UsageError. Numbers are plain decimal digits
 * within stated limits (`1e3`, ` 2`, `2.0`, `0x10` and `` are refused, never reinterpreted), and a
 * list option given an empty value is refused rather than silently changing the run.
 */
import { STRATEGIES, type RunAs, type Strategy } from '../model/result.ts';
import { UsageError } from './errors.ts';

/** Upper limits of the integer options, also shown in --help. */
export const LIMITS = {
  repeat: 1000,
  jobs: 64,
  /** An hour, as `run --timeout`; setTimeout could not wait past 2^31-1 ms anyway. */
  timeoutMs: 3_600_000,
} as const;

/** Below this, `--timeout` is almost surely seconds typed as milliseconds. */
export const TIMEOUT_FLOOR_MS = 1000;

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${name} must be ${range} in plain digits, got "${text}"`, 'BAD_NUMBER');
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${name} must be ${range}, got ${text}`, 'BAD_NUMBER');
  return n;
}

/** `1..max` in plain decimal digits. */
export function positiveInt(name: string, max: number = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => wholeNumber(name, text, 1, max);
}

/** Milliseconds, TIMEOUT_FLOOR_MS..LIMITS.timeoutMs. */
export function timeoutMs(name: string) {
  return (text: string): number => wholeNumber(name, text, TIMEOUT_FLOOR_MS, LIMITS.timeoutMs);
}

/** A probability strictly between 0 and 1, written as a plain decimal fraction (0.99, .9). */
export function fraction(name: string, example: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^0?\.[0-9]+$/.test(text) || !(n > 0 && n < 1)) throw new UsageError(`${name} must be between 0 and 1 as a plain decimal (e.g. ${example}), got "${text}"`, 'BAD_NUMBER');
    return n;
  };
}

/** A path or command: anything but empty (an empty --out would mean the current directory). */
export function nonEmpty(name: string, what: string) {
  return (text: string): string => {
    if (text.trim() === '') throw new UsageError(`${name} is empty: give ${what}`, 'EMPTY_OPTION');
    return text;
  };
}

/** Comma-separated, at least one item, no empty item, no item twice. */
export function nonEmptyList(name: string, what: string) {
  return (text: string): string[] => {
    const items = text.split(',').map((s) => s.trim());
    if (items.every((s) => s === '')) throw new UsageError(`${name} is empty: give at least one ${what}`, 'EMPTY_OPTION');
    if (items.includes('')) throw new UsageError(`${name} "${text}" has an empty item: separate items with single commas`, 'EMPTY_OPTION');
    const twice = items.find((s, i) => items.indexOf(s) !== i);
    if (twice !== undefined) throw new UsageError(`${name} names "${twice}" twice`, 'DUPLICATE_ITEM');
    return items;
  };
}

export function strategy(text: string): Strategy {
  if (!(STRATEGIES as readonly string[]).includes(text)) {
    throw new UsageError(`unknown strategy "${text}"; choose one of ${STRATEGIES.join(', ')}`, 'UNKNOWN_STRATEGY');
  }
  return text as Strategy;
}

const strategyItems = nonEmptyList('--strategies', `strategy (${STRATEGIES.join(', ')})`);

export function strategyList(text: string): Strategy[] {
  return strategyItems(text).map(strategy);
}

export function runAs(text: string): RunAs {
  if (text !== 'unprivileged' && text !== 'root') throw new UsageError(`--as must be unprivileged or root, got "${text}"`);
  return text;
}

/** Lenient split (empty items dropped); prefer nonEmptyList for options. */
export function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
