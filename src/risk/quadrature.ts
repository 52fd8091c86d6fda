/**
 * Numerical integration for the risk analytics.
 *
 * - `gaussLegendre(n)`: nodes and weights on [-1, 1], computed by Newton iteration on the
 *   Legendre recurrence (to machine precision; cached per n).
 * - `integrateGaussLegendre(f, a, b, {nodes, panels})`: composite fixed-order rule.
 * - `integrateAdaptive(f, a, b, {absTol, relTol})`: adaptive Gauss-Kronrod 7/15 (the QUADPACK
 *   QK15 pair) with bisection of the interval with the largest error estimate until the sum
 *   of |K15 - G7| estimates is below max(absTol, relTol * |I|).
 * - `integrateToInfinity(f, a, opts)`: adaptive on [a, a+h], [a+h, a+3h], ... (doubling
 *   panels) until two consecutive panels contribute less than absTol: for integrands that decay
 *   (at least exponentially, as characteristic-function integrands do).
 */
import { describeValue } from '../errors.js';

const cache = new Map<number, { x: Float64Array; w: Float64Array }>();

/** Gauss-Legendre nodes (ascending) and weights on [-1, 1]. */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new RangeError(`gaussLegendre: n must be an integer in [1, 4096], got ${describeValue(n)}`);
  const hit = cache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n), w = new Float64Array(n);
  const m = Math.floor((n + 1) / 2);
  for (let i = 0; i < m; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = 1, p2 = 0;
      for (let j = 1; j <= n; j++) { const p3 = p2; p2 = p1; p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j; }
      pp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    // Recompute the derivative at the converged node for the weight.
    let p1 = 1, p2 = 0;
    for (let j = 1; j <= n; j++) { const p3 = p2; p2 = p1; p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j; }
    pp = (n * (z * p1 - p2)) / (z * z - 1);
    x[i] = -z; x[n - 1 - i] = z;
    w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * pp * pp);
  }
  if (n % 2 === 1) x[(n - 1) / 2] = 0;
  const r = { x, w };
  cache.set(n, r);
  return r;
}

/** Composite Gauss-Legendre: `panels` equal sub-intervals with `nodes` points each. */
export function integrateGaussLegendre(f: (x: number) => number, a: number, b: number, opts: { nodes?: number; panels?: number } = {}): number {
  const { x, w } = gaussLegendre(opts.nodes ?? 32);
  const panels = opts.panels ?? 1;
  const h = (b - a) / panels;
  let s = 0;
  for (let p = 0; p < panels; p++) {
    const c = a + (p + 0.5) * h, r = 0.5 * h;
    let ps = 0;
    for (let i = 0; i < x.length; i++) ps += w[i]! * f(c + r * x[i]!);
    s += ps * r;
  }
  return s;
}

// QUADPACK QK15: Kronrod nodes (xgk[1], xgk[3], xgk[5] and 0 are the Gauss 7-point nodes).
const XGK = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0];
const WGK = [0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518, 0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

function qk15(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const c = 0.5 * (a + b), h = 0.5 * (b - a);
  const fc = f(c);
  let resK = fc * WGK[7]!, resG = fc * WG[3]!;
  for (let j = 0; j < 7; j++) {
    const d = h * XGK[j]!;
    const f1 = f(c - d), f2 = f(c + d);
    resK += WGK[j]! * (f1 + f2);
    if (j % 2 === 1) resG += WG[(j - 1) / 2]! * (f1 + f2);
  }
  return { value: resK * h, error: Math.abs((resK - resG) * h) };
}

export interface AdaptiveOptions {
  absTol?: number;
  relTol?: number;
  /** Most sub-intervals (default 2000). */
  maxIntervals?: number;
}

export interface IntegrationResult {
  value: number;
  /** Sum of the |K15 - G7| estimates (a conservative error bound in practice). */
  error: number;
  intervals: number;
}

/** Adaptive Gauss-Kronrod 7/15 on [a, b]. */
export function integrateAdaptive(f: (x: number) => number, a: number, b: number, opts: AdaptiveOptions = {}): IntegrationResult {
  const absTol = opts.absTol ?? 1e-12, relTol = opts.relTol ?? 1e-12, maxIntervals = opts.maxIntervals ?? 2000;
  const parts: Array<{ a: number; b: number; value: number; error: number }> = [];
  const first = qk15(f, a, b);
  parts.push({ a, b, ...first });
  let value = first.value, error = first.error;
  while (error > Math.max(absTol, relTol * Math.abs(value)) && parts.length < maxIntervals) {
    let worst = 0;
    for (let i = 1; i < parts.length; i++) if (parts[i]!.error > parts[worst]!.error) worst = i;
    const p = parts[worst]!;
    const m = 0.5 * (p.a + p.b);
    if (m <= p.a || m >= p.b) break; // cannot split further
    const left = qk15(f, p.a, m), right = qk15(f, m, p.b);
    parts[worst] = { a: p.a, b: m, ...left };
    parts.push({ a: m, b: p.b, ...right });
    value = 0; error = 0;
    for (const q of parts) { value += q.value; error += q.error; }
  }
  return { value, error, intervals: parts.length };
}

/** Integral over [a, inf) of a decaying integrand (see the module comment). */
export function integrateToInfinity(f: (x: number) => number, a: number, opts: AdaptiveOptions & { firstPanel?: number; maxUpper?: number } = {}): IntegrationResult {
  const absTol = opts.absTol ?? 1e-12;
  let lo = a, h = opts.firstPanel ?? 10, value = 0, error = 0, intervals = 0, small = 0;
  const maxUpper = opts.maxUpper ?? 1e6;
  while (lo < maxUpper) {
    const r = integrateAdaptive(f, lo, lo + h, { ...opts, absTol: absTol / 4 });
    value += r.value; error += r.error; intervals += r.intervals;
    small = Math.abs(r.value) < absTol / 4 ? small + 1 : 0;
    if (small >= 2) break;
    lo += h;
    h *= 2;
  }
  return { value, error, intervals };
}
