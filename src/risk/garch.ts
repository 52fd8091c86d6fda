/**
 * GARCH(1,1) by maximum likelihood, its variance forecast and a Philox-driven simulator.
 *
 *   r_t = mu + e_t,  e_t = sigma_t z_t,  sigma_t^2 = omega + alpha e_{t-1}^2 + beta sigma_{t-1}^2
 *   z_t ~ N(0, 1) ('normal') or standardized Student-t with nu > 2 degrees of freedom ('t').
 *
 * Estimation
 * - The series is scaled by its sample sd s before fitting (y = r / s, so the variance is ~1
 *   and omega ~ 1 - alpha - beta) and the results are mapped back (mu s, omega s^2, logLik
 *   minus n ln s). The variance recursion starts at sigma_1^2 = the sample variance of the
 *   residuals (the "backcast"); every observation enters the likelihood.
 * - Constraints are enforced by a transform, so the optimiser is unconstrained:
 *     persistence P = alpha + beta = (1 - 1e-6) logistic(t1)   (0 < P < 1)
 *     alpha = P logistic(t2), beta = P (1 - logistic(t2))      (alpha, beta >= 0)
 *     omega = exp(t3)                                           (omega > 0), or with variance
 *       targeting omega = (1 - P) * sample variance (one parameter fewer)
 *     nu = 2.01 + 497.99 logistic(t4)                           (2 < nu <= 500)
 * - Nelder-Mead from five fixed starting points (alpha, beta) in {(0.05, 0.90), (0.10, 0.85),
 *   (0.15, 0.70), (0.03, 0.95), (0.20, 0.50)} with coarse tolerances, then the best is
 *   restarted (fresh simplex, tight tolerances: relative f spread 1e-12, x spread 1e-9) until a
 *   restart improves the log-likelihood by less than 1e-9 (at most 5 restarts). Deterministic:
 *   the same data give the same fit. `converged` is true when the final simplex met its
 *   tolerances and the last restart did not move the optimum.
 * - mu is estimated jointly (`mean: 'constant'`, default) or fixed at 0 (`mean: 'zero'`).
 *
 * Forecast: with V = omega / (1 - P), sigma^2_{T+h} = V + P^{h-1} (sigma^2_{T+1} - V).
 */
import { philoxNormal } from '../compute/index.js';
import { describeValue } from '../errors.js';
import { expectAllFinite, expectFloat64, expectInt, expectNonNegative, expectPositive } from './check.js';
import { lnGamma } from './distributions.js';
import { nelderMead } from './optimize.js';
import { mean as sampleMean, variance as sampleVariance } from './stats.js';

export type GarchDist = 'normal' | 't';

export interface GarchParams {
  mu: number;
  omega: number;
  alpha: number;
  beta: number;
  /** Degrees of freedom of the standardized Student-t ('t' only). */
  nu?: number;
}

export interface GarchFit extends GarchParams {
  dist: GarchDist;
  logLik: number;
  /** alpha + beta. */
  persistence: number;
  /** omega / (1 - alpha - beta). */
  unconditionalVariance: number;
  /** One-step-ahead conditional variance after the last observation, sigma^2_{T+1}. */
  nextVariance: number;
  /** Nelder-Mead iterations over all starts and restarts. */
  iterations: number;
  converged: boolean;
  observations: number;
  varianceTargeting: boolean;
}

export interface GarchFitOptions {
  dist?: GarchDist;
  mean?: 'constant' | 'zero';
  /** Fix omega = (1 - alpha - beta) * sample variance (default false). */
  varianceTargeting?: boolean;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));
const P_MAX = 1 - 1e-6;
const NU_MIN = 2.01, NU_SPAN = 497.99;
const LN_2PI = Math.log(2 * Math.PI);

/** Conditional variances sigma_t^2 (length n) and the next one sigma^2_{n+1} for given parameters. */
export function garchVariance(returns: Float64Array, p: GarchParams, initialVariance?: number): { variance: Float64Array; next: number } {
  const fn = 'garchVariance';
  expectFloat64(fn, 'returns', returns);
  if (returns.length < 2) throw new RangeError(`${fn}: returns must have at least 2 observations, got ${returns.length}`);
  checkParams(fn, p);
  const n = returns.length;
  const h0 = initialVariance ?? backcast(returns, p.mu);
  expectPositive(fn, 'initialVariance', h0);
  const variance = new Float64Array(n);
  let h = h0;
  for (let t = 0; t < n; t++) {
    variance[t] = h;
    const e = returns[t]! - p.mu;
    h = p.omega + p.alpha * e * e + p.beta * h;
  }
  return { variance, next: h };
}

function backcast(r: Float64Array, mu: number): number {
  let s = 0;
  for (let t = 0; t < r.length; t++) s += (r[t]! - mu) * (r[t]! - mu);
  return s / r.length;
}

function checkParams(fn: string, p: GarchParams): void {
  if (p === null || typeof p !== 'object') throw new TypeError(`${fn}: params must be an object, got ${describeValue(p)}`);
  if (!Number.isFinite(p.mu)) throw new RangeError(`${fn}: mu must be finite, got ${describeValue(p.mu)}`);
  expectPositive(fn, 'omega', p.omega);
  expectNonNegative(fn, 'alpha', p.alpha);
  expectNonNegative(fn, 'beta', p.beta);
  if (!(p.alpha + p.beta < 1)) throw new RangeError(`${fn}: alpha + beta must be < 1 (covariance stationarity), got ${p.alpha + p.beta}`);
  if (p.nu !== undefined && !(p.nu > 2)) throw new RangeError(`${fn}: nu must be > 2, got ${describeValue(p.nu)}`);
}

/** Log-likelihood of a GARCH(1,1) with given parameters (all observations, backcast start). */
export function garchLogLikelihood(returns: Float64Array, p: GarchParams, dist: GarchDist = 'normal'): number {
  checkParams('garchLogLikelihood', p);
  return logLik(returns, p.mu, p.omega, p.alpha, p.beta, dist, p.nu ?? Infinity, backcast(returns, p.mu));
}

function logLik(y: Float64Array, mu: number, omega: number, alpha: number, beta: number, dist: GarchDist, nu: number, h0: number): number {
  const n = y.length;
  let h = h0, ll = 0;
  if (dist === 'normal') {
    for (let t = 0; t < n; t++) {
      const e = y[t]! - mu;
      ll -= 0.5 * (LN_2PI + Math.log(h) + (e * e) / h);
      h = omega + alpha * e * e + beta * h;
    }
    return ll;
  }
  const c = lnGamma(0.5 * (nu + 1)) - lnGamma(0.5 * nu) - 0.5 * Math.log(Math.PI * (nu - 2));
  const k = 0.5 * (nu + 1), inv = 1 / (nu - 2);
  for (let t = 0; t < n; t++) {
    const e = y[t]! - mu;
    ll += c - 0.5 * Math.log(h) - k * Math.log1p((e * e * inv) / h);
    h = omega + alpha * e * e + beta * h;
  }
  return ll;
}

/** Maximum-likelihood GARCH(1,1) fit (see the module comment for the method). */
export function fitGarch(returns: Float64Array, opts: GarchFitOptions = {}): GarchFit {
  const fn = 'fitGarch';
  expectFloat64(fn, 'returns', returns);
  expectAllFinite(fn, 'returns', returns);
  if (returns.length < 50) throw new RangeError(`${fn}: returns must have at least 50 observations, got ${returns.length}`);
  const dist = opts.dist ?? 'normal';
  if (dist !== 'normal' && dist !== 't') throw new RangeError(`${fn}: opts.dist must be 'normal' or 't', got ${describeValue(dist)}`);
  const meanMode = opts.mean ?? 'constant';
  if (meanMode !== 'constant' && meanMode !== 'zero') throw new RangeError(`${fn}: opts.mean must be 'constant' or 'zero', got ${describeValue(meanMode)}`);
  const targeting = opts.varianceTargeting ?? false;

  const n = returns.length;
  const s = Math.sqrt(sampleVariance(returns, 1));
  if (!(s > 0)) throw new RangeError(`${fn}: returns have zero variance; GARCH is not identified`);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = returns[t]! / s;
  const yMean = sampleMean(y);

  const hasMu = meanMode === 'constant';
  const hasOmega = !targeting;
  const hasNu = dist === 't';
  // Variance targeting: the sample variance about the mean (or the mean square with mu = 0).
  const targetVariance = sampleVariance(y, 0) + (hasMu ? 0 : yMean * yMean);
  type Unpacked = { mu: number; omega: number; alpha: number; beta: number; nu: number };
  const unpack = (th: number[]): Unpacked => {
    let i = 0;
    const mu = hasMu ? th[i++]! : 0;
    const P = P_MAX * logistic(th[i++]!);
    const share = logistic(th[i++]!);
    const omega = hasOmega ? Math.exp(th[i++]!) : (1 - P) * targetVariance;
    const nu = hasNu ? NU_MIN + NU_SPAN * logistic(th[i++]!) : Infinity;
    return { mu, omega, alpha: P * share, beta: P * (1 - share), nu };
  };
  const objective = (th: number[]): number => {
    const u = unpack(th);
    return -logLik(y, u.mu, u.omega, u.alpha, u.beta, dist, u.nu, backcast(y, u.mu));
  };
  const pack = (mu: number, alpha: number, beta: number, omega: number, nu: number): number[] => {
    const th: number[] = [];
    if (hasMu) th.push(mu);
    th.push(logit((alpha + beta) / P_MAX), logit(alpha / (alpha + beta)));
    if (hasOmega) th.push(Math.log(omega));
    if (hasNu) th.push(logit((nu - NU_MIN) / NU_SPAN));
    return th;
  };

  const starts: Array<[number, number]> = [[0.05, 0.9], [0.1, 0.85], [0.15, 0.7], [0.03, 0.95], [0.2, 0.5]];
  let best: { x: number[]; f: number; converged: boolean } | undefined;
  let iterations = 0;
  for (const [a, b] of starts) {
    // Coarse search from each start; the best is polished below with tight tolerances.
    const r = nelderMead(objective, pack(hasMu ? yMean : 0, a, b, 1 - a - b, 8), { step: 0.5, fTol: 1e-9, xTol: 1e-4 });
    iterations += r.iterations;
    if (!best || r.f < best.f) best = r;
  }
  let converged = false;
  for (let k = 0; k < 5 && best; k++) {
    const r = nelderMead(objective, best.x, { step: 0.1 });
    iterations += r.iterations;
    const improvement = best.f - r.f;
    if (r.f <= best.f) best = r;
    if (improvement < 1e-9) { converged = r.converged; break; }
  }
  const u = unpack(best!.x);
  const persistence = u.alpha + u.beta;
  const fit: GarchFit = {
    dist,
    mu: u.mu * s,
    omega: u.omega * s * s,
    alpha: u.alpha,
    beta: u.beta,
    logLik: -best!.f - n * Math.log(s),
    persistence,
    unconditionalVariance: (u.omega * s * s) / (1 - persistence),
    nextVariance: NaN,
    iterations,
    converged,
    observations: n,
    varianceTargeting: targeting,
  };
  if (hasNu) fit.nu = u.nu;
  fit.nextVariance = garchVariance(returns, fit).next;
  return fit;
}

export interface GarchForecast {
  /** sigma^2_{T+h} for h = 1..horizon. */
  variance: Float64Array;
  /** Variance of the h-period aggregated return: sum_{j<=h} sigma^2_{T+j}. */
  cumulativeVariance: Float64Array;
  /** sqrt(variance). */
  volatility: Float64Array;
}

/**
 * h-step conditional variance forecasts from a fit (or parameters plus the one-step-ahead
 * variance): sigma^2_{T+h} = V + (alpha + beta)^{h-1} (sigma^2_{T+1} - V), V = omega / (1 - alpha - beta).
 */
export function garchForecast(fit: GarchParams & { nextVariance: number }, horizon: number): GarchForecast {
  const fn = 'garchForecast';
  checkParams(fn, fit);
  expectPositive(fn, 'nextVariance', fit.nextVariance);
  expectInt(fn, 'horizon', horizon, 1, 1e7);
  const P = fit.alpha + fit.beta, V = fit.omega / (1 - P);
  const variance = new Float64Array(horizon), cumulativeVariance = new Float64Array(horizon), volatility = new Float64Array(horizon);
  let pk = 1, cum = 0;
  for (let h = 0; h < horizon; h++) {
    const v = V + pk * (fit.nextVariance - V);
    variance[h] = v;
    cum += v;
    cumulativeVariance[h] = cum;
    volatility[h] = Math.sqrt(v);
    pk *= P;
  }
  return { variance, cumulativeVariance, volatility };
}

export interface GarchSimulationOptions {
  /** Philox seed (default 0) and path index (default 0): the series is path `path` of that seed. */
  seed?: number | bigint;
  path?: number;
  /** Observations simulated and dropped first so the start value is forgotten (default 500). */
  burnIn?: number;
  dist?: GarchDist;
}

/**
 * Simulates n returns of a GARCH(1,1) from Philox normals keyed by (seed, path, step):
 * stream 0 drives z_t; for 't' (integer nu <= 64 only) streams 1..nu give the chi-square
 * nu variate w_t = sum_k z_{k,t}^2 and z_t = N_t sqrt((nu - 2) / w_t), which has unit variance.
 * The recursion starts at the unconditional variance.
 */
export function simulateGarch(p: GarchParams, n: number, opts: GarchSimulationOptions = {}): Float64Array {
  const fn = 'simulateGarch';
  checkParams(fn, p);
  expectInt(fn, 'n', n, 1, 2 ** 28);
  const burnIn = opts.burnIn ?? 500;
  expectInt(fn, 'opts.burnIn', burnIn, 0, 1e7);
  const dist = opts.dist ?? 'normal';
  const seed = opts.seed ?? 0, path = opts.path ?? 0;
  const steps = n + burnIn;
  const z = philoxNormal({ seed, paths: 1, steps, pathOffset: path, stream: 0 });
  if (dist === 't') {
    const nu = p.nu;
    if (nu === undefined || !Number.isInteger(nu) || nu < 3 || nu > 64) {
      throw new RangeError(`${fn}: simulating 't' needs an integer nu in [3, 64], got ${describeValue(nu)}`);
    }
    const w = new Float64Array(steps);
    for (let k = 1; k <= nu; k++) {
      const zk = philoxNormal({ seed, paths: 1, steps, pathOffset: path, stream: k });
      for (let t = 0; t < steps; t++) w[t] = w[t]! + zk[t]! * zk[t]!;
    }
    for (let t = 0; t < steps; t++) z[t] = z[t]! * Math.sqrt((nu - 2) / w[t]!);
  } else if (dist !== 'normal') throw new RangeError(`${fn}: opts.dist must be 'normal' or 't', got ${describeValue(dist)}`);
  const out = new Float64Array(n);
  let h = p.omega / (1 - p.alpha - p.beta);
  for (let t = 0; t < steps; t++) {
    const e = Math.sqrt(h) * z[t]!;
    if (t >= burnIn) out[t - burnIn] = p.mu + e;
    h = p.omega + p.alpha * e * e + p.beta * h;
  }
  return out;
}
