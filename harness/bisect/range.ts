/** Checks a search's candidate list and endpoint indices before any probe runs. */

/** An endpoint as given by the caller: its option name (for the message) and its index. */
export type NamedIndex = readonly [name: string, index: number];

/** Throws a one-line RangeError unless `older` comes strictly before `newer` in a list of unique ids. */
export function checkRange(candidates: readonly string[], older: NamedIndex, newer: NamedIndex): void {
  for (const [name, index] of [older, newer]) {
    if (!Number.isInteger(index) || index < 0 || index >= candidates.length) {
      throw new RangeError(`${name} index ${index} is outside the ${candidates.length} candidates`);
    }
  }
  if (older[1] >= newer[1]) {
    throw new RangeError(`${older[0]} (index ${older[1]}) must come before ${newer[0]} (index ${newer[1]})`);
  }
  // Records name candidates by id, so two candidates with one id could not be told apart.
  const seen = new Set<string>();
  for (const id of candidates) {
    if (seen.has(id)) throw new RangeError(`candidate ${JSON.stringify(id)} is listed twice`);
    seen.add(id);
  }
}
