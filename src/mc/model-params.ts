/**
 * mc.simulate's packed model parameters: the model ids, the layout of `params`/`data` per
 * model, validation (the same rules and wording as native/mc/mc_prepare.h) and the prepared
 * per-step constants the TypeScript reference uses (as the C++ Model struct).
 *
 *   id  model             params                                        data
 *   0   gbm               [s0, mu, sigma]                               -
 *   1   merton            [s0, mu, sigma, lambda, muJ, sigmaJ]          -
 *   2   heston            [s0, mu, v0, kappa, theta, xi, rho]           -
 *   3   garch             [s0, mu, omega, alpha, beta, h0, nu]          -      (per-step units; nu 0 = normal)
 *   4   bootstrap         [s0]                                          log returns
 *   5   block bootstrap   [s0, meanBlock]                               log returns
 *   6   multi-asset gbm   [n, s0[n], mu[n], qty[n]]                     Cholesky factor L of the annualized covariance (n x n, row-major, lower)
 *   7   gbm-f32           [s0, mu, sigma]                               -      (gbm in float32: native/mc/mc_f32.h)
 */
import { describeValue } from '../errors.js';

export const MODEL_IDS = { gbm: 0, merton: 1, heston: 2, garch: 3, bootstrap: 4, 'block-bootstrap': 5, 'multi-gbm': 6, 'gbm-f32': 7 } as const;
export type ModelName = keyof typeof MODEL_IDS;
export const MODEL_NAMES = Object.keys(MODEL_IDS) as ModelName[];
export const MODEL_COUNT = 8;
export const MAX_ASSETS = 64;
export const MAX_NU = 200;
export const MAX_BOOTSTRAP_LENGTH = 2 ** 21;

/** Philox stream per purpose (native/mc/mc_model.h has the table). */
export const STREAMS = { main: 0, variance: 1, jumpCount: 2, jumpSize: 3, index: 4, block: 5, chi: 7, asset0: 8 } as const;

/** The prepared model: per-step constants, exactly as the C++ Model struct. */
export interface PreparedModel {
  id: number;
  na: number;
  nu: number;
  poisMax: number;
  s0: number;
  v0: number;
  drift: number;
  vol: number;
  dt: number;
  sqdt: number;
  lamDt: number;
  p0: number;
  muJ: number;
  sigmaJ: number;
  mu: number;
  hv0: number;
  kappa: number;
  theta: number;
  xi: number;
  rho: number;
  rhoC: number;
  omega: number;
  alpha: number;
  beta: number;
  h0: number;
  pNew: number;
  n: number;
  /** bootstrap: returns; multi: L[na*na] | drift[na] | w[na] */
  aux: Float64Array;
}

function fmt(v: number): string {
  return String(v);
}

export function paramsLength(id: number, params: Float64Array): number {
  switch (id) {
    case 0: return 3;
    case 7: return 3;
    case 1: return 6;
    case 2: return 7;
    case 3: return 7;
    case 4: return 1;
    case 5: return 2;
    case 6: {
      if (params.length < 1) return 1;
      const n = params[0]!;
      if (!(n >= 1 && n <= MAX_ASSETS && Number.isInteger(n))) return -1;
      return 1 + 3 * n;
    }
    default: return -1;
  }
}

/** Smallest N with F(N) >= 1 - 2^-34 under mc_poisson's recurrence (<= 200). */
export function poissonCap(p0: number, lamDt: number): number {
  let n = 0, p = p0, f = p0;
  while (n < 200 && f < 1 - 5.820766091346741e-11) {
    n++;
    p = (p * lamDt) / n;
    f += p;
  }
  return n;
}

/** Validates (op-level, naming params[i]) and prepares a model. Throws RangeError/TypeError. */
export function prepareModel(op: string, id: number, params: Float64Array, data: Float64Array, dt: number): PreparedModel {
  const want = paramsLength(id, params);
  if (want < 0) throw new RangeError(`${op}: params[0] (assets) must be an integer in [1, ${MAX_ASSETS}], got ${describeValue(params[0])}`);
  if (params.length !== want) throw new RangeError(`${op}: params must have length ${want} for model ${id}, got ${params.length}`);
  if (typeof dt !== 'number') throw new TypeError(`${op}: dt must be a number, got ${describeValue(dt)}`);
  if (!(Number.isFinite(dt) && dt > 0)) throw new RangeError(`${op}: dt must be a finite number > 0, got ${describeValue(dt)}`);
  const get = (i: number, name: string, lo: number, hi: number, loOpen = false, hiOpen = false): number => {
    const v = params[i]!;
    const ok = Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    if (!ok) {
      const range = `${loOpen ? '(' : '['}${lo === -Infinity ? '-inf' : fmt(lo)}, ${hi === Infinity ? 'inf' : fmt(hi)}${hiOpen ? ')' : ']'}`;
      throw new RangeError(`${op}: ${name} (params[${i}]) must be a finite number in ${range}, got ${fmt(v)}`);
    }
    return v;
  };
  const inf = Infinity;
  const m: PreparedModel = {
    id, na: 0, nu: 0, poisMax: 0, s0: 0, v0: 0, drift: 0, vol: 0, dt, sqdt: Math.sqrt(dt), lamDt: 0, p0: 0, muJ: 0, sigmaJ: 0,
    mu: 0, hv0: 0, kappa: 0, theta: 0, xi: 0, rho: 0, rhoC: 0, omega: 0, alpha: 0, beta: 0, h0: 0, pNew: 0, n: 0, aux: new Float64Array(0),
  };
  if (id !== 6) {
    m.s0 = get(0, 's0', 0, inf, true);
    m.v0 = m.s0;
  }
  switch (id) {
    case 0:
    case 7: {
      const mu = get(1, 'mu', -inf, inf), sigma = get(2, 'sigma', 0, inf);
      m.drift = (mu - 0.5 * sigma * sigma) * dt;
      m.vol = sigma * m.sqdt;
      break;
    }
    case 1: {
      const mu = get(1, 'mu', -inf, inf), sigma = get(2, 'sigma', 0, inf);
      const lambda = get(3, 'lambda', 0, inf), muJ = get(4, 'muJ', -inf, inf), sigmaJ = get(5, 'sigmaJ', 0, inf);
      if (lambda * dt > 16) throw new RangeError(`${op}: lambda * dt (expected jumps per step) must be <= 16, got ${fmt(lambda * dt)}; use more steps`);
      const k = Math.exp(muJ + 0.5 * sigmaJ * sigmaJ) - 1;
      m.drift = (mu - lambda * k - 0.5 * sigma * sigma) * dt;
      m.vol = sigma * m.sqdt;
      m.lamDt = lambda * dt;
      m.p0 = Math.exp(-m.lamDt);
      m.poisMax = poissonCap(m.p0, m.lamDt);
      m.muJ = muJ;
      m.sigmaJ = sigmaJ;
      break;
    }
    case 2: {
      m.mu = get(1, 'mu', -inf, inf);
      m.hv0 = get(2, 'v0', 0, inf);
      m.kappa = get(3, 'kappa', 0, inf);
      m.theta = get(4, 'theta', 0, inf);
      m.xi = get(5, 'xi', 0, inf);
      m.rho = get(6, 'rho', -1, 1);
      m.rhoC = Math.sqrt(1 - m.rho * m.rho);
      break;
    }
    case 3: {
      m.mu = get(1, 'mu', -inf, inf);
      m.omega = get(2, 'omega', 0, inf, true);
      m.alpha = get(3, 'alpha', 0, 1);
      m.beta = get(4, 'beta', 0, 1);
      if (!(m.alpha + m.beta < 1)) throw new RangeError(`${op}: alpha + beta must be < 1 (covariance stationarity), got ${fmt(m.alpha + m.beta)}`);
      m.h0 = get(5, 'h0', 0, inf, true);
      const nu = get(6, 'nu', 0, MAX_NU);
      if (!(nu === 0 || (nu >= 3 && Number.isInteger(nu)))) throw new RangeError(`${op}: nu (params[6]) must be 0 (normal innovations) or an integer in [3, ${MAX_NU}], got ${fmt(nu)}`);
      m.nu = nu;
      break;
    }
    case 4:
    case 5: {
      if (id === 5) m.pNew = 1 / get(1, 'meanBlock', 1, inf);
      if (data.length < 1 || data.length > MAX_BOOTSTRAP_LENGTH) throw new RangeError(`${op}: data (returns) must have length in [1, ${MAX_BOOTSTRAP_LENGTH}], got ${data.length}`);
      for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) throw new RangeError(`${op}: data[${i}] (a return) must be finite, got ${fmt(data[i]!)}`);
      m.n = data.length;
      m.aux = data;
      break;
    }
    case 6: {
      const na = params[0]!;
      m.na = na;
      if (data.length !== na * na) throw new RangeError(`${op}: data (Cholesky factor) must have length assets^2 = ${na * na}, got ${data.length}`);
      const aux = new Float64Array(na * na + 2 * na);
      let v0 = 0;
      for (let a = 0; a < na; a++) {
        const s0 = get(1 + a, 's0', 0, inf, true);
        const mu = get(1 + na + a, 'mu', -inf, inf);
        const q = get(1 + 2 * na + a, 'qty', -inf, inf);
        let v = 0;
        for (let j = 0; j < na; j++) {
          const l = data[a * na + j]!;
          if (!Number.isFinite(l)) throw new RangeError(`${op}: data[${a * na + j}] (Cholesky factor) must be finite, got ${fmt(l)}`);
          if (j > a && l !== 0) throw new RangeError(`${op}: data (Cholesky factor) must be lower triangular: data[${a * na + j}] = ${fmt(l)}`);
          if (j === a && l < 0) throw new RangeError(`${op}: data (Cholesky factor) must have a non-negative diagonal: data[${a * na + j}] = ${fmt(l)}`);
          aux[a * na + j] = l;
          v += l * l;
        }
        aux[na * na + a] = (mu - 0.5 * v) * dt;
        aux[na * na + na + a] = q * s0;
        v0 += q * s0;
      }
      if (!(v0 > 0)) throw new RangeError(`${op}: initial portfolio value sum(qty * s0) must be > 0, got ${fmt(v0)}`);
      m.v0 = v0;
      m.aux = aux;
      break;
    }
    default:
      throw new RangeError(`${op}: model must be an integer in [0, ${MODEL_COUNT - 1}], got ${describeValue(id)}`);
  }
  return m;
}
