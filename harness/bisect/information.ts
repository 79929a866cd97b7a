/**
 * Expected information gain (bits) about the culprit from one more probe at each position:
 * I(C; Y_i) = H(Y_i) - E_c[H(Y_i | c)], where Y_i is 'bad' with probability detection[c] if
 * c <= i and never otherwise. Prefix sums make all positions O(n) together.
 */
import type { Posterior } from './posterior.ts';

function entropy(q: number): number {
  if (q <= 0 || q >= 1) return 0;
  return -(q * Math.log2(q) + (1 - q) * Math.log2(1 - q));
}

export function expectedGains(posterior: Posterior): number[] {
  const gains: number[] = [];
  let pBad = 0;
  let conditional = 0;
  posterior.mass.forEach((mass, c) => {
    const q = posterior.detection[c]!;
    pBad += mass * q;
    conditional += mass * entropy(q);
    gains.push(Math.max(0, entropy(Math.min(1, pBad)) - conditional));
  });
  return gains;
}
