/**
 * Fitting Monte Carlo model parameters to a series of log returns (one per bar, `barsPerYear`
 * bars a year), for `neurion mc --fit` and the API. Every fitter returns the model spec the
 * engine takes plus what it found (log-likelihood, iterations, method), so a report can say
 * how the numbers were obtained.
 *
 *   gbm / gbm-f32  sigma^2 = sample variance * barsPerYear; mu = mean * barsPerYear + sigma^2 / 2
 *                  (so that E[S_T] = S0 e^{mu T} matches the sample's mean log return).
 *   garch          maximum likelihood (src/risk/garch.ts fitGarch: normal or Student-t
 *                  innovations, Nelder-Mead on transformed parameters, several starts). The
 *                  engine's GARCH runs in per-bar units: one step = one bar, h0 = the fitted
 *                  one-step-ahead variance after the last observation.
 *   merton         maximum likelihood of the per-bar Poisson mixture of normals
 *                    r ~ sum_n Pois(n; lambda dt) N(a + n muJ, sigma^2 dt + n sigmaJ^2),
 *                  a = (mu - lambda k - sigma^2 / 2) dt, k = e^{muJ + sigmaJ^2/2} - 1,
 *                  truncated at n = 12 jumps per bar (lambda dt <= 0.5 enforced, so the
 *                  truncated mass is < 1e-12); Nelder-Mead on (a, log sigma, log lambda, muJ,
 *                  log sigmaJ) from several starts.
 *   heston         NOT maximum likelihood (the variance is latent; a filter-based MLE is out of
 *                  scope here). v_t = annualized mean of squared demeaned returns over a
 *                  trailing window (default 21 bars). theta and kappa from the weighted
 *                  (1 / v) least-squares regression of the proxy's change over one window,
 *                  v_{t+w} - v_t = (e^{-kappa w dt} - 1)(v_t - theta) + noise. A realized-variance
 *                  proxy is far too noisy to read xi and rho off its increments (their
 *                  correlation with the return shocks is attenuated ~7x), so xi and rho come
 *                  from indirect inference: Heston bars are simulated (full-truncation Euler,
 *                  4 sub-steps, common random numbers) and xi, rho chosen by bisection so that
 *                  the simulated variance-of-variance and leverage statistics
 *                  (hestonStatistics) equal the data's. Recovery on simulated series is tested.
 */
import { describeValue } from '../errors.js';
import { fitGarch, type GarchDist } from '../risk/garch.js';
import { nelderMead } from '../risk/optimize.js';
import { mean as sampleMean, variance as sampleVariance } from '../risk/stats.js';
import { TestRng } from '../util/rng.js';
import type { GarchSpec, GbmSpec, HestonSpec, MertonSpec } from './models.js';

export interface FitInfo {
  method: string;
  observations: number;
  barsPerYear: number;
  logLik?: number;
  iterations?: number;
  converged?: boolean;
  notes?: string[];
}

function checkReturns(fn: string, r: Float64Array, min: number): void {
  if (!(r instanceof Float64Array)) throw new TypeError(`${fn}: returns must be a Float64Array, got ${describeValue(r)}`);
  if (r.length < min) throw new RangeError(`${fn}: returns must have at least ${min} observations, got ${r.length}`);
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw new RangeError(`${fn}: returns[${i}] must be finite, got ${describeValue(r[i])}`);
}

function checkPpy(fn: string, ppy: number): void {
  if (!(typeof ppy === 'number' && Number.isFinite(ppy) && ppy > 0)) throw new RangeError(`${fn}: barsPerYear must be a finite number > 0, got ${describeValue(ppy)}`);
}

function meanVar(r: Float64Array): { mean: number; variance: number } {
  return { mean: sampleMean(r), variance: sampleVariance(r) };
}

export function fitGbm(returns: Float64Array, barsPerYear: number, s0: number, type: 'gbm' | 'gbm-f32' = 'gbm'): { model: GbmSpec; info: FitInfo } {
  const fn = 'fitGbm';
  checkReturns(fn, returns, 2);
  checkPpy(fn, barsPerYear);
  const { mean, variance } = meanVar(returns);
  const sigma = Math.sqrt(variance * barsPerYear);
  return {
    model: { type, s0, mu: mean * barsPerYear + 0.5 * sigma * sigma, sigma },
    info: { method: 'moments of log returns (annualized)', observations: returns.length, barsPerYear },
  };
}

export function fitGarchModel(returns: Float64Array, barsPerYear: number, s0: number, dist: GarchDist = 'normal'): { model: GarchSpec; info: FitInfo } {
  checkPpy('fitGarchModel', barsPerYear);
  const f = fitGarch(returns, { dist });
  const notes = ['per-bar units: one Monte Carlo step = one bar of the fitted series; h0 = the one-step-ahead conditional variance after the last bar'];
  const model: GarchSpec = { type: 'garch', s0, mu: f.mu, omega: f.omega, alpha: f.alpha, beta: f.beta, h0: f.nextVariance };
  if (dist === 't') {
    model.nu = Math.min(200, Math.max(3, Math.round(f.nu!)));
    notes.push(`fitted nu = ${f.nu!.toFixed(3)}, rounded to ${model.nu} for simulation (chi-square of nu normals)`);
  }
  return {
    model,
    info: { method: `maximum likelihood, GARCH(1,1) with ${dist === 't' ? 'Student-t' : 'normal'} innovations (Nelder-Mead)`, observations: returns.length, barsPerYear, logLik: f.logLik, iterations: f.iterations, converged: f.converged, notes },
  };
}

const MERTON_MAX_JUMPS = 12;
const LN_2PI = Math.log(2 * Math.PI);

/** Log-likelihood of per-bar returns under Merton (Poisson mixture truncated at 12 jumps). */
export function mertonLogLikelihood(returns: Float64Array, dt: number, p: { a: number; sigma: number; lambda: number; muJ: number; sigmaJ: number }): number {
  const ld = p.lambda * dt;
  // Per jump count n: log weight - log sqrt(2 pi v_n), and 1 / (2 v_n); terms past the
  // Poisson tail's 1e-15 are dropped (they cannot change a double sum).
  const c: number[] = [], h: number[] = [], mu: number[] = [];
  let logw = -ld, cdf = 0;
  for (let n = 0; n <= MERTON_MAX_JUMPS; n++) {
    if (n > 0) logw += Math.log(ld / n);
    const v = p.sigma * p.sigma * dt + n * p.sigmaJ * p.sigmaJ;
    c.push(logw - 0.5 * (LN_2PI + Math.log(v)));
    h.push(0.5 / v);
    mu.push(p.a + n * p.muJ);
    cdf += Math.exp(logw);
    if (cdf > 1 - 1e-15) break;
  }
  const terms = c.length;
  let ll = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    let dens = 0;
    for (let n = 0; n < terms; n++) {
      const d = r - mu[n]!;
      dens += Math.exp(c[n]! - d * d * h[n]!);
    }
    ll += Math.log(Math.max(dens, 1e-300));
  }
  return ll;
}

export function fitMerton(returns: Float64Array, barsPerYear: number, s0: number): { model: MertonSpec; info: FitInfo } {
  const fn = 'fitMerton';
  checkReturns(fn, returns, 100);
  checkPpy(fn, barsPerYear);
  const dt = 1 / barsPerYear;
  const { mean, variance } = meanVar(returns);
  const sd = Math.sqrt(variance);
  const lambdaMax = 0.5 / dt;
  // x = [a / sd, log(sigma sqrt(dt) / sd), logit(lambda / lambdaMax), muJ / sd, log(sigmaJ / sd)]
  const unpack = (x: number[]): { a: number; sigma: number; lambda: number; muJ: number; sigmaJ: number } => ({
    a: x[0]! * sd,
    sigma: (Math.exp(x[1]!) * sd) / Math.sqrt(dt),
    lambda: lambdaMax / (1 + Math.exp(-x[2]!)),
    muJ: x[3]! * sd,
    sigmaJ: Math.exp(x[4]!) * sd,
  });
  const objective = (x: number[]): number => {
    const ll = mertonLogLikelihood(returns, dt, unpack(x));
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  let best: { x: number[]; f: number; iterations: number; converged: boolean } | null = null;
  let iterations = 0;
  // Starts: few large jumps down, frequent small symmetric jumps, rare large jumps both ways.
  for (const [lamFrac, muJ, sJ] of [[0.02, -2, 1.5], [0.1, 0, 1], [0.01, 0, 3]] as const) {
    const lam = lamFrac * lambdaMax;
    const x0 = [mean / sd, Math.log(0.8), Math.log(lam / (lambdaMax - lam)), muJ, Math.log(sJ)];
    const r = nelderMead(objective, x0, { step: 0.5, fTol: 1e-9, xTol: 1e-4, maxIterations: 2000 });
    iterations += r.iterations;
    if (best === null || r.f < best.f) best = { x: r.x, f: r.f, iterations: r.iterations, converged: r.converged };
  }
  const polish = nelderMead(objective, best!.x, { step: 0.05, fTol: 1e-11, xTol: 1e-6, maxIterations: 2000 });
  iterations += polish.iterations;
  const p = unpack(polish.f <= best!.f ? polish.x : best!.x);
  const k = Math.exp(p.muJ + 0.5 * p.sigmaJ * p.sigmaJ) - 1;
  const mu = p.a / dt + p.lambda * k + 0.5 * p.sigma * p.sigma;
  return {
    model: { type: 'merton', s0, mu, sigma: p.sigma, lambda: p.lambda, muJ: p.muJ, sigmaJ: p.sigmaJ },
    info: {
      method: 'maximum likelihood of the per-bar Poisson mixture of normals (<= 12 jumps per bar), Nelder-Mead from 3 starts + polish',
      observations: returns.length, barsPerYear, logLik: -Math.min(polish.f, best!.f), iterations, converged: polish.converged,
      notes: [`lambda is capped at ${lambdaMax.toFixed(1)} per year (0.5 expected jumps per bar)`],
    },
  };
}

/** Trailing realized variance (annualized) over `w` bars; NaN before the first full window. */
function realizedVariance(r: Float64Array, w: number, ppy: number, mean: number): Float64Array {
  const v = new Float64Array(r.length);
  let sq = 0;
  for (let t = 0; t < r.length; t++) {
    sq += (r[t]! - mean) ** 2;
    if (t >= w) sq -= (r[t - w]! - mean) ** 2;
    v[t] = t >= w - 1 ? Math.max(sq / w, 1e-12) * ppy : NaN;
  }
  return v;
}

/**
 * Two statistics of a return series that move monotonically with Heston's xi and rho:
 *   leverage  corr(z_t, (v_{t+w} - v_{t-1}) / v_{t-1}), z_t the return standardized by the
 *             variance before it, v the trailing realized variance (so v_{t+w} covers the w bars
 *             after t, v_{t-1} the w bars before);
 *   volOfVar  stdev of log(v_{t+w} / v_t) (non-overlapping windows' variance change).
 */
export function hestonStatistics(r: Float64Array, ppy: number, w: number): { leverage: number; volOfVar: number } {
  const n = r.length;
  const mean = sampleMean(r);
  const v = realizedVariance(r, w, ppy, mean);
  let a = 0, b = 0, c = 0, l1 = 0, l2 = 0, k = 0;
  for (let t = w; t + w < n; t++) {
    const z = (r[t]! - mean) / Math.sqrt(v[t - 1]! / ppy);
    const d = (v[t + w]! - v[t - 1]!) / v[t - 1]!;
    a += z * d; b += z * z; c += d * d;
    const lr = Math.log(v[t + w]! / v[t]!);
    l1 += lr; l2 += lr * lr; k++;
  }
  const m1 = l1 / k;
  return { leverage: a / Math.sqrt(b * c), volOfVar: Math.sqrt(Math.max(l2 / k - m1 * m1, 0)) };
}

/** Heston returns per bar (full-truncation Euler, `sub` steps per bar), common random numbers from `seed`. */
function simulateHestonBars(n: number, ppy: number, p: { v0: number; kappa: number; theta: number; xi: number; rho: number }, z: Float64Array, sub: number): Float64Array {
  const h = 1 / (ppy * sub), sh = Math.sqrt(h), rc = Math.sqrt(1 - p.rho * p.rho);
  const r = new Float64Array(n);
  let v = p.v0;
  for (let i = 0, j = 0; i < n; i++) {
    let x = 0;
    for (let s = 0; s < sub; s++, j += 2) {
      const z1 = z[j]!, z2 = p.rho * z1 + rc * z[j + 1]!;
      const vp = v > 0 ? v : 0, sv = Math.sqrt(vp) * sh;
      x += -0.5 * vp * h + sv * z1;
      v += p.kappa * (p.theta - vp) * h + p.xi * sv * z2;
    }
    r[i] = x;
  }
  return r;
}

/** Root of a monotone f on [lo, hi] by bisection (f(lo), f(hi) bracketing; else the nearer end). */
function bisect(f: (x: number) => number, lo: number, hi: number, iters = 30): number {
  let flo = f(lo);
  const fhi = f(hi);
  if (flo * fhi > 0) return Math.abs(flo) < Math.abs(fhi) ? lo : hi;
  for (let i = 0; i < iters; i++) {
    const mid = 0.5 * (lo + hi), fm = f(mid);
    if (fm * flo <= 0) hi = mid;
    else { lo = mid; flo = fm; }
  }
  return 0.5 * (lo + hi);
}

export function fitHeston(returns: Float64Array, barsPerYear: number, s0: number, window = 21): { model: HestonSpec; info: FitInfo } {
  const fn = 'fitHeston';
  if (!Number.isInteger(window) || window < 5) throw new RangeError(`${fn}: window must be an integer >= 5, got ${describeValue(window)}`);
  checkReturns(fn, returns, 4 * window + 50);
  checkPpy(fn, barsPerYear);
  const dt = 1 / barsPerYear;
  const { mean, variance } = meanVar(returns);
  const n = returns.length;
  const v = realizedVariance(returns, window, barsPerYear, mean);
  // kappa, theta: weighted least squares of the Euler step of the proxy over non-overlapping
  // windows, dv = c0 + c1 v over `window` bars (weights 1 / v).
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let t = window - 1; t + window < n; t++) {
    const x = v[t]!, y = v[t + window]! - x, w = 1 / x;
    sw += w; sx += w * x; sy += w * y; sxx += w * x * x; sxy += w * x * y;
  }
  const c1 = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  const c0 = (sy - c1 * sx) / sw;
  const notes: string[] = [];
  const span = window * dt;
  let kappa = -Math.log(Math.max(1 + c1, 1e-6)) / span, theta = -c0 / c1;
  if (!(c1 < 0) || !(theta > 0) || !Number.isFinite(kappa) || !Number.isFinite(theta)) {
    notes.push(`the variance regression found no mean reversion (slope ${c1.toPrecision(4)}): kappa set to 1 and theta to the sample variance`);
    kappa = 1;
    theta = variance * barsPerYear;
  }
  // xi and rho by indirect inference: simulate Heston bars with common random numbers and
  // match the data's volOfVar (monotone in xi) and leverage (monotone in rho) statistics.
  const sub = 4;
  const z = new Float64Array(2 * n * sub);
  const rng = new TestRng(20240607);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  const target = hestonStatistics(returns, barsPerYear, window);
  const v0 = v[n - 1]!;
  let xi = 0.5, rho = -0.5;
  const stats = (x: number, r: number): { leverage: number; volOfVar: number } =>
    hestonStatistics(simulateHestonBars(n, barsPerYear, { v0: theta, kappa, theta, xi: x, rho: r }, z, sub), barsPerYear, window);
  for (let round = 0; round < 2; round++) {
    xi = bisect((x) => stats(x, rho).volOfVar - target.volOfVar, 0.01, 5, 16);
    rho = bisect((r) => stats(xi, r).leverage - target.leverage, -0.99, 0.99, 16);
  }
  const mu = mean * barsPerYear + 0.5 * theta;
  notes.push(`kappa, theta from the ${window}-bar realized-variance regression; xi, rho by indirect inference (simulated Heston with common random numbers matching the data's variance-of-variance and leverage statistics: ${target.volOfVar.toFixed(4)}, ${target.leverage.toFixed(4)})`);
  if (2 * kappa * theta <= xi * xi) notes.push('the fitted parameters violate the Feller condition 2 kappa theta > xi^2');
  return {
    model: { type: 'heston', s0, mu, v0, kappa, theta, xi, rho },
    info: { method: `moment / indirect-inference estimator on a ${window}-bar realized-variance proxy (not maximum likelihood)`, observations: n, barsPerYear, notes },
  };
}
