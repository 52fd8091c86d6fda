/**
 * The `mc.simulate` op: simulates paths [pathOffset, pathOffset + paths) of one model and
 * returns their accumulator (accumulator.ts; layout in native/mc/mc_acc.h). Nothing per path
 * is stored. TypeScript reference: reference.ts; C++: native/ops/mc.cpp + native/mc/;
 * CUDA: kernels/mc.cu.
 *
 * Not row-splittable by ComputePool's `rows` contract (chunk outputs are slices of one
 * output array, while accumulators merge): the Monte Carlo engine (engine.ts) cuts runs into
 * path chunks itself, runs each chunk as one pool task and merges the accumulators in chunk
 * order.
 */
import type { NativeAddon } from '../compute/backend.js';
import type { Comparison } from '../compute/compare.js';
import type { OpCase, OpDef, RealSeries } from '../compute/registry.js';
import { expectInteger, expectLength, expectNoOverlap, expectTyped } from '../compute/validate.js';
import { describeValue } from '../errors.js';
import type { TestRng } from '../util/rng.js';
import { ACC, ACC_HEADER, accLength, checkSpec, SPEC_LENGTH } from './accumulator.js';
import { MODEL_COUNT, prepareModel } from './model-params.js';
import { referenceSimulate } from './reference.js';
import { drawdownMoments, valueMoments } from './stats.js';

export interface McSimulateArgs {
  /** Model id (model-params.ts). */
  model: number;
  params: Float64Array;
  /** Returns (bootstrap) or the Cholesky factor (multi-asset); empty otherwise. */
  data: Float64Array;
  key: Uint32Array;
  pathOffset: number;
  paths: number;
  steps: number;
  /** Year fraction per step. */
  dt: number;
  /** histBins, histLo, histHi, ddBins, ddHi, barrier, ruinLevel, strike (accumulator.ts). */
  spec: Float64Array;
  out?: Float64Array;
}

/** The native entry point (both addons). */
export interface McAddon {
  mcSimulate(
    model: number, params: Float64Array, data: Float64Array, key: Uint32Array, pathOffset: number, paths: number,
    steps: number, dt: number, spec: Float64Array, out?: Float64Array, threads?: number,
  ): Float64Array;
}

const OP = 'mc.simulate';

export function validateSimulate(a: McSimulateArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${OP}: arguments must be an object, got ${describeValue(a)}`);
  expectInteger(OP, 'model', a.model, 0, MODEL_COUNT - 1);
  expectTyped(OP, 'params', a.params, 'Float64Array');
  expectTyped(OP, 'data', a.data, 'Float64Array');
  expectTyped(OP, 'key', a.key, 'Uint32Array');
  expectLength(OP, 'key', a.key, 2, 'two 32-bit words');
  expectInteger(OP, 'pathOffset', a.pathOffset, 0, Number.MAX_SAFE_INTEGER);
  expectInteger(OP, 'paths', a.paths, 1, 2 ** 40);
  if (a.pathOffset + a.paths > 2 ** 53) throw new RangeError(`${OP}: pathOffset + paths must be <= 2^53`);
  expectInteger(OP, 'steps', a.steps, 1, 2 ** 31);
  if (typeof a.dt !== 'number') throw new TypeError(`${OP}: dt must be a number, got ${describeValue(a.dt)}`);
  expectTyped(OP, 'spec', a.spec, 'Float64Array');
  expectLength(OP, 'spec', a.spec, SPEC_LENGTH, 'histBins, histLo, histHi, ddBins, ddHi, barrier, ruinLevel, strike');
  checkSpec(OP, a.spec);
  const m = prepareModel(OP, a.model, a.params, a.data, a.dt);
  if (a.steps * Math.max(1, m.nu) > 2 ** 34) throw new RangeError(`${OP}: steps * nu must be <= 2^34 (Philox step counter)`);
  if (a.out !== undefined) {
    expectTyped(OP, 'out', a.out, 'Float64Array');
    expectLength(OP, 'out', a.out, accLength(a.spec[0]!, a.spec[3]!), 'the accumulator length 40 + 2 histBins + 2 ddBins');
    expectNoOverlap(OP, 'out', a.out, 'params', a.params);
    expectNoOverlap(OP, 'out', a.out, 'data', a.data);
    expectNoOverlap(OP, 'out', a.out, 'spec', a.spec);
  }
}

function reference(a: McSimulateArgs): Float64Array {
  const m = prepareModel(OP, a.model, a.params, a.data, a.dt);
  return referenceSimulate(m, a.key, a.pathOffset, a.paths, a.steps, a.spec, a.out);
}

const EXACT_SLOTS = [ACC.count, ACC.barrierHits, ACC.ruinHits, ACC.underN, ACC.overN, ACC.ddOverN,
  ACC.version, ACC.bins, ACC.lo, ACC.hi, ACC.ddBins, ACC.ddHi, ACC.barrier, ACC.ruinLevel, ACC.strike] as const;
const CLOSE_SLOTS = [ACC.mean, ACC.min, ACC.max, ACC.payMean, ACC.ddMean, ACC.ddMin, ACC.ddMax, ACC.underSum, ACC.overSum, ACC.ddOverSum, ACC.v0] as const;

/**
 * Accumulator comparison: counts (paths, hits, histogram bins) exactly; values that are sums
 * or means of path values to rel 1e-9; variance/skew/kurtosis (not the raw M3/M4, which
 * cancel) to rel 1e-7 + abs 1e-9. Backends draw identical Philox bits; only the last ulps of
 * log/sin/cos/exp differ, which moves a path across a bin edge with probability ~1e-13.
 */
export function compareAccumulators(e: Float64Array, a: Float64Array, tol = { rel: 1e-9, momentRel: 1e-7, momentAbs: 1e-9 }): Comparison {
  const bad = (detail: string): Comparison => ({ ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstBad: 0, detail });
  if (!(a instanceof Float64Array)) return bad(`result is not a Float64Array: ${describeValue(a)}`);
  if (e.length !== a.length) return bad(`length ${a.length} != expected ${e.length}`);
  let maxAbs = 0, maxRel = 0;
  const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
  for (const s of EXACT_SLOTS) if (!same(e[s]!, a[s]!)) return bad(`header slot ${s}: expected ${e[s]}, got ${a[s]} (must be exact)`);
  const close = (x: number, y: number, rel: number, abs: number, what: string): string | null => {
    if (same(x, y)) return null;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return `${what}: expected ${x}, got ${y}`;
    const err = Math.abs(x - y);
    maxAbs = Math.max(maxAbs, err);
    if (x !== 0) maxRel = Math.max(maxRel, err / Math.abs(x));
    return err <= abs + rel * Math.abs(x) ? null : `${what}: expected ${x}, got ${y} (abs error ${err.toExponential(3)})`;
  };
  const scale = Math.max(Math.abs(e[ACC.mean]!), Math.abs(e[ACC.v0]!), 1e-300);
  for (const s of CLOSE_SLOTS) {
    const r = close(e[s]!, a[s]!, tol.rel, 1e-12 * scale, `header slot ${s}`);
    if (r) return bad(r);
  }
  const n = e[ACC.count]!;
  if (!Number.isNaN(e[ACC.strike]!)) {
    const r = close(e[ACC.payM2]! / n, a[ACC.payM2]! / n, tol.momentRel, tol.momentAbs * scale * scale, 'payoff M2 / n');
    if (r) return bad(r);
  }
  for (const [label, f] of [['value', valueMoments], ['drawdown', drawdownMoments]] as const) {
    const me = f(e), ma = f(a);
    for (const k of ['variance', 'skew', 'kurtosis'] as const) {
      const abs = k === 'variance' ? tol.momentAbs * (label === 'value' ? scale * scale : 1) : tol.momentAbs * 100;
      const r = close(me[k], ma[k], tol.momentRel, abs, `${label} ${k}`);
      if (r) return bad(r);
    }
  }
  const bins = e[ACC.bins]!, dd = e[ACC.ddBins]!;
  const countRanges: Array<[number, number]> = [[ACC_HEADER, ACC_HEADER + bins], [ACC_HEADER + 2 * bins, ACC_HEADER + 2 * bins + dd]];
  for (const [lo, hi] of countRanges) {
    for (let i = lo; i < hi; i++) if (e[i] !== a[i]) return bad(`histogram count at ${i}: expected ${e[i]}, got ${a[i]} (must be exact)`);
  }
  const sumRanges: Array<[number, number]> = [[ACC_HEADER + bins, ACC_HEADER + 2 * bins], [ACC_HEADER + 2 * bins + dd, ACC_HEADER + 2 * bins + 2 * dd]];
  for (const [lo, hi] of sumRanges) {
    for (let i = lo; i < hi; i++) {
      const r = close(e[i]!, a[i]!, tol.rel, 1e-12 * scale, `histogram sum at ${i}`);
      if (r) return bad(r);
    }
  }
  return { ok: true, maxAbsError: maxAbs, maxRelError: maxRel, firstBad: -1, detail: 'ok' };
}

/** A spec centred on the start value v0 (test helper). */
export function specAround(v0: number, width: number, opts: { bins?: number; ddBins?: number; barrier?: number; ruin?: number; strike?: number } = {}): Float64Array {
  return Float64Array.of(opts.bins ?? 64, v0 * (1 - width), v0 * (1 + width), opts.ddBins ?? 16, 1, opts.barrier ?? NaN, opts.ruin ?? NaN, opts.strike ?? NaN);
}

function key(rng: TestRng): Uint32Array {
  return new Uint32Array([rng.nextUint32(), rng.nextUint32()]);
}

function logReturns(close: Float64Array, max: number): Float64Array {
  const n = Math.min(close.length - 1, max);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.log(close[i + 1]! / close[i]!);
  return r;
}

export const mcSimulateOp: OpDef<McSimulateArgs, Float64Array> = {
  name: 'mc.simulate',
  summary: 'Monte Carlo paths of one model reduced to a mergeable accumulator (moments, histograms, drawdown, barrier/ruin counts, payoff)',
  validate: validateSimulate,
  reference,
  native: (addon: NativeAddon, a, threads) =>
    (addon as unknown as McAddon).mcSimulate(a.model, a.params, a.data, a.key, a.pathOffset, a.paths, a.steps, a.dt, a.spec, a.out, threads),
  conformance: {
    tolerance: 'counts and histogram bins exact; means/sums rel 1e-9; variance/skew/kurtosis rel 1e-7 (log/sin/cos/exp differ by ulps across math libraries)',
    randomCases(rng) {
      const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
      const cases: OpCase<McSimulateArgs>[] = [];
      const base = (model: number, params: number[], v0: number, paths: number, steps: number, data = new Float64Array(0), dt = 1 / 252, pathOffset = 0): McSimulateArgs => ({
        model, params: Float64Array.from(params), data, key: key(rng), pathOffset, paths, steps, dt,
        spec: specAround(v0, 0.3, { barrier: v0 * 1.08, ruin: v0 * 0.93, strike: v0 * u(0.95, 1.05) }),
      });
      cases.push({ label: 'gbm, 203 paths (lockstep groups + remainder), 37 steps', args: base(0, [100, u(-0.1, 0.2), u(0.05, 0.6)], 100, 203, 37) });
      cases.push({ label: 'gbm, one path, one step', args: base(0, [50, 0.05, 0.2], 50, 1, 1) });
      cases.push({ label: 'gbm, sigma 0 (deterministic)', args: base(0, [100, 0.05, 0], 100, 17, 9) });
      cases.push({ label: 'gbm, path offset beyond 2^32', args: base(0, [100, 0.03, 0.3], 100, 45, 21, undefined, 1 / 252, 2 ** 33 + rng.int(0, 1000)) });
      const dn = base(0, [100, 0.0, 0.4], 100, 64, 30);
      dn.spec = specAround(100, 0.3, { barrier: 90 });
      cases.push({ label: 'gbm, down barrier', args: dn });
      cases.push({ label: 'gbm-f32, 203 paths (16-lane groups + remainder), 37 steps', args: base(7, [100, u(-0.1, 0.2), u(0.05, 0.6)], 100, 203, 37) });
      cases.push({ label: 'gbm-f32, path offset beyond 2^32, 1 step', args: base(7, [100, 0.03, 0.3], 100, 33, 1, undefined, 1 / 252, 2 ** 33 + rng.int(0, 1000)) });
      cases.push({ label: 'merton', args: base(1, [100, 0.05, u(0.1, 0.3), u(0.5, 20), u(-0.1, 0.05), u(0.01, 0.2)], 100, 150, 40) });
      cases.push({ label: 'merton, frequent jumps', args: base(1, [100, 0.05, 0.2, 500, -0.01, 0.02], 100, 60, 25) });
      cases.push({ label: 'heston', args: base(2, [100, 0.03, 0.04, u(0.5, 3), u(0.02, 0.09), u(0.2, 0.9), u(-0.9, 0.2)], 100, 150, 40) });
      cases.push({ label: 'heston, Feller violated', args: base(2, [100, 0.03, 0.04, 0.5, 0.02, 1.0, -0.7], 100, 100, 50) });
      cases.push({ label: 'garch normal', args: base(3, [100, 0.0003, 2e-6, 0.08, 0.9, 1.5e-4, 0], 100, 120, 30) });
      cases.push({ label: 'garch t(5)', args: base(3, [100, 0.0002, 2e-6, 0.1, 0.85, 1e-4, 5], 100, 80, 23) });
      const rets = new Float64Array(257);
      for (let i = 0; i < rets.length; i++) rets[i] = 0.01 * rng.normal();
      cases.push({ label: 'bootstrap', args: base(4, [100], 100, 100, 31, rets) });
      cases.push({ label: 'block bootstrap, mean block 5', args: base(5, [100, 5], 100, 100, 31, rets) });
      const L = Float64Array.of(0.2, 0, 0, 0.1, 0.25, 0, -0.05, 0.02, 0.3);
      const multi = base(6, [3, 100, 50, 20, 0.05, 0.03, 0.08, 1, 2, -1], 180, 90, 22, L);
      cases.push({ label: 'multi-asset gbm, 3 assets with a short', args: multi });
      return cases;
    },
    realCases(series: RealSeries[]) {
      return series.filter((s) => s.close.length > 30).flatMap((s) => {
        const r = logReturns(s.close, 2000);
        const args = (model: number, params: number[]): McSimulateArgs => ({
          model, params: Float64Array.from(params), data: r, key: new Uint32Array([7, 0]), pathOffset: 0, paths: 40, steps: 20, dt: 1 / 252,
          spec: specAround(100, 0.5, { barrier: 110, ruin: 90, strike: 100 }),
        });
        return [
          { label: `${s.label} bootstrap`, args: args(4, [100]) },
          { label: `${s.label} block bootstrap`, args: args(5, [100, 10]) },
        ];
      });
    },
    compare: (e, a) => compareAccumulators(e, a),
    badCases: () => {
      const good = (): McSimulateArgs => ({
        model: 0, params: Float64Array.of(100, 0.05, 0.2), data: new Float64Array(0), key: new Uint32Array(2), pathOffset: 0, paths: 10, steps: 5,
        dt: 1 / 252, spec: specAround(100, 0.5),
      });
      const w = (patch: Partial<McSimulateArgs> | Record<string, unknown>): unknown => ({ ...good(), ...patch });
      return [
        { label: 'negative sigma', args: w({ params: Float64Array.of(100, 0.05, -0.2) }), error: RangeError, match: /sigma \(params\[2\]\) must be a finite number in \[0, inf\], got -0.2/ },
        { label: 'zero paths', args: w({ paths: 0 }), error: RangeError, match: /paths must be an integer/ },
        { label: 'zero s0', args: w({ params: Float64Array.of(0, 0.05, 0.2) }), error: RangeError, match: /s0 \(params\[0\]\)/ },
        { label: 'heston rho > 1', args: w({ model: 2, params: Float64Array.of(100, 0.05, 0.04, 1, 0.04, 0.3, 1.5) }), error: RangeError, match: /rho \(params\[6\]\) must be a finite number in \[-1, 1\], got 1.5/ },
        { label: 'params too short', args: w({ params: Float64Array.of(100, 0.05) }), error: RangeError, match: /params must have length 3 for model 0/ },
        { label: 'unknown model', args: w({ model: 9 }), error: RangeError, match: /model must be an integer in \[0, 7\]/ },
        { label: 'params as Array', args: w({ params: [100, 0.05, 0.2] }), error: TypeError, match: /params must be a Float64Array/ },
        { label: 'bootstrap without data', args: w({ model: 4, params: Float64Array.of(100) }), error: RangeError, match: /data \(returns\) must have length/ },
        { label: 'garch non-stationary', args: w({ model: 3, params: Float64Array.of(100, 0, 1e-6, 0.3, 0.8, 1e-4, 0) }), error: RangeError, match: /alpha \+ beta must be < 1/ },
        { label: 'garch fractional nu', args: w({ model: 3, params: Float64Array.of(100, 0, 1e-6, 0.1, 0.8, 1e-4, 4.5) }), error: RangeError, match: /nu \(params\[6\]\) must be 0/ },
        { label: 'multi-asset upper triangle', args: w({ model: 6, params: Float64Array.of(2, 100, 100, 0, 0, 1, 1), data: Float64Array.of(0.2, 0.1, 0, 0.2) }), error: RangeError, match: /lower triangular/ },
        { label: 'histHi <= histLo', args: w({ spec: Float64Array.of(10, 1, 1, 4, 1, NaN, NaN, NaN) }), error: RangeError, match: /spec\[2\] \(histHi\)/ },
        { label: 'zero dt', args: w({ dt: 0 }), error: RangeError, match: /dt must be a finite number > 0/ },
        { label: 'out wrong length', args: w({ out: new Float64Array(5) }), error: RangeError, match: /out must have length/ },
        { label: 'key of length 3', args: w({ key: new Uint32Array(3) }), error: RangeError, match: /key must have length 2/ },
      ];
    },
  },
};

export const MC_OPS = [mcSimulateOp] as const;
