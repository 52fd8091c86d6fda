/**
 * Model specifications of the Monte Carlo engine (typed, user-facing) and their packing into
 * mc.simulate's (model id, params, data) form. Validation here names the field as the user
 * wrote it (`model.sigma`, `model.corr[0][1]`, ...). Feller-condition violations of Heston are
 * warnings, not errors (full truncation keeps the variance usable).
 */
import { describeValue } from '../errors.js';
import { cholesky } from '../risk/linalg.js';
import { MAX_ASSETS, MAX_BOOTSTRAP_LENGTH, MAX_NU, MODEL_IDS, type ModelName } from './model-params.js';

/** `gbm-f32`: the same model simulated in float32 (native/mc/mc_f32.h): the throughput variant. */
export interface GbmSpec { type: 'gbm' | 'gbm-f32'; s0: number; mu: number; sigma: number }
export interface MertonSpec { type: 'merton'; s0: number; mu: number; sigma: number; lambda: number; muJ: number; sigmaJ: number }
export interface HestonSpec { type: 'heston'; s0: number; mu: number; v0: number; kappa: number; theta: number; xi: number; rho: number }
/** Per-step parameters (as fitted on per-bar returns): r = mu + sqrt(h) e, h' = omega + alpha eps^2 + beta h. */
export interface GarchSpec { type: 'garch'; s0: number; mu: number; omega: number; alpha: number; beta: number; h0?: number; nu?: number }
export interface BootstrapSpec { type: 'bootstrap'; s0: number; returns: Float64Array }
export interface BlockBootstrapSpec { type: 'block-bootstrap'; s0: number; returns: Float64Array; meanBlock: number }
/**
 * Correlated GBM portfolio. Give `cov` (annualized covariance, n x n) or `sigma` + `corr`; and
 * `qty` (positions) or `weights` + `notional` (qty_a = weights_a notional / s0_a).
 */
export interface MultiGbmSpec {
  type: 'multi-gbm';
  s0: number[];
  mu: number[];
  cov?: number[][];
  sigma?: number[];
  corr?: number[][];
  qty?: number[];
  weights?: number[];
  notional?: number;
}
export type ModelSpec = GbmSpec | MertonSpec | HestonSpec | GarchSpec | BootstrapSpec | BlockBootstrapSpec | MultiGbmSpec;

export interface PackedModel {
  name: ModelName;
  id: number;
  params: Float64Array;
  data: Float64Array;
  /** Initial monitored value (price, or portfolio value). */
  v0: number;
  warnings: string[];
}

function field(name: string, v: unknown, rule: 'finite' | 'positive' | 'nonneg', extra?: [number, number]): number {
  if (typeof v !== 'number') throw new TypeError(`mc: ${name} must be a number, got ${describeValue(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`mc: ${name} must be finite, got ${describeValue(v)}`);
  if (rule === 'positive' && !(v > 0)) throw new RangeError(`mc: ${name} must be > 0, got ${describeValue(v)}`);
  if (rule === 'nonneg' && !(v >= 0)) throw new RangeError(`mc: ${name} must be >= 0, got ${describeValue(v)}`);
  if (extra && !(v >= extra[0] && v <= extra[1])) throw new RangeError(`mc: ${name} must be in [${extra[0]}, ${extra[1]}], got ${describeValue(v)}`);
  return v;
}

function returnsField(name: string, r: unknown): Float64Array {
  if (!(r instanceof Float64Array)) throw new TypeError(`mc: ${name} must be a Float64Array of log returns, got ${describeValue(r)}`);
  if (r.length < 2 || r.length > MAX_BOOTSTRAP_LENGTH) throw new RangeError(`mc: ${name} must have between 2 and ${MAX_BOOTSTRAP_LENGTH} returns, got ${r.length}`);
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw new RangeError(`mc: ${name}[${i}] must be finite, got ${describeValue(r[i])}`);
  return r;
}

function vector(name: string, v: unknown, n: number | undefined, rule: 'finite' | 'positive' | 'nonneg'): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) throw new TypeError(`mc: ${name} must be an array of numbers, got ${describeValue(v)}`);
  const a = Array.from(v as ArrayLike<number>);
  if (n !== undefined && a.length !== n) throw new RangeError(`mc: ${name} must have ${n} entries (one per asset), got ${a.length}`);
  a.forEach((x, i) => field(`${name}[${i}]`, x, rule));
  return a;
}

function matrix(name: string, m: unknown, n: number): number[] {
  if (!Array.isArray(m) || m.length !== n) throw new RangeError(`mc: ${name} must be an ${n} x ${n} array of rows, got ${describeValue(m)}`);
  const flat: number[] = [];
  m.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n) throw new RangeError(`mc: ${name}[${i}] must be a row of ${n} numbers, got ${describeValue(row)}`);
    row.forEach((x: unknown, j) => flat.push(field(`${name}[${i}][${j}]`, x, 'finite')));
  });
  return flat;
}

/** Validates a model spec (errors name the field) and packs it for mc.simulate. */
export function packModel(spec: ModelSpec): PackedModel {
  if (typeof spec !== 'object' || spec === null) throw new TypeError(`mc: model must be an object, got ${describeValue(spec)}`);
  const type = (spec as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in MODEL_IDS)) throw new RangeError(`mc: model.type must be one of ${Object.keys(MODEL_IDS).join(', ')}; got ${describeValue(type)}`);
  const name = type as ModelName;
  const id = MODEL_IDS[name];
  const warnings: string[] = [];
  const none = new Float64Array(0);
  switch (spec.type) {
    case 'gbm':
    case 'gbm-f32': {
      const s0 = field('model.s0', spec.s0, 'positive'), mu = field('model.mu', spec.mu, 'finite'), sigma = field('model.sigma', spec.sigma, 'nonneg');
      return { name, id, params: Float64Array.of(s0, mu, sigma), data: none, v0: s0, warnings };
    }
    case 'merton': {
      const s0 = field('model.s0', spec.s0, 'positive');
      const p = [s0, field('model.mu', spec.mu, 'finite'), field('model.sigma', spec.sigma, 'nonneg'), field('model.lambda', spec.lambda, 'nonneg'),
        field('model.muJ', spec.muJ, 'finite'), field('model.sigmaJ', spec.sigmaJ, 'nonneg')];
      return { name, id, params: Float64Array.from(p), data: none, v0: s0, warnings };
    }
    case 'heston': {
      const s0 = field('model.s0', spec.s0, 'positive');
      const kappa = field('model.kappa', spec.kappa, 'nonneg'), theta = field('model.theta', spec.theta, 'nonneg'), xi = field('model.xi', spec.xi, 'nonneg');
      const p = [s0, field('model.mu', spec.mu, 'finite'), field('model.v0', spec.v0, 'nonneg'), kappa, theta, xi, field('model.rho', spec.rho, 'finite', [-1, 1])];
      if (2 * kappa * theta <= xi * xi) {
        warnings.push(`Feller condition 2 kappa theta > xi^2 is violated (2 * ${kappa} * ${theta} = ${2 * kappa * theta} <= ${xi}^2 = ${xi * xi}): the variance can reach 0; full-truncation Euler keeps it usable but the discretization bias grows`);
      }
      return { name, id, params: Float64Array.from(p), data: none, v0: s0, warnings };
    }
    case 'garch': {
      const s0 = field('model.s0', spec.s0, 'positive');
      const omega = field('model.omega', spec.omega, 'positive'), alpha = field('model.alpha', spec.alpha, 'nonneg'), beta = field('model.beta', spec.beta, 'nonneg');
      if (!(alpha + beta < 1)) throw new RangeError(`mc: model.alpha + model.beta must be < 1 (covariance stationarity), got ${alpha + beta}`);
      const h0 = spec.h0 === undefined ? omega / (1 - alpha - beta) : field('model.h0', spec.h0, 'positive');
      let nu = spec.nu === undefined ? 0 : field('model.nu', spec.nu, 'nonneg');
      if (nu !== 0) {
        if (nu <= 2) throw new RangeError(`mc: model.nu must be > 2 (finite variance) or 0 for normal innovations, got ${nu}`);
        const rounded = Math.min(MAX_NU, Math.max(3, Math.round(nu)));
        if (rounded !== nu) warnings.push(`model.nu = ${nu} rounded to ${rounded}: Student-t draws use a chi-square of nu squared normals (a fixed number of draws per step), so nu must be an integer`);
        nu = rounded;
      }
      return { name, id, params: Float64Array.of(s0, field('model.mu', spec.mu, 'finite'), omega, alpha, beta, h0, nu), data: none, v0: s0, warnings };
    }
    case 'bootstrap': {
      const s0 = field('model.s0', spec.s0, 'positive');
      return { name, id, params: Float64Array.of(s0), data: returnsField('model.returns', spec.returns), v0: s0, warnings };
    }
    case 'block-bootstrap': {
      const s0 = field('model.s0', spec.s0, 'positive');
      const mb = field('model.meanBlock', spec.meanBlock, 'finite');
      if (!(mb >= 1)) throw new RangeError(`mc: model.meanBlock must be >= 1, got ${mb}`);
      return { name, id, params: Float64Array.of(s0, mb), data: returnsField('model.returns', spec.returns), v0: s0, warnings };
    }
    case 'multi-gbm': {
      const s0 = vector('model.s0', spec.s0, undefined, 'positive');
      const n = s0.length;
      if (n < 1 || n > MAX_ASSETS) throw new RangeError(`mc: model.s0 must have between 1 and ${MAX_ASSETS} assets, got ${n}`);
      const mu = vector('model.mu', spec.mu, n, 'finite');
      let cov: number[];
      if (spec.cov !== undefined) {
        if (spec.corr !== undefined || spec.sigma !== undefined) throw new RangeError('mc: give model.cov or model.sigma + model.corr, not both');
        cov = matrix('model.cov', spec.cov, n);
        for (let i = 0; i < n; i++) if (!(cov[i * n + i]! >= 0)) throw new RangeError(`mc: model.cov[${i}][${i}] (a variance) must be >= 0, got ${cov[i * n + i]}`);
      } else {
        if (spec.sigma === undefined || spec.corr === undefined) throw new RangeError('mc: multi-gbm needs model.cov, or model.sigma and model.corr');
        const sigma = vector('model.sigma', spec.sigma, n, 'nonneg');
        const corr = matrix('model.corr', spec.corr, n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const c = corr[i * n + j]!;
            if (!(c >= -1 && c <= 1)) throw new RangeError(`mc: model.corr[${i}][${j}] must be in [-1, 1], got ${c}`);
            if (i === j && c !== 1) throw new RangeError(`mc: model.corr[${i}][${i}] must be 1, got ${c}`);
          }
        }
        cov = corr.map((c, k) => c * sigma[Math.floor(k / n)]! * sigma[k % n]!);
      }
      const covField = spec.cov !== undefined ? 'mc: model.cov' : 'mc: model.corr';
      let L: Float64Array;
      try {
        L = cholesky(Float64Array.from(cov), n);
      } catch (e) {
        // Name the model field, not the linear-algebra helper's argument.
        throw new RangeError(`${covField} ${(e as Error).message.replace(/^cholesky: cov /, '')}`);
      }
      let qty: number[];
      if (spec.qty !== undefined) {
        if (spec.weights !== undefined) throw new RangeError('mc: give model.qty or model.weights (+ notional), not both');
        qty = vector('model.qty', spec.qty, n, 'finite');
      } else {
        const w = spec.weights === undefined ? Array.from({ length: n }, () => 1 / n) : vector('model.weights', spec.weights, n, 'finite');
        const notional = spec.notional === undefined ? 1 : field('model.notional', spec.notional, 'positive');
        qty = w.map((x, a) => (x * notional) / s0[a]!);
      }
      const v0 = qty.reduce((acc, q, a) => acc + q * s0[a]!, 0);
      if (!(v0 > 0)) throw new RangeError(`mc: initial portfolio value sum(qty * s0) must be > 0, got ${v0}`);
      return { name, id, params: Float64Array.from([n, ...s0, ...mu, ...qty]), data: L, v0, warnings };
    }
    default:
      throw new RangeError(`mc: model.type must be one of ${Object.keys(MODEL_IDS).join(', ')}; got ${describeValue(type)}`);
  }
}
