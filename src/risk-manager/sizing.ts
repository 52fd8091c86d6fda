/**
 * Position sizing rules, as pure functions (hand-checkable; tests/riskmgr.sizing.test.ts).
 *
 *   fixed-fractional   qty = f E / (d m)          f risk fraction, E equity, d stop distance
 *                                                 (price units), m contract multiplier
 *   ATR                d = k ATR, then fixed-fractional
 *   Kelly              f* = p - (1 - p) / b       p win probability, b payoff (avg win / avg loss, in R);
 *                      f = clamp(c f*, 0, cap)    c the fractional multiplier; f is the fraction of
 *                                                 equity risked at the stop: qty = f E / (d m)
 *   multi-outcome      f* = argmax_f sum_i p_i ln(1 + f r_i)   (outcomes per unit risked:
 *   Kelly                 win +b, loss -1, flat 0, ...), solved on G'(f) = sum p_i r_i / (1 + f r_i) = 0
 *   vol targeting      the largest weight x >= 0 of the new position (signed by its side s) with
 *                      (w + s x e_k)' S (w + s x e_k) <= T^2: w the current weights (signed
 *                      notional / equity), S the annualised covariance, T the target volatility:
 *                      x = (-b + sqrt(b^2 - a c)) / a, a = S_kk, b = s (S w)_k, c = w'Sw - T^2
 *                      (one asset alone: x = T / sigma); qty = x E / (price m)
 *   confidence         factor = min + (max - min) (c - floor) / (1 - floor); c < floor: refused
 *   performance        factor = clamp(hitRate / baseline, min, max) (1 until minTrades closed trades)
 *   constraints        whole lots (rounded down), minimum notional, leverage.
 */
import { describeValue } from '../errors.js';
import { roundQty } from '../trading/instrument.js';

function finitePositive(name: string, v: number): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${describeValue(v)}`);
}

/** Units whose loss at the stop is `riskFraction` of equity. */
export function fixedFractionalQty(equity: number, riskFraction: number, stopDistance: number, multiplier = 1): number {
  finitePositive('equity', equity);
  finitePositive('riskFraction', riskFraction);
  finitePositive('stopDistance', stopDistance);
  finitePositive('multiplier', multiplier);
  return (riskFraction * equity) / (stopDistance * multiplier);
}

/** Stop distance of `multiple` ATRs. */
export function atrStopDistance(atr: number, multiple: number): number {
  finitePositive('atr', atr);
  finitePositive('multiple', multiple);
  return atr * multiple;
}

/** Full Kelly fraction for a binary bet: p - (1 - p) / b (may be negative: no edge). */
export function kellyFraction(p: number, payoff: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`winProbability must be in [0, 1], got ${describeValue(p)}`);
  finitePositive('payoff', payoff);
  return p - (1 - p) / payoff;
}

/** clamp(fraction * f, 0, cap). */
export function capKelly(f: number, fraction: number, cap: number): number {
  return Math.min(Math.max(fraction * f, 0), cap);
}

export interface Outcome {
  /** Probability. */
  p: number;
  /** Return per unit risked (+1.5 = win 1.5R, -1 = lose the stake, 0 = flat). */
  r: number;
}

/**
 * Growth-optimal fraction for several outcomes: maximises sum p ln(1 + f r) over f in
 * [0, 1 / max loss). G is concave, so G'(f) = sum p r / (1 + f r) decreases: bisection on G'.
 * 0 when the expectation sum p r <= 0; Infinity when no outcome loses.
 */
export function multiOutcomeKelly(outcomes: readonly Outcome[]): number {
  if (!Array.isArray(outcomes) || outcomes.length === 0) throw new RangeError('outcomes must be a non-empty array');
  let total = 0, ev = 0, worst = 0;
  outcomes.forEach((o, i) => {
    if (!(o.p >= 0 && o.p <= 1)) throw new RangeError(`outcomes[${i}].p must be in [0, 1], got ${describeValue(o.p)}`);
    if (!Number.isFinite(o.r)) throw new RangeError(`outcomes[${i}].r must be a finite number, got ${describeValue(o.r)}`);
    total += o.p;
    ev += o.p * o.r;
    worst = Math.min(worst, o.r);
  });
  if (Math.abs(total - 1) > 1e-9) throw new RangeError(`outcome probabilities must sum to 1, got ${total}`);
  if (ev <= 0) return 0;
  if (worst >= 0) return Infinity;
  const dG = (f: number): number => outcomes.reduce((s, o) => s + (o.p * o.r) / (1 + f * o.r), 0);
  let lo = 0, hi = 1 / -worst; // G' -> -inf as f -> hi
  for (let k = 0; k < 200 && hi - lo > 1e-15; k++) {
    const mid = (lo + hi) / 2;
    if (dG(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Weight (fraction of equity, >= 0) of a new position in asset `k` on side `sign` (+1 long,
 * -1 short) that brings the portfolio's annualised volatility up to `target`, given the
 * current signed weights `w` and the annualised covariance `cov` (row-major n x n).
 * 0 when the portfolio is already at or above the target.
 */
export function volTargetWeight(w: ArrayLike<number>, cov: ArrayLike<number>, k: number, sign: 1 | -1, target: number): number {
  const n = w.length;
  if (cov.length !== n * n) throw new RangeError(`cov must hold n*n = ${n * n} entries for ${n} weights, got ${cov.length}`);
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`k must be an index in [0, ${n - 1}], got ${describeValue(k)}`);
  finitePositive('target', target);
  const a = cov[k * n + k]!;
  if (!(a > 0)) return 0; // no measured volatility: cannot target
  let sw = 0, wsw = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += cov[i * n + j]! * w[j]!;
    wsw += w[i]! * row;
    if (i === k) sw = row;
  }
  const b = sign * sw, c = wsw - target * target;
  if (c >= 0) return 0;
  const disc = b * b - a * c;
  return Math.max(0, (-b + Math.sqrt(disc)) / a);
}

export interface ConfidenceScaling {
  floor: number;
  min: number;
  max: number;
}

/** Size factor from a calibrated confidence in [0, 1]; undefined when below the floor (refuse). */
export function confidenceFactor(c: number, s: ConfidenceScaling): number | undefined {
  if (!(c >= 0 && c <= 1)) throw new RangeError(`confidence must be in [0, 1], got ${describeValue(c)}`);
  if (c < s.floor) return undefined;
  return s.min + ((s.max - s.min) * (c - s.floor)) / (1 - s.floor);
}

export interface PerformanceScaling {
  minTrades: number;
  baseline: number;
  min: number;
  max: number;
}

/** Size factor from a source's recent hit rate over `trades` closed trades (1 with too few). */
export function performanceFactor(hitRate: number, trades: number, s: PerformanceScaling): number {
  if (trades < s.minTrades || !Number.isFinite(hitRate)) return 1;
  return Math.min(Math.max(hitRate / s.baseline, s.min), s.max);
}

export interface LotConstraints {
  lotSize: number;
  minNotional: number;
  multiplier: number;
}

/**
 * Rounds a quantity down to whole lots and checks the minimum notional at `price`.
 * Returns the quantity, or a reason it cannot be traded.
 */
export function applyLotConstraints(qty: number, price: number, c: LotConstraints): { qty: number } | { reason: string } {
  const q = roundQty(Math.max(qty, 0), c.lotSize);
  if (q <= 0) return { reason: `size ${qty.toPrecision(6)} rounds to 0 lots of ${c.lotSize}` };
  const notional = q * price * c.multiplier;
  if (c.minNotional > 0 && notional < c.minNotional) return { reason: `notional ${notional.toFixed(2)} is below the minimum ${c.minNotional}` };
  return { qty: q };
}
