/** Parsers for option values; each throws a one-line UsageError. */
import { STRATEGIES, type RunAs, type Strategy } from '../model/result.ts';
import { UsageError } from './errors.ts';

export function positiveInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${text}"`);
    return n;
  };
}

export function strategy(text: string): Strategy {
  if (!(STRATEGIES as readonly string[]).includes(text)) {
    throw new UsageError(`unknown strategy "${text}"; choose one of ${STRATEGIES.join(', ')}`, 'UNKNOWN_STRATEGY');
  }
  return text as Strategy;
}

export function strategyList(text: string): Strategy[] {
  return list(text).map(strategy);
}

export function runAs(text: string): RunAs {
  if (text !== 'unprivileged' && text !== 'root') throw new UsageError(`--as must be unprivileged or root, got "${text}"`);
  return text;
}

export function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
