// Summaries over seeds: means with Student-t 95% intervals, and paired comparisons of two arms that
// share a seed (same initialisation, data and test sets), so per-seed noise cancels in the difference.
import { exp, log } from "../math/portable.js";

export interface Interval {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); NaN for n < 2. */
  sd: number;
  /** Bounds of the two-sided 95% t-interval for the mean; NaN for n < 2. */
  lo: number;
  hi: number;
}

export interface Paired extends Interval {
  /** Seeds where the first value exceeds the second. */
  wins: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function sampleSd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return Math.sqrt(s / (n - 1));
}

/** Mean and 95% t-interval of independent values. */
export function tInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  const m = mean(values);
  const sd = sampleSd(values);
  if (n < 2) return { n, mean: m, sd, lo: NaN, hi: NaN };
  const half = tQuantile(0.5 + level / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, lo: m - half, hi: m + half };
}

/**
 * The interval cut to the range the quantity can take (an accuracy or a purity lies in [0, 1]): the
 * t-interval is symmetric about the mean and, near an end of the range, spills past it.
 */
export function withinRange(i: Interval, range: readonly [number, number]): Interval {
  return { ...i, lo: Math.max(i.lo, range[0]), hi: Math.min(i.hi, range[1]) };
}

/** t-interval of the per-seed differences a_i - b_i. */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): Paired {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} values against ${b.length}`);
  const d = a.map((x, i) => x - b[i]);
  return { ...tInterval(d, level), wins: d.filter((x) => x > 0).length };
}

/** Quantile of Student's t distribution with df degrees of freedom, for p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`tQuantile: df must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  // The CDF is monotone: bisection to full double precision is simple and robust for every df.
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** P(T <= t) for Student's t with df degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b), by the continued fraction of Numerical Recipes (betacf) on the side where it converges fast. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  // Γ(x) = Γ(x + 1) / x moves small arguments into the Lanczos range without the reflection
  // formula's sine (engine-dependent, see src/math/portable.ts).
  if (x < 0.5) return logGamma(x + 1) - log(x);
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let s = c[0];
  for (let i = 1; i < g + 2; i++) s += c[i] / (x + i);
  const t = x + g + 0.5;
  return 0.5 * log(2 * Math.PI) + (x + 0.5) * log(t) - t + log(s);
}
