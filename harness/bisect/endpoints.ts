/** The typed failure both searches return when an endpoint does not hold (the CLI exits 2 on it). */
import type { ProbeOutcome, ProbeRecord } from './outcome.ts';

export interface EndpointsFailure {
  kind: 'endpoints';
  /** Which endpoint did not hold, by the caller's name for it. */
  endpoint: 'good' | 'bad';
  candidate: string;
  /** What it showed instead; `skip` when it could not be probed. */
  observed: ProbeOutcome;
  /** One line for the user. */
  message: string;
  /** Probes run in this session before giving up. */
  probes: ProbeRecord[];
}

export function endpointsFailure(
  endpoint: 'good' | 'bad',
  candidate: string,
  observed: ProbeOutcome,
  probes: readonly ProbeRecord[],
  message = defaultMessage(endpoint, candidate, observed),
): EndpointsFailure {
  return { kind: 'endpoints', endpoint, candidate, observed, message, probes: [...probes] };
}

function defaultMessage(endpoint: 'good' | 'bad', candidate: string, observed: ProbeOutcome): string {
  if (observed === 'skip') return `known-${endpoint} ${candidate} could not be probed (skip), so the range cannot be checked`;
  return `known-${endpoint} ${candidate} probed ${observed}: it is not a ${endpoint} endpoint`;
}
