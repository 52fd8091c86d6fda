/**
 * Each indicator as a compute op (`ta.<name>`): validation, the TypeScript reference over
 * the [rows x cols] matrices, the native adapter (one `ta` entry point in both addons), and
 * conformance cases. Registered in src/compute/registry.ts like any other op.
 */
import type { OpDef, RealSeries } from '../compute/registry.js';
import { compareArrays, type Comparison } from '../compute/compare.js';
import { expectAllocatable, expectInteger, expectLength, expectNoOverlap } from '../compute/validate.js';
import { describeValue } from '../errors.js';
import type { TestRng } from '../util/rng.js';
import { checkParams, INDICATORS } from './registry.js';
import { DEFAULT_TOLERANCE, type IndicatorSpec, type SeriesName } from './spec.js';

export interface TaArgs {
  inputs: Float64Array[];
  rows: number;
  cols: number;
  params: Float64Array | number[];
  outputs?: Float64Array[];
}

function validate(spec: IndicatorSpec, a: TaArgs): void {
  const who = `ta(${spec.name})`;
  if (typeof a !== 'object' || a === null) throw new TypeError(`${who}: arguments must be an object {inputs, rows, cols, params}, got ${describeValue(a)}`);
  if (!Array.isArray(a.inputs)) throw new TypeError(`${who}: inputs must be an array of Float64Array, got ${describeValue(a.inputs)}`);
  if (a.inputs.length !== spec.inputs.length) throw new RangeError(`${who}: inputs must hold ${spec.inputs.length} arrays, got ${a.inputs.length}`);
  expectInteger(who, 'rows', a.rows, 1, 2 ** 40);
  expectInteger(who, 'cols', a.cols, 1, 2 ** 40);
  const len = a.rows * a.cols;
  a.inputs.forEach((x, k) => {
    const nm = `inputs[${k}] (${spec.inputs[k]})`;
    if (!(x instanceof Float64Array)) throw new TypeError(`${who}: ${nm} must be a Float64Array, got ${describeValue(x)}`);
    expectLength(who, nm, x, len, 'rows * cols');
  });
  checkParams(spec, Array.from(a.params as ArrayLike<number>), a.cols);
  if (a.outputs === undefined) return expectAllocatable(who, len * spec.outputs.length);
  if (!Array.isArray(a.outputs)) throw new TypeError(`${who}: outputs must be an array of Float64Array, got ${describeValue(a.outputs)}`);
  if (a.outputs.length !== spec.outputs.length) throw new RangeError(`${who}: outputs must hold ${spec.outputs.length} arrays, got ${a.outputs.length}`);
  a.outputs.forEach((o, k) => {
    const nm = `outputs[${k}] (${spec.outputs[k]})`;
    if (!(o instanceof Float64Array)) throw new TypeError(`${who}: ${nm} must be a Float64Array, got ${describeValue(o)}`);
    expectLength(who, nm, o, len, 'rows * cols');
    a.inputs.forEach((x, j) => expectNoOverlap(who, nm, o, spec.inputs[j]!, x));
    for (let j = 0; j < k; j++) expectNoOverlap(who, nm, o, 'another output', a.outputs![j]!);
  });
}

function reference(spec: IndicatorSpec, a: TaArgs): Float64Array[] {
  const { rows, cols } = a;
  const outputs = a.outputs ?? spec.outputs.map(() => new Float64Array(rows * cols));
  const p = Array.from(a.params as ArrayLike<number>);
  for (let r = 0; r < rows; r++) {
    const ins = a.inputs.map((x) => x.subarray(r * cols, (r + 1) * cols));
    const outs = outputs.map((o) => o.subarray(r * cols, (r + 1) * cols));
    spec.reference(ins, p, outs);
  }
  return outputs;
}

/** Random OHLCV consistent with itself (low <= open, close <= high; volume > 0), n bars. */
export function randomOhlcv(rng: TestRng, n: number): Record<SeriesName, Float64Array> {
  // Hourly bars from a random start: several UTC days, so session-based indicators split.
  const time = new Float64Array(n);
  const t0 = Date.UTC(2020, 0, 1) + rng.int(0, 1000) * 3_600_000;
  for (let i = 0; i < n; i++) time[i] = t0 + i * 3_600_000;
  const open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  let p = 50 + 100 * rng.next();
  for (let i = 0; i < n; i++) {
    const o = p * Math.exp(0.01 * rng.normal());
    const c = o * Math.exp(0.02 * rng.normal());
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + 0.01 * Math.abs(rng.normal()));
    low[i] = Math.min(o, c) * (1 - 0.01 * Math.abs(rng.normal()));
    // Occasional flat bars and repeated closes exercise the division-by-range edge cases.
    if (rng.next() < 0.02) { high[i] = low[i] = open[i] = close[i] = c; }
    volume[i] = Math.floor(1e3 + 1e6 * rng.next() ** 3);
    p = c;
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = close[i]! * (0.5 + 0.2 * rng.normal() * 0.1) + 10 * rng.normal();
  return { time, open, high, low, close, volume, x: close, y };
}

/** Random parameter values within each parameter's test range. */
export function randomParams(spec: IndicatorSpec, rng: TestRng, cols: number): number[] {
  return spec.params.map((p) => {
    const [lo, hi] = spec.testRanges?.[p.name] ?? [p.min, Math.min(p.max, 50)];
    const top = p.maxIsLength ? Math.min(hi, cols) : hi;
    if (p.choices) {
      const keys = Object.keys(p.choices).map(Number).filter((k) => k >= lo && k <= top);
      return keys[rng.int(0, keys.length - 1)]!;
    }
    return p.integer ? rng.int(Math.ceil(lo), Math.floor(top)) : lo + (top - lo) * rng.next();
  });
}

function seriesInputs(spec: IndicatorSpec, s: RealSeries | Record<string, Float64Array>): Float64Array[] {
  return spec.inputs.map((name) => {
    const src = name === 'x' ? 'close' : name === 'y' ? 'y' : name;
    const v = (s as unknown as Record<string, Float64Array | undefined>)[src];
    if (v) return v;
    // Real series have no `y`: pair the close with the open as a second, correlated series.
    return (s as RealSeries).open;
  });
}

export function indicatorOp(spec: IndicatorSpec): OpDef<TaArgs, Float64Array[]> {
  const tol = spec.tolerance ?? DEFAULT_TOLERANCE;
  return {
    name: `ta.${spec.name}`,
    summary: spec.summary,
    validate: (a) => validate(spec, a),
    reference: (a) => reference(spec, a),
    native: (addon, a, threads) =>
      addon.ta(spec.name, a.inputs, a.rows, a.cols, a.params instanceof Float64Array ? a.params : Float64Array.from(a.params), a.outputs, threads),
    rows: {
      count: (a) => a.rows,
      slice: (a, from, to) => ({
        inputs: a.inputs.map((x) => x.subarray(from * a.cols, to * a.cols)),
        rows: to - from,
        cols: a.cols,
        params: a.params,
        out: a.out.map((o) => o.subarray(from * a.cols, to * a.cols)),
        outputs: a.out.map((o) => o.subarray(from * a.cols, to * a.cols)),
      }),
      allocate: (a, shared) =>
        spec.outputs.map(() => (shared ? new Float64Array(new SharedArrayBuffer(a.rows * a.cols * 8)) : new Float64Array(a.rows * a.cols))),
    },
    conformance: {
      tolerance: `rel ${tol.rel} + abs ${tol.abs}`,
      randomCases(rng) {
        const cases = [];
        for (const [rows, cols] of [[1, 60], [3, 257], [2, 1000]] as const) {
          const series = Array.from({ length: rows }, () => randomOhlcv(rng, cols));
          const inputs = spec.inputs.map((name) => {
            const m = new Float64Array(rows * cols);
            series.forEach((s, r) => m.set(s[name], r * cols));
            return m;
          });
          const params = randomParams(spec, rng, cols);
          cases.push({ label: `random ${rows}x${cols} params ${params.join(',')}`, args: { inputs, rows, cols, params } });
        }
        return cases;
      },
      realCases(series) {
        const p = spec.params.map((q) => q.default);
        return series
          .filter((s) => s.close.length > spec.lookback(p) + 1)
          .map((s) => ({ label: `${s.label} default params`, args: { inputs: seriesInputs(spec, s), rows: 1, cols: s.close.length, params: p } }));
      },
      compare(e: Float64Array[], a: Float64Array[]): Comparison {
        for (let k = 0; k < e.length; k++) {
          const c = compareArrays(e[k]!, a[k]!, tol, spec.errorScale?.(e, k));
          if (!c.ok) return { ...c, detail: `output ${spec.outputs[k]}: ${c.detail}` };
        }
        return { ok: true, maxAbsError: 0, maxRelError: 0, firstBad: -1, detail: 'ok' };
      },
      badCases: () => {
        const x = new Float64Array(20);
        const ins = spec.inputs.map(() => x);
        const def = spec.params.map((q) => q.default);
        const cases: Array<{ label: string; args: unknown; error: typeof TypeError | typeof RangeError; match: RegExp }> = [
          { label: 'plain array input', args: { inputs: spec.inputs.map(() => [1, 2]), rows: 1, cols: 2, params: def }, error: TypeError, match: /must be a Float64Array/ },
          { label: 'wrong input count', args: { inputs: [...ins, x], rows: 1, cols: 20, params: def }, error: RangeError, match: /inputs must hold/ },
          { label: 'shape mismatch', args: { inputs: ins, rows: 2, cols: 20, params: def }, error: RangeError, match: /must have length 40/ },
          { label: 'wrong param count', args: { inputs: ins, rows: 1, cols: 20, params: [...def, 1] }, error: RangeError, match: /params must have length/ },
        ];
        const period = spec.params.findIndex((q) => q.maxIsLength);
        if (period >= 0) {
          const big = [...def];
          big[period] = 21;
          cases.push({ label: 'period beyond the series', args: { inputs: ins, rows: 1, cols: 20, params: big }, error: RangeError, match: new RegExp(`${spec.params[period]!.name} must be an integer in \\[`) });
          const zero = [...def];
          zero[period] = 0;
          cases.push({ label: 'period 0', args: { inputs: ins, rows: 1, cols: 20, params: zero }, error: RangeError, match: /got 0/ });
        }
        return cases;
      },
    },
  };
}

export const TA_OPS = INDICATORS.map(indicatorOp);
