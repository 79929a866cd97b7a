/** ln B(a, b), for the Beta-Binomial likelihood of a detection rate the search never knows. */

// Lanczos coefficients (g = 7, n = 9): about 15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS_HEAD = 0.99999999999980993;
const LANCZOS_TAIL = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  // Reflection keeps the approximation in the range where it is accurate.
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS_HEAD;
  LANCZOS_TAIL.forEach((c, i) => {
    sum += c / (z + i + 1);
  });
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
