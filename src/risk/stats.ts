/**
 * Sample statistics used across the risk modules: moments (mean, standard deviation with a
 * chosen ddof, skewness, excess kurtosis) and the empirical quantile convention.
 *
 * Moments use the population (biased, "g1"/"g2") definitions for skewness and kurtosis:
 *   skew = m3 / m2^{3/2},  excess kurtosis = m4 / m2^2 - 3,  m_k = (1/n) sum (x - mean)^k,
 * which is what the Cornish-Fisher expansion is written with. Variance uses `ddof` (default 1).
 */
import { expectAllFinite, expectFloat64 } from './check.js';

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Variance with `ddof` degrees of freedom removed (1 = sample variance). Two-pass, stable. */
export function variance(x: ArrayLike<number>, ddof = 1): number {
  const n = x.length;
  if (n - ddof <= 0) throw new RangeError(`variance: need more than ddof = ${ddof} observations, got ${n}`);
  const m = mean(x);
  let s = 0, c = 0;
  for (let i = 0; i < n; i++) { const d = x[i]! - m; s += d * d; c += d; }
  return (s - (c * c) / n) / (n - ddof);
}

export function stdev(x: ArrayLike<number>, ddof = 1): number {
  return Math.sqrt(variance(x, ddof));
}

export interface Moments {
  n: number;
  mean: number;
  /** Standard deviation with ddof = 1. */
  sd: number;
  /** Population skewness m3 / m2^1.5. */
  skewness: number;
  /** Population excess kurtosis m4 / m2^2 - 3. */
  excessKurtosis: number;
}

/** Mean, sd (ddof 1), skewness and excess kurtosis of a finite sample (n >= 2). */
export function moments(x: Float64Array): Moments {
  expectFloat64('moments', 'x', x);
  expectAllFinite('moments', 'x', x);
  const n = x.length;
  if (n < 2) throw new RangeError(`moments: x must have at least 2 observations, got ${n}`);
  const m = mean(x);
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - m, d2 = d * d;
    m2 += d2; m3 += d2 * d; m4 += d2 * d2;
  }
  m2 /= n; m3 /= n; m4 /= n;
  return {
    n,
    mean: m,
    sd: Math.sqrt((m2 * n) / (n - 1)),
    skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0,
    excessKurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : 0,
  };
}

/** Ascending sorted copy (NaN refused). */
export function sortedCopy(fn: string, name: string, x: Float64Array): Float64Array {
  expectFloat64(fn, name, x);
  expectAllFinite(fn, name, x);
  return Float64Array.from(x).sort();
}

/**
 * Empirical quantile of an ascending sorted sample by the inverse empirical CDF (Hyndman-Fan
 * type 1): the smallest x_(k) with F_n(x_(k)) >= p, i.e. k = max(1, ceil(n p)) (1-based).
 * It is an observed value (no interpolation). With 500 observations the 1% quantile is the
 * 5th smallest, as in Hull's historical-simulation examples.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const k = Math.min(n, Math.max(1, Math.ceil(n * p - 1e-9 * n * p)));
  return sorted[k - 1]!;
}

/**
 * Linear-interpolation quantile (Hyndman-Fan type 7, the R/NumPy default) of an ascending
 * sorted sample: h = (n - 1) p, x_(floor h) + (h - floor h)(x_(floor h + 1) - x_(floor h)).
 * Used for reporting distributions (trade-sequence quantiles), not for VaR.
 */
export function quantileInterpolated(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p, lo = Math.floor(h), hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
