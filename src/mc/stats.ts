/**
 * Statistics from an accumulator (accumulator.ts): moments, histogram quantiles and tail
 * means, VaR/CVaR of the P&L (losses as positive numbers), drawdown distribution, barrier and
 * ruin probabilities. Quantiles are read from the fixed-grid histogram by linear
 * interpolation inside a bin (error at most one bin width); tail means use the exact per-bin
 * sums for whole bins and a uniform-within-bin share of the bin the quantile falls in.
 */
import { ACC, ACC_HEADER } from './accumulator.js';

export interface Moments4 {
  mean: number;
  /** Sample variance (n - 1). */
  variance: number;
  stdev: number;
  /** Standard error of the mean: stdev / sqrt(n). */
  stderr: number;
  /** sqrt(n) M3 / M2^1.5 */
  skew: number;
  /** Excess kurtosis n M4 / M2^2 - 3 */
  kurtosis: number;
  min: number;
  max: number;
}

function moments(n: number, mean: number, m2: number, m3: number, m4: number, min: number, max: number): Moments4 {
  const variance = n > 1 ? m2 / (n - 1) : 0;
  const stdev = Math.sqrt(variance);
  return {
    mean,
    variance,
    stdev,
    stderr: n > 0 ? stdev / Math.sqrt(n) : NaN,
    skew: m2 > 0 ? (Math.sqrt(n) * m3) / Math.pow(m2, 1.5) : 0,
    kurtosis: m2 > 0 ? (n * m4) / (m2 * m2) - 3 : 0,
    min,
    max,
  };
}

export function valueMoments(a: Float64Array): Moments4 {
  return moments(a[ACC.count]!, a[ACC.mean]!, a[ACC.m2]!, a[ACC.m3]!, a[ACC.m4]!, a[ACC.min]!, a[ACC.max]!);
}

export function drawdownMoments(a: Float64Array): Moments4 {
  return moments(a[ACC.count]!, a[ACC.ddMean]!, a[ACC.ddM2]!, a[ACC.ddM3]!, a[ACC.ddM4]!, a[ACC.ddMin]!, a[ACC.ddMax]!);
}

/** A histogram view: counts/sums over equal bins of [lo, hi) plus under/overflow. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: Float64Array;
  sums: Float64Array;
  underN: number;
  underSum: number;
  overN: number;
  overSum: number;
  min: number;
  max: number;
  n: number;
}

export function valueHistogram(a: Float64Array): Histogram {
  const b = a[ACC.bins]!;
  return {
    lo: a[ACC.lo]!, hi: a[ACC.hi]!,
    counts: a.subarray(ACC_HEADER, ACC_HEADER + b), sums: a.subarray(ACC_HEADER + b, ACC_HEADER + 2 * b),
    underN: a[ACC.underN]!, underSum: a[ACC.underSum]!, overN: a[ACC.overN]!, overSum: a[ACC.overSum]!,
    min: a[ACC.min]!, max: a[ACC.max]!, n: a[ACC.count]!,
  };
}

export function drawdownHistogram(a: Float64Array): Histogram {
  const b = a[ACC.bins]!, d = a[ACC.ddBins]!, o = ACC_HEADER + 2 * b;
  return {
    lo: 0, hi: a[ACC.ddHi]!,
    counts: a.subarray(o, o + d), sums: a.subarray(o + d, o + 2 * d),
    underN: 0, underSum: 0, overN: a[ACC.ddOverN]!, overSum: a[ACC.ddOverSum]!,
    min: a[ACC.ddMin]!, max: a[ACC.ddMax]!, n: a[ACC.count]!,
  };
}

/** Quantile q in [0, 1] (rank q n), linear within the bin; under/overflow interpolate to min/max. */
export function histQuantile(h: Histogram, q: number): number {
  if (h.n === 0) return NaN;
  const r = q * h.n;
  if (r <= h.underN && h.underN > 0) return h.min + (Math.min(h.lo, h.max) - h.min) * (r / h.underN);
  let cum = h.underN;
  const w = (h.hi - h.lo) / h.counts.length;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c > 0 && cum + c >= r) return h.lo + w * (i + Math.max(0, r - cum) / c);
    cum += c;
  }
  if (h.overN > 0) return Math.max(h.hi, h.min) + (h.max - Math.max(h.hi, h.min)) * Math.min(1, (r - cum) / h.overN);
  return h.max;
}

/** Mean of the lowest fraction p (0 < p <= 1) of the values. */
export function histLowerTailMean(h: Histogram, p: number): number {
  if (h.n === 0) return NaN;
  const m = p * h.n;
  if (m <= 0) return h.min;
  let cnt = 0, sum = 0;
  const take = (k: number, s: number): boolean => {
    cnt += k;
    sum += s;
    return cnt >= m - 1e-9;
  };
  if (h.underN > 0) {
    if (h.underN >= m) {
      // Only the total is known below lo: use the underflow mean (the pilot range makes this rare).
      return h.underSum / h.underN;
    }
    take(h.underN, h.underSum);
  }
  const w = (h.hi - h.lo) / h.counts.length;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    if (cnt + c >= m) {
      const k = m - cnt;
      const lo = h.lo + w * i;
      sum += k * (lo + (w * (k / c)) / 2);
      cnt += k;
      return sum / cnt;
    }
    take(c, h.sums[i]!);
  }
  if (h.overN > 0) {
    const k = m - cnt;
    sum += k * (h.overSum / h.overN);
    cnt += k;
  }
  return sum / cnt;
}

/** Mean of the highest fraction p of the values. */
export function histUpperTailMean(h: Histogram, p: number): number {
  if (h.n === 0) return NaN;
  const m = p * h.n;
  let cnt = 0, sum = 0;
  if (h.overN > 0) {
    if (h.overN >= m) return h.overSum / h.overN;
    cnt += h.overN;
    sum += h.overSum;
  }
  const w = (h.hi - h.lo) / h.counts.length;
  for (let i = h.counts.length - 1; i >= 0; i--) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    if (cnt + c >= m) {
      const k = m - cnt;
      const hi = h.lo + w * (i + 1);
      sum += k * (hi - (w * (k / c)) / 2);
      return (sum) / (cnt + k);
    }
    cnt += c;
    sum += h.sums[i]!;
  }
  if (h.underN > 0) {
    const k = m - cnt;
    sum += k * (h.underSum / h.underN);
    cnt += k;
  }
  return sum / cnt;
}

export interface RiskAtLevel {
  level: number;
  /** Value-at-risk of the P&L: v0 - quantile(1 - level); a loss as a positive number. */
  var: number;
  /** Expected shortfall: v0 - mean of the worst (1 - level) share of terminal values. */
  cvar: number;
}

export function riskAtLevels(a: Float64Array, levels: readonly number[]): RiskAtLevel[] {
  const h = valueHistogram(a);
  const v0 = a[ACC.v0]!;
  return levels.map((level) => ({ level, var: v0 - histQuantile(h, 1 - level), cvar: v0 - histLowerTailMean(h, 1 - level) }));
}
