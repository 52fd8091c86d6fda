/**
 * Value at Risk and Expected Shortfall (CVaR), with VaR backtests.
 *
 * Conventions
 * - Inputs are per-period returns r (simple returns are the P&L fraction of a position's value;
 *   log returns are accepted too and give the VaR of the log return). The loss is L = -r.
 * - VaR and CVaR are reported as positive numbers for losses (a negative VaR means even the
 *   tail quantile is a gain). Multiply by the position value for currency amounts (`value`).
 * - A level alpha in (0, 1) is the confidence level (0.99 = 99% VaR); p = 1 - alpha is the tail
 *   probability. VaR_alpha = -q_p(r), CVaR_alpha = -E[r | r <= q_p] (the tail mean).
 *
 * Methods
 * - historical: q_p is the inverse empirical CDF (Hyndman-Fan type 1): with returns sorted
 *   ascending x_(1) <= ... <= x_(n), k = ceil(n p) and VaR = -x_(k) (500 observations at 99%:
 *   the 5th worst). CVaR is the discrete Acerbi-Tasche expected shortfall
 *   CVaR = -(1/(n p)) [ sum_{i<k} x_(i) + (n p - (k - 1)) x_(k) ], which is the mean of the
 *   n p worst returns when n p is an integer (the 5 worst of 500 at 99%), and is coherent.
 * - parametric (normal): VaR = z_alpha sigma - mu, CVaR = sigma phi(z_alpha) / p - mu, with
 *   z_alpha = Phi^{-1}(alpha), sigma the sample sd (ddof 1) and mu the sample mean (or 0 with
 *   `mean: 'zero'`). Horizon h periods: mu h and sigma sqrt(h) (i.i.d. square-root-of-time).
 * - cornish-fisher: the normal quantile z = Phi^{-1}(p) is replaced by
 *   z_cf = z + (z^2 - 1) S/6 + (z^3 - 3z) K/24 - (2z^3 - 5z) S^2/36
 *   (S skewness, K excess kurtosis, population moments); VaR = -(mu + sigma z_cf).
 *   CVaR is the tail mean of the same Cornish-Fisher quantile function,
 *   CVaR = -(mu + sigma/p * integral_{-inf}^{z} cf(u) phi(u) du), evaluated in closed form from
 *   the truncated normal moments I0 = Phi(z), I1 = -phi(z), I2 = Phi(z) - z phi(z),
 *   I3 = -(z^2 + 2) phi(z). The expansion is only monotone for moderate S and K
 *   (roughly |S| < 1, K < 6): outside that range the result is reported with `monotone: false`.
 *   Horizon scaling as for parametric (moments of one period; no aggregation of S and K).
 * - Monte Carlo: from a simulated sample (sorted or not; returns or losses) with the historical
 *   conventions, or from a quantile function Q(u) of the return: VaR = -Q(p),
 *   CVaR = -(1/p) integral_0^p Q(u) du by Gauss-Legendre after u = p s^2.
 *
 * Backtests (`kupiecTest`, `christoffersenTest`, `varBacktest`): an exception (hit) is a
 * period whose loss strictly exceeds the VaR forecast for it.
 * - Kupiec proportion of failures: LR_pof = -2 ln[(1-p)^{T-x} p^x] + 2 ln[(1-x/T)^{T-x} (x/T)^x] ~ chi2(1).
 * - Christoffersen independence: with n_ij the counts of transitions i -> j in the hit sequence,
 *   pi_0 = n01/(n00+n01), pi_1 = n11/(n10+n11), pi = (n01+n11)/(n00+n01+n10+n11),
 *   LR_ind = -2 ln[(1-pi)^{n00+n10} pi^{n01+n11}] + 2 ln[(1-pi_0)^{n00} pi_0^{n01} (1-pi_1)^{n10} pi_1^{n11}] ~ chi2(1).
 * - Conditional coverage: LR_cc = LR_pof + LR_ind ~ chi2(2).
 * (0 ln 0 = 0 throughout.) p-values are chi-square survival functions (distributions.ts).
 */
import { describeValue } from '../errors.js';
import { expectAllFinite, expectFinite, expectFloat64, expectInt, expectLevel, expectNonNegative, expectPositive, levelList } from './check.js';
import { chiSquareSf, normCdf, normInv, normPdf } from './distributions.js';
import { checkSymmetric, matVec, quadraticForm } from './linalg.js';
import { gaussLegendre } from './quadrature.js';
import { moments, sortedCopy } from './stats.js';

export type VarMethod = 'historical' | 'parametric' | 'cornish-fisher' | 'monte-carlo';

export interface VarResult {
  method: VarMethod;
  /** Confidence level alpha, e.g. 0.99. */
  level: number;
  /** Value at Risk: a positive number is a loss (fraction of value, times `value` if given). */
  var: number;
  /** Expected shortfall (conditional VaR), same units. */
  cvar: number;
  /** Number of observations used (historical / Monte Carlo / moments). */
  n?: number;
  /** Cornish-Fisher only: whether the expansion is monotone over the tail used. */
  monotone?: boolean;
}

export interface VarOptions {
  /** Horizon in periods for the parametric and Cornish-Fisher methods (default 1). */
  horizon?: number;
  /** Use the sample mean (default) or assume a zero mean (parametric, Cornish-Fisher). */
  mean?: 'sample' | 'zero';
  /** Multiply VaR and CVaR by this position value (default 1: fractions). */
  value?: number;
}

function scaleOpts(fn: string, opts: VarOptions): { h: number; value: number; zeroMean: boolean } {
  const h = opts.horizon ?? 1;
  expectPositive(fn, 'opts.horizon', h);
  const value = opts.value ?? 1;
  expectFinite(fn, 'opts.value', value);
  const m = opts.mean ?? 'sample';
  if (m !== 'sample' && m !== 'zero') throw new RangeError(`${fn}: opts.mean must be 'sample' or 'zero', got ${describeValue(m)}`);
  return { h, value, zeroMean: m === 'zero' };
}

function checkReturns(fn: string, returns: unknown, min = 1): asserts returns is Float64Array {
  expectFloat64(fn, 'returns', returns);
  if (returns.length < min) throw new RangeError(`${fn}: returns must have at least ${min} observations, got ${returns.length}`);
  expectAllFinite(fn, 'returns', returns);
}

/** Tail count n p, snapped to an integer when within round-off of one (1000 * (1 - 0.99)). */
function tailMass(n: number, p: number): number {
  const m = n * p;
  const r = Math.round(m);
  return Math.abs(m - r) <= 1e-9 * Math.max(1, m) ? r : m;
}

/**
 * VaR quantile and tail mean of n returns read in ascending order through `at(i)` (0-based),
 * with the historical conventions above.
 */
function sortedTail(at: (i: number) => number, n: number, level: number): { q: number; tailMean: number } {
  const p = 1 - level;
  const m = tailMass(n, p);
  const k = Math.min(n, Math.max(1, Math.ceil(m)));
  const q = at(k - 1);
  if (m < 1) return { q, tailMean: at(0) }; // less than one observation in the tail: the worst one
  let s = 0;
  for (let i = 0; i < k - 1; i++) s += at(i);
  s += (m - (k - 1)) * q;
  return { q, tailMean: s / m };
}

/** Historical VaR/CVaR of a return series at one or more levels. */
export function historicalVar(returns: Float64Array, levels: number | number[], opts: Pick<VarOptions, 'value'> = {}): VarResult[] {
  const fn = 'historicalVar';
  checkReturns(fn, returns);
  const lv = levelList(fn, 'levels', levels);
  const { value } = scaleOpts(fn, opts);
  const sorted = Float64Array.from(returns).sort();
  return lv.map((level) => {
    const { q, tailMean } = sortedTail((i) => sorted[i]!, sorted.length, level);
    return { method: 'historical', level, var: -q * value, cvar: -tailMean * value, n: returns.length };
  });
}

/** Normal VaR/CVaR for given per-period mean and sd. */
export function normalVar(params: { mean: number; sd: number }, levels: number | number[], opts: VarOptions = {}): VarResult[] {
  const fn = 'normalVar';
  expectFinite(fn, 'params.mean', params.mean);
  expectNonNegative(fn, 'params.sd', params.sd);
  const lv = levelList(fn, 'levels', levels);
  const { h, value, zeroMean } = scaleOpts(fn, opts);
  const mu = zeroMean ? 0 : params.mean * h, sigma = params.sd * Math.sqrt(h);
  return lv.map((level) => {
    const z = normInv(level);
    return { method: 'parametric', level, var: (z * sigma - mu) * value, cvar: ((sigma * normPdf(z)) / (1 - level) - mu) * value };
  });
}

/** Parametric normal VaR/CVaR from the sample mean and sd (ddof 1) of a return series. */
export function parametricVar(returns: Float64Array, levels: number | number[], opts: VarOptions = {}): VarResult[] {
  checkReturns('parametricVar', returns, 2);
  const m = moments(returns);
  return normalVar({ mean: m.mean, sd: m.sd }, levels, opts).map((r) => ({ ...r, n: m.n }));
}

/** The Cornish-Fisher adjusted standard quantile for tail probability p. */
export function cornishFisherQuantile(p: number, skewness: number, excessKurtosis: number): number {
  const z = normInv(p), S = skewness, K = excessKurtosis;
  return z + ((z * z - 1) * S) / 6 + ((z * z * z - 3 * z) * K) / 24 - ((2 * z * z * z - 5 * z) * S * S) / 36;
}

/** Whether d z_cf / d z >= 0 for every z <= zTail (the derivative is the quadratic a z^2 + b z + c). */
function cfMonotoneBelow(zTail: number, S: number, K: number): boolean {
  const a = K / 8 - (S * S) / 6, b = S / 3, c = 1 - K / 8 + (5 * S * S) / 36;
  const g = (z: number): number => a * z * z + b * z + c;
  if (a < 0) return false; // g -> -inf as z -> -inf
  if (a === 0) return b > 0 ? false : g(zTail) >= 0;
  const vertex = -b / (2 * a);
  return (vertex <= zTail ? g(vertex) : g(zTail)) >= 0;
}

/** Cornish-Fisher VaR/CVaR from given moments (per period). */
export function cornishFisherVarFromMoments(
  m: { mean: number; sd: number; skewness: number; excessKurtosis: number; n?: number },
  levels: number | number[],
  opts: VarOptions = {},
): VarResult[] {
  const fn = 'cornishFisherVar';
  expectFinite(fn, 'moments.mean', m.mean);
  expectNonNegative(fn, 'moments.sd', m.sd);
  expectFinite(fn, 'moments.skewness', m.skewness);
  expectFinite(fn, 'moments.excessKurtosis', m.excessKurtosis);
  const lv = levelList(fn, 'levels', levels);
  const { h, value, zeroMean } = scaleOpts(fn, opts);
  const mu = zeroMean ? 0 : m.mean * h, sigma = m.sd * Math.sqrt(h);
  const S = m.skewness, K = m.excessKurtosis;
  return lv.map((level) => {
    const p = 1 - level;
    const z = normInv(p);
    const zcf = cornishFisherQuantile(p, S, K);
    const phi = normPdf(z), I0 = normCdf(z), I1 = -phi, I2 = I0 - z * phi, I3 = -(z * z + 2) * phi;
    const tail = I1 + (S / 6) * (I2 - I0) + (K / 24) * (I3 - 3 * I1) - ((S * S) / 36) * (2 * I3 - 5 * I1);
    const r: VarResult = {
      method: 'cornish-fisher',
      level,
      var: -(mu + sigma * zcf) * value,
      cvar: -(mu + (sigma * tail) / p) * value,
      monotone: cfMonotoneBelow(z, S, K),
    };
    if (m.n !== undefined) r.n = m.n;
    return r;
  });
}

/** Cornish-Fisher VaR/CVaR from the sample moments of a return series. */
export function cornishFisherVar(returns: Float64Array, levels: number | number[], opts: VarOptions = {}): VarResult[] {
  checkReturns('cornishFisherVar', returns, 4);
  return cornishFisherVarFromMoments(moments(returns), levels, opts);
}

export interface SampleVarOptions {
  /** The sample is already sorted ascending (skips the sort; checked in O(n)). */
  sorted?: boolean;
  /** 'returns' (default: loss = -x) or 'losses' (x is already a loss, positive = bad). */
  kind?: 'returns' | 'losses';
  value?: number;
}

/**
 * VaR/CVaR from a Monte Carlo sample of returns or losses (e.g. simulated terminal P&L
 * fractions) with the historical conventions.
 */
export function varFromSample(sample: Float64Array, levels: number | number[], opts: SampleVarOptions = {}): VarResult[] {
  const fn = 'varFromSample';
  expectFloat64(fn, 'sample', sample);
  if (sample.length === 0) throw new RangeError(`${fn}: sample must not be empty`);
  const lv = levelList(fn, 'levels', levels);
  const kind = opts.kind ?? 'returns';
  if (kind !== 'returns' && kind !== 'losses') throw new RangeError(`${fn}: opts.kind must be 'returns' or 'losses', got ${describeValue(kind)}`);
  const value = opts.value ?? 1;
  expectFinite(fn, 'opts.value', value);
  let sorted: Float64Array;
  if (opts.sorted) {
    expectAllFinite(fn, 'sample', sample);
    for (let i = 1; i < sample.length; i++) {
      if (sample[i]! < sample[i - 1]!) throw new RangeError(`${fn}: sample is marked sorted but sample[${i}] = ${sample[i]} < sample[${i - 1}] = ${sample[i - 1]}`);
    }
    sorted = sample;
  } else {
    sorted = sortedCopy(fn, 'sample', sample);
  }
  // Returns: the lower tail of the ascending sample. Losses: the upper tail, read from the top as returns -loss.
  const n = sorted.length;
  const at = kind === 'returns' ? (i: number): number => sorted[i]! : (i: number): number => -sorted[n - 1 - i]!;
  return lv.map((level) => {
    const { q, tailMean } = sortedTail(at, n, level);
    return { method: 'monte-carlo', level, var: -q * value, cvar: -tailMean * value, n };
  });
}

/**
 * VaR/CVaR from the quantile function Q(u) of the return (u in (0, 1)), e.g. from a Monte
 * Carlo accumulator: VaR = -Q(p), CVaR = -(1/p) int_0^p Q(u) du, integrated by `nodes`-point
 * Gauss-Legendre after u = p s^2 (clusters nodes near u = 0 where Q is steep).
 */
export function varFromQuantile(quantile: (u: number) => number, levels: number | number[], opts: { nodes?: number; value?: number } = {}): VarResult[] {
  const fn = 'varFromQuantile';
  if (typeof quantile !== 'function') throw new TypeError(`${fn}: quantile must be a function (u) => number, got ${describeValue(quantile)}`);
  const lv = levelList(fn, 'levels', levels);
  const nodes = opts.nodes ?? 64;
  expectInt(fn, 'opts.nodes', nodes, 2, 4096);
  const value = opts.value ?? 1;
  const { x, w } = gaussLegendre(nodes);
  return lv.map((level) => {
    const p = 1 - level;
    const q = quantile(p);
    if (!Number.isFinite(q)) throw new RangeError(`${fn}: quantile(${p}) must be finite, got ${describeValue(q)}`);
    // int_0^p Q(u) du = int_0^1 Q(p s^2) 2 p s ds
    let s = 0;
    for (let i = 0; i < nodes; i++) {
      const si = 0.5 * (x[i]! + 1);
      s += w[i]! * 0.5 * quantile(p * si * si) * 2 * p * si;
    }
    return { method: 'monte-carlo', level, var: -q * value, cvar: (-s / p) * value };
  });
}

// ---------------------------------------------------------------- portfolios

function checkWeights(fn: string, weights: unknown, n: number): asserts weights is ArrayLike<number> {
  if (!(weights instanceof Float64Array) && !Array.isArray(weights)) throw new TypeError(`${fn}: weights must be a Float64Array or an array of numbers, got ${describeValue(weights)}`);
  if (weights.length !== n) throw new RangeError(`${fn}: weights must have length ${n}, got ${weights.length}`);
  for (let i = 0; i < n; i++) expectFinite(fn, `weights[${i}]`, weights[i]);
}

/** Portfolio return series from a row-major [assets x periods] return matrix: r_t = sum_i w_i r_it. */
export function portfolioReturns(returns: Float64Array, assets: number, weights: ArrayLike<number>): Float64Array {
  const fn = 'portfolioReturns';
  expectFloat64(fn, 'returns', returns);
  expectInt(fn, 'assets', assets, 1);
  if (returns.length % assets !== 0) throw new RangeError(`${fn}: returns length ${returns.length} is not a multiple of assets = ${assets}`);
  checkWeights(fn, weights, assets);
  const T = returns.length / assets;
  const out = new Float64Array(T);
  for (let i = 0; i < assets; i++) {
    const w = weights[i]!, base = i * T;
    for (let t = 0; t < T; t++) {
      const r = returns[base + t]!;
      if (!Number.isFinite(r)) throw new RangeError(`${fn}: returns[${i}][${t}] must be finite, got ${describeValue(r)}`);
      out[t] = out[t]! + w * r;
    }
  }
  return out;
}

export interface PortfolioNormalVarResult extends VarResult {
  /** Portfolio sd sqrt(w' Sigma w) over the horizon. */
  sd: number;
  /** Euler component VaR per asset: w_i (Sigma w)_i / sd * z * sqrt(h) - w_i mu_i h; sums to VaR. */
  components: Float64Array;
}

/**
 * Closed-form normal VaR/CVaR of a portfolio with weights w (fractions of value, or currency
 * amounts), covariance Sigma (row-major n x n, per period) and optional mean vector:
 * VaR = z_alpha sqrt(h w' Sigma w) - h w' mu, CVaR = sqrt(h w' Sigma w) phi(z_alpha)/(1-alpha) - h w' mu.
 */
export function portfolioNormalVar(
  p: { weights: ArrayLike<number>; cov: Float64Array; mean?: ArrayLike<number> },
  levels: number | number[],
  opts: Pick<VarOptions, 'horizon' | 'value'> = {},
): PortfolioNormalVarResult[] {
  const fn = 'portfolioNormalVar';
  expectFloat64(fn, 'cov', p.cov);
  const n = Math.round(Math.sqrt(p.cov.length));
  if (n * n !== p.cov.length || n === 0) throw new RangeError(`${fn}: cov must be a square n x n matrix, got length ${p.cov.length}`);
  checkWeights(fn, p.weights, n);
  expectAllFinite(fn, 'cov', p.cov);
  checkSymmetric(fn, 'cov', p.cov, n);
  if (p.mean !== undefined) {
    if (p.mean.length !== n) throw new RangeError(`${fn}: mean must have length ${n}, got ${p.mean.length}`);
    for (let i = 0; i < n; i++) expectFinite(fn, `mean[${i}]`, p.mean[i]);
  }
  const lv = levelList(fn, 'levels', levels);
  const { h, value } = scaleOpts(fn, opts);
  const variance = quadraticForm(p.cov, n, p.weights);
  if (variance < -1e-12 * Math.abs(variance)) throw new RangeError(`${fn}: w' cov w = ${variance} < 0: cov is not positive semi-definite`);
  const sd1 = Math.sqrt(Math.max(0, variance)), sd = sd1 * Math.sqrt(h);
  const sigmaW = matVec(p.cov, n, p.weights);
  let mu = 0;
  if (p.mean) for (let i = 0; i < n; i++) mu += p.weights[i]! * p.mean[i]!;
  mu *= h;
  return lv.map((level) => {
    const z = normInv(level);
    const components = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const marginal = sd1 > 0 ? (p.weights[i]! * sigmaW[i]! / sd1) * z * Math.sqrt(h) : 0;
      components[i] = (marginal - p.weights[i]! * (p.mean ? p.mean[i]! * h : 0)) * value;
    }
    return {
      method: 'parametric',
      level,
      var: (z * sd - mu) * value,
      cvar: ((sd * normPdf(z)) / (1 - level) - mu) * value,
      sd: sd * Math.abs(value),
      components,
    };
  });
}

/** Historical VaR/CVaR of a portfolio from a row-major [assets x periods] return matrix. */
export function portfolioHistoricalVar(
  returns: Float64Array,
  assets: number,
  weights: ArrayLike<number>,
  levels: number | number[],
  opts: Pick<VarOptions, 'value'> = {},
): VarResult[] {
  return historicalVar(portfolioReturns(returns, assets, weights), levels, opts);
}

// ---------------------------------------------------------------- backtesting

export interface LrTest {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

export interface KupiecResult extends LrTest {
  exceptions: number;
  observations: number;
  expectedRate: number;
  observedRate: number;
}

const xlogy = (x: number, y: number): number => (x === 0 ? 0 : x * Math.log(y));

/** Kupiec (1995) proportion-of-failures likelihood-ratio test. */
export function kupiecTest(exceptions: number, observations: number, level: number): KupiecResult {
  const fn = 'kupiecTest';
  expectInt(fn, 'observations', observations, 1);
  expectInt(fn, 'exceptions', exceptions, 0, observations);
  expectLevel(fn, 'level', level);
  const p = 1 - level, x = exceptions, T = observations, ph = x / T;
  const ll0 = xlogy(T - x, 1 - p) + xlogy(x, p);
  const ll1 = xlogy(T - x, 1 - ph) + xlogy(x, ph);
  const statistic = Math.max(0, -2 * (ll0 - ll1));
  return { statistic, degreesOfFreedom: 1, pValue: chiSquareSf(statistic, 1), exceptions: x, observations: T, expectedRate: p, observedRate: ph };
}

export interface ChristoffersenResult {
  /** Proportion of failures (Kupiec) on the whole hit sequence. */
  pof: KupiecResult;
  independence: LrTest & { n00: number; n01: number; n10: number; n11: number; pi0: number; pi1: number; pi: number };
  /** LR_pof + LR_ind ~ chi2(2). */
  conditionalCoverage: LrTest;
}

function toHits(fn: string, hits: ArrayLike<number | boolean>): Uint8Array {
  if (hits === null || typeof hits !== 'object' || typeof hits.length !== 'number') throw new TypeError(`${fn}: hits must be an array of 0/1 or booleans, got ${describeValue(hits)}`);
  const out = new Uint8Array(hits.length);
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    if (h === true || h === 1) out[i] = 1;
    else if (h !== false && h !== 0) throw new RangeError(`${fn}: hits[${i}] must be 0, 1, true or false, got ${describeValue(h)}`);
  }
  return out;
}

/** Christoffersen (1998) independence and conditional-coverage tests on a hit sequence. */
export function christoffersenTest(hits: ArrayLike<number | boolean>, level: number): ChristoffersenResult {
  const fn = 'christoffersenTest';
  const h = toHits(fn, hits);
  expectLevel(fn, 'level', level);
  if (h.length < 2) throw new RangeError(`${fn}: hits must have at least 2 observations, got ${h.length}`);
  let x = 0;
  for (let i = 0; i < h.length; i++) x += h[i]!;
  const pof = kupiecTest(x, h.length, level);
  let n00 = 0, n01 = 0, n10 = 0, n11 = 0;
  for (let i = 1; i < h.length; i++) {
    const a = h[i - 1]!, b = h[i]!;
    if (a === 0) { if (b === 0) n00++; else n01++; } else if (b === 0) n10++; else n11++;
  }
  const pi0 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi1 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const pi = (n01 + n11) / (n00 + n01 + n10 + n11);
  const llNull = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const llAlt = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1);
  const ind = Math.max(0, -2 * (llNull - llAlt));
  const cc = pof.statistic + ind;
  return {
    pof,
    independence: { statistic: ind, degreesOfFreedom: 1, pValue: chiSquareSf(ind, 1), n00, n01, n10, n11, pi0, pi1, pi },
    conditionalCoverage: { statistic: cc, degreesOfFreedom: 2, pValue: chiSquareSf(cc, 2) },
  };
}

export interface VarBacktestResult extends ChristoffersenResult {
  hits: Uint8Array;
}

/**
 * Backtests a VaR forecast series against realised returns: hit_t = 1 when the loss -r_t
 * strictly exceeds var_t (both positive-loss conventions, same units).
 */
export function varBacktest(returns: Float64Array, varForecasts: Float64Array, level: number): VarBacktestResult {
  const fn = 'varBacktest';
  checkReturns(fn, returns, 2);
  expectFloat64(fn, 'varForecasts', varForecasts);
  if (varForecasts.length !== returns.length) throw new RangeError(`${fn}: varForecasts must have the same length as returns (${returns.length}), got ${varForecasts.length}`);
  expectAllFinite(fn, 'varForecasts', varForecasts);
  const hits = new Uint8Array(returns.length);
  for (let t = 0; t < returns.length; t++) hits[t] = -returns[t]! > varForecasts[t]! ? 1 : 0;
  return { ...christoffersenTest(hits, level), hits };
}

/** All single-series methods at once (what `neurion var` prints). */
export function computeVar(
  returns: Float64Array,
  levels: number | number[],
  methods: ReadonlyArray<Exclude<VarMethod, 'monte-carlo'>> = ['historical', 'parametric', 'cornish-fisher'],
  opts: VarOptions = {},
): VarResult[] {
  const out: VarResult[] = [];
  for (const m of methods) {
    if (m === 'historical') {
      if ((opts.horizon ?? 1) !== 1) throw new RangeError(`computeVar: historical VaR is per period of the data; opts.horizon must be 1, got ${describeValue(opts.horizon)}`);
      out.push(...historicalVar(returns, levels, opts));
    } else if (m === 'parametric') out.push(...parametricVar(returns, levels, opts));
    else if (m === 'cornish-fisher') out.push(...cornishFisherVar(returns, levels, opts));
    else throw new RangeError(`computeVar: unknown method ${describeValue(m)} (historical, parametric, cornish-fisher)`);
  }
  return out;
}
