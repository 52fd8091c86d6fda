/**
 * Overfitting statistics for parameter searches.
 *
 * Deflated Sharpe ratio (Bailey & Lopez de Prado, "The Deflated Sharpe Ratio", 2014): the
 * probability that the best of N trials has a true Sharpe above zero, once the search is
 * accounted for. Under the null (every trial has zero true Sharpe) the best estimated Sharpe
 * of N trials is expected around
 *   SR0 = sqrt(V[SR]) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e)))
 * (g = Euler-Mascheroni constant, V[SR] the variance of the trials' Sharpe estimates), and
 *   DSR = Z( (SR* - SR0) * sqrt(T - 1) / sqrt(1 - skew SR* + (kurtosis - 1) / 4 SR*^2) )
 * for the selected trial's Sharpe SR*, sample length T, skewness and (Pearson) kurtosis of
 * its returns: the probabilistic Sharpe ratio of SR* against the benchmark SR0. All Sharpe
 * ratios here are per period (not annualised); divide an annualised one by sqrt(periods/year).
 *
 * Probability of backtest overfitting (Bailey, Borwein, Lopez de Prado & Zhu, "The
 * Probability of Backtest Overfitting", 2015), combinatorially symmetric cross-validation:
 * the [time x trials] performance matrix is cut into S contiguous blocks of time; for each of
 * the C(S, S/2) ways to pick half of the blocks as in-sample (IS), the trial with the best IS
 * Sharpe is located in the out-of-sample (OOS) ranking: w = rank / (N + 1),
 * logit = ln(w / (1 - w)). PBO = the share of splits whose logit is below 0, i.e. where the
 * IS-best trial is below the OOS median (a logit of exactly 0 counts one half).
 *
 * CSCV needs per trial, per block only the number of returns, their sum and their sum of
 * squares, since the Sharpe ratio of a union of blocks follows from those sums. That is what
 * the sweep op keeps (2 values per block per parameter set and symbol), so PBO covers every
 * trial of a grid of any size in bounded memory, with no per-period returns stored.
 */
import { describeValue } from '../errors.js';

export const EULER_MASCHERONI = 0.5772156649015329;

// ---- the standard normal distribution ------------------------------------------------------

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF to ~1e-15: Marsaglia's Taylor series (2004) for |x| < 3, a continued
 * fraction for the upper tail beyond.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 38) return 1;
  if (x < -38) return 0;
  if (Math.abs(x) < 3) {
    let s = x, t = x;
    const q = x * x;
    for (let i = 3; i < 300; i += 2) {
      t *= q / i;
      const next = s + t;
      if (next === s) break;
      s = next;
    }
    return 0.5 + s * normalPdf(x);
  }
  // Q(z) = pdf(z) / (z + 1/(z + 2/(z + 3/(z + ...)))) for z = |x| >= 3, evaluated bottom-up.
  const z = Math.abs(x);
  let f = z;
  for (let k = 80; k >= 1; k--) f = z + k / f;
  const tail = normalPdf(z) / f;
  return x > 0 ? 1 - tail : tail;
}

/** Inverse standard normal CDF: Acklam's rational approximation, refined by one Halley step. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else {
    const q = p - 0.5, r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  // Halley refinement against the accurate CDF.
  const e = normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}

// ---- deflated Sharpe ratio ---------------------------------------------------------------

function finite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}

/**
 * Expected maximum of N independent per-period Sharpe estimates with zero true Sharpe and
 * variance `sharpeVariance` (the False Strategy theorem's approximation). 0 for N <= 1.
 */
export function expectedMaxSharpe(nTrials: number, sharpeVariance: number): number {
  if (!Number.isInteger(nTrials) || nTrials < 1) throw new RangeError(`nTrials must be an integer >= 1, got ${describeValue(nTrials)}`);
  if (!(sharpeVariance >= 0) || !Number.isFinite(sharpeVariance)) throw new RangeError(`sharpeVariance must be a non-negative number, got ${describeValue(sharpeVariance)}`);
  if (nTrials === 1) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(sharpeVariance) * ((1 - g) * normalQuantile(1 - 1 / nTrials) + g * normalQuantile(1 - 1 / (nTrials * Math.E)));
}

export interface SharpeSample {
  /** Per-period Sharpe ratio of the selected trial (mean / standard deviation of its returns). */
  sharpe: number;
  /** Number of returns it was estimated from (T). */
  nObs: number;
  /** Skewness of those returns (0 for normal). */
  skew: number;
  /** Pearson kurtosis of those returns (3 for normal; not the excess). */
  kurtosis: number;
}

/**
 * Probabilistic Sharpe ratio: the probability that the true Sharpe exceeds `benchmark`
 * (per period), given the estimate's sample length and higher moments.
 */
export function probabilisticSharpe(s: SharpeSample, benchmark = 0): number {
  const sr = finite('sharpe', s.sharpe);
  if (!Number.isInteger(s.nObs) || s.nObs < 2) throw new RangeError(`nObs must be an integer >= 2, got ${describeValue(s.nObs)}`);
  const g3 = finite('skew', s.skew), g4 = finite('kurtosis', s.kurtosis);
  const v = 1 - g3 * sr + ((g4 - 1) / 4) * sr * sr;
  if (!(v > 0)) return sr > benchmark ? 1 : 0; // moments outside the approximation's domain
  return normalCdf(((sr - finite('benchmark', benchmark)) * Math.sqrt(s.nObs - 1)) / Math.sqrt(v));
}

export interface DeflatedSharpeInput extends SharpeSample {
  /** Number of trials the selected one was picked from (N). */
  nTrials: number;
  /** Variance of the N trials' per-period Sharpe estimates. */
  sharpeVariance: number;
}

export interface DeflatedSharpeResult {
  /** P(true Sharpe > 0 | the search): the deflated Sharpe ratio. */
  probability: number;
  /** SR0: the Sharpe the best of N zero-skill trials is expected to reach (per period). */
  expectedMaxSharpe: number;
  /** The selected trial's per-period Sharpe. */
  sharpe: number;
  /** PSR against 0 (no deflation), for comparison. */
  probabilisticSharpe: number;
  nTrials: number;
  nObs: number;
}

export function deflatedSharpe(i: DeflatedSharpeInput): DeflatedSharpeResult {
  const sr0 = expectedMaxSharpe(i.nTrials, i.sharpeVariance);
  return {
    probability: probabilisticSharpe(i, sr0),
    expectedMaxSharpe: sr0,
    sharpe: i.sharpe,
    probabilisticSharpe: probabilisticSharpe(i, 0),
    nTrials: i.nTrials,
    nObs: i.nObs,
  };
}

/** Mean and (sample) variance of finite values. */
export function meanVariance(x: ArrayLike<number>): { mean: number; variance: number; count: number } {
  let n = 0, m = 0, m2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - m;
    m += d / n;
    m2 += d * (v - m);
  }
  return { mean: n > 0 ? m : NaN, variance: n > 1 ? m2 / (n - 1) : 0, count: n };
}

// ---- probability of backtest overfitting (CSCV) --------------------------------------------

/**
 * Per trial and per time block: number of returns, sum, sum of squares. Row-major
 * [trials x blocks]; `count` is either [blocks] (the same for every trial) or [trials x blocks].
 */
export interface BlockStats {
  trials: number;
  blocks: number;
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

export interface PboOptions {
  /** Upper bound on the number of IS/OOS splits C(S, S/2) (default 20,000: S <= 16). */
  maxCombinations?: number;
}

export interface PboResult {
  /** Probability of backtest overfitting: share of splits with logit < 0 (ties count 1/2). */
  pbo: number;
  /** One logit per split, ln(w / (1 - w)) with w = OOS rank of the IS-best / (N + 1). */
  logits: Float64Array;
  /** OOS Sharpe (per period) of the IS-best trial, per split. */
  oosSharpeOfBest: Float64Array;
  /** IS Sharpe (per period) of the IS-best trial, per split. */
  isSharpeOfBest: Float64Array;
  /** Share of splits where the IS-best trial loses money OOS (Sharpe < 0). */
  probabilityOfOosLoss: number;
  /** Least-squares slope of OOS on IS Sharpe of the IS-best (performance degradation; < 0 is typical of overfitting). */
  degradationSlope: number;
  combinations: number;
  blocks: number;
  trials: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function sharpeOf(n: number, s: number, q: number): number {
  if (!(n > 1)) return 0;
  const mean = s / n;
  const variance = (q - n * mean * mean) / (n - 1);
  return variance > 0 ? mean / Math.sqrt(variance) : 0;
}

/** CSCV from per-block sufficient statistics (see BlockStats). */
export function pboFromBlocks(st: BlockStats, opts: PboOptions = {}): PboResult {
  const { trials: N, blocks: S } = st;
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`pbo: trials must be an integer >= 2, got ${describeValue(N)}`);
  if (!Number.isInteger(S) || S < 2 || S % 2 !== 0) throw new RangeError(`pbo: blocks must be an even integer >= 2, got ${describeValue(S)}`);
  if (st.sum.length !== N * S || st.sumSq.length !== N * S) throw new RangeError(`pbo: sum and sumSq must have length trials * blocks = ${N * S}`);
  const perTrialCount = st.count.length === N * S;
  if (!perTrialCount && st.count.length !== S) throw new RangeError(`pbo: count must have length blocks (${S}) or trials * blocks (${N * S}), got ${st.count.length}`);
  const combos = binomial(S, S / 2);
  const maxCombos = opts.maxCombinations ?? 20_000;
  if (combos > maxCombos) throw new RangeError(`pbo: C(${S}, ${S / 2}) = ${combos} splits exceeds maxCombinations ${maxCombos}; use fewer blocks`);

  // Totals per trial; IS sums per split; OOS = total - IS.
  const tn = new Float64Array(N), ts = new Float64Array(N), tq = new Float64Array(N);
  for (let t = 0; t < N; t++) {
    for (let b = 0; b < S; b++) {
      tn[t] += perTrialCount ? st.count[t * S + b]! : st.count[b]!;
      ts[t] += st.sum[t * S + b]!;
      tq[t] += st.sumSq[t * S + b]!;
    }
  }
  const logits = new Float64Array(combos), oosBest = new Float64Array(combos), isBest = new Float64Array(combos);
  const oos = new Float64Array(N);
  const chosen = new Int32Array(S / 2);
  for (let i = 0; i < S / 2; i++) chosen[i] = i;
  let c = 0, below = 0;
  for (;;) {
    let best = -Infinity, bestTrial = 0;
    for (let t = 0; t < N; t++) {
      let n = 0, s = 0, q = 0;
      for (let j = 0; j < chosen.length; j++) {
        const b = chosen[j]!;
        n += perTrialCount ? st.count[t * S + b]! : st.count[b]!;
        s += st.sum[t * S + b]!;
        q += st.sumSq[t * S + b]!;
      }
      const isSr = sharpeOf(n, s, q);
      oos[t] = sharpeOf(tn[t]! - n, ts[t]! - s, tq[t]! - q);
      if (isSr > best) { best = isSr; bestTrial = t; }
    }
    // Relative OOS rank of the IS-best (average rank for ties), w = rank / (N + 1).
    const v = oos[bestTrial]!;
    let less = 0, equal = 0;
    for (let t = 0; t < N; t++) {
      if (oos[t]! < v) less++;
      else if (oos[t] === v) equal++;
    }
    const rank = less + (equal + 1) / 2;
    const w = rank / (N + 1);
    const logit = Math.log(w / (1 - w));
    logits[c] = logit;
    isBest[c] = best;
    oosBest[c] = v;
    below += logit < 0 ? 1 : logit === 0 ? 0.5 : 0;
    c++;
    // Next combination of S/2 blocks out of S, in lexicographic order.
    let i = chosen.length - 1;
    while (i >= 0 && chosen[i] === S - chosen.length + i) i--;
    if (i < 0) break;
    chosen[i]!++;
    for (let j = i + 1; j < chosen.length; j++) chosen[j] = chosen[j - 1]! + 1;
  }
  let losses = 0, mx = 0, my = 0;
  for (let k = 0; k < combos; k++) {
    if (oosBest[k]! < 0) losses++;
    mx += isBest[k]!;
    my += oosBest[k]!;
  }
  mx /= combos;
  my /= combos;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < combos; k++) {
    sxy += (isBest[k]! - mx) * (oosBest[k]! - my);
    sxx += (isBest[k]! - mx) ** 2;
  }
  return {
    pbo: below / combos,
    logits,
    oosSharpeOfBest: oosBest,
    isSharpeOfBest: isBest,
    probabilityOfOosLoss: losses / combos,
    degradationSlope: sxx > 0 ? sxy / sxx : 0,
    combinations: combos,
    blocks: S,
    trials: N,
  };
}

/**
 * Per-block sufficient statistics of a returns matrix [T x N] (row-major: time x trials),
 * cut into S contiguous blocks of floor(b T / S) .. floor((b+1) T / S) - 1 rows.
 */
export function blockStatsOf(returns: Float64Array, T: number, N: number, S: number): BlockStats {
  if (!(returns instanceof Float64Array)) throw new TypeError(`returns must be a Float64Array, got ${describeValue(returns)}`);
  if (!Number.isInteger(T) || !Number.isInteger(N) || returns.length !== T * N) throw new RangeError(`returns must have length T * N = ${T * N}, got ${returns.length}`);
  if (!Number.isInteger(S) || S < 2 || S > T) throw new RangeError(`blocks must be an integer in [2, T = ${T}], got ${describeValue(S)}`);
  const count = new Float64Array(S), sum = new Float64Array(N * S), sumSq = new Float64Array(N * S);
  for (let b = 0; b < S; b++) {
    const r0 = Math.floor((b * T) / S), r1 = Math.floor(((b + 1) * T) / S);
    count[b] = r1 - r0;
    for (let r = r0; r < r1; r++) {
      for (let t = 0; t < N; t++) {
        const v = returns[r * N + t]!;
        sum[t * S + b] += v;
        sumSq[t * S + b] += v * v;
      }
    }
  }
  return { trials: N, blocks: S, count, sum, sumSq };
}

/** PBO by CSCV of a returns matrix [T x N] (time x trials), S blocks (even; default 16). */
export function probabilityOfBacktestOverfitting(returns: Float64Array, T: number, N: number, S = 16, opts: PboOptions = {}): PboResult {
  return pboFromBlocks(blockStatsOf(returns, T, N, S), opts);
}
