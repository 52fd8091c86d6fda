/**
 * Fused model features (`ta.features`): OHLCV [rows x cols] in, a [rows x cols x F] feature
 * tensor out, from a fixed menu of normalised indicator features, computed in one pass per
 * row (native: native/ta/features.h on the CPU, kernels/features.cu on the GPU). This is
 * the input of model training and batch scoring.
 *
 *   const t = computeFeatures({ open, high, low, close, volume });            // default 20 features
 *   const t = computeFeatures(data, [{ feature: 'rsi', params: { period: 7 } }, { feature: 'logReturn' }],
 *                             { rows: 2000, cols: 5000, dtype: 'float32' });
 *   t.values[(r * cols + i) * F + f]   // feature f of bar i of series r; NaN for i < lookback(f)
 *   featureLookback(set)               // first index where every feature is defined
 *
 * Layout [rows x cols x F] (feature fastest): a row's [cols x F] block is the [batch, T, F]
 * layout nn.forward takes, so a window of bars is one contiguous slice, and on the GPU each
 * thread writes F adjacent values per bar instead of F strided streams.
 * Precision: computed in float64; stored as float64 (default) or float32 (`dtype:
 * 'float32'`, the model path: rounded once, at the store, identically on every backend).
 *
 * Every feature is a composition of existing indicators (the same kernels `ta` runs) and an
 * elementwise transform, defined once below (FEATURE_MENU) for the reference, and mirrored
 * in native/ta/features.h (ids, params and ranges; a test checks they agree).
 */
import type { NativeAddon } from '../compute/backend.js';
import { compareArrays, type Comparison } from '../compute/compare.js';
import type { OpDef, RealSeries } from '../compute/registry.js';
import { runOp, type RunOptions } from '../compute/run.js';
import { expectAllocatable, expectInteger, expectLength, expectNoOverlap } from '../compute/validate.js';
import { describeValue } from '../errors.js';
import type { TestRng } from '../util/rng.js';
import { randomOhlcv, TA_OPS } from './ops.js';
import { getIndicator, INDICATORS } from './registry.js';

export interface FeatureParam {
  name: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
  /** Capped at the series length (periods). */
  maxIsLength: boolean;
}

/** The OHLCV series a feature reads: one row, or a whole [rows x cols] matrix per field. */
export interface Ohlcv {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** One indicator call of a feature: name and parameters in the indicator's spec order. */
export interface FeatureCall {
  indicator: string;
  params: number[];
}

export interface FeatureDef {
  /** Stable id, the native encoding (native/ta/features.h FeatureId). */
  id: number;
  name: string;
  /** Exact definition. */
  formula: string;
  params: readonly FeatureParam[];
  /** The indicator calls, in order; the lookback is the largest of their lookbacks. */
  calls(p: readonly number[]): FeatureCall[];
  /**
   * The elementwise transform: `run(k, inputs)` evaluates call k on those inputs (same
   * length as the OHLCV arrays); returns value(i) for every flat index i.
   */
  transform(run: (k: number, inputs: Float64Array[]) => Float64Array[], s: Ohlcv, p: readonly number[]): (i: number) => number;
}

const per = (name: string, def: number, min: number): FeatureParam => ({ name, default: def, min, max: 1e9, integer: true, maxIsLength: true });
const nbDev: FeatureParam = { name: 'nbDev', default: 2, min: 0, max: 100, integer: false, maxIsLength: false };

/** The menu. Index = id. Keep in step with native/ta/features.h (append only). */
export const FEATURE_MENU: readonly FeatureDef[] = [
  {
    id: 0, name: 'logReturn', params: [per('period', 1, 1)],
    formula: 'ln(ROCR(close, p)) = ln(close[t] / close[t-p]) (ROCR is 0 when close[t-p] = 0, giving -Infinity)',
    calls: (p) => [{ indicator: 'rocr', params: [p[0]!] }],
    transform: (run, s) => { const r = run(0, [s.close])[0]!; return (i) => Math.log(r[i]!); },
  },
  {
    id: 1, name: 'rsi', params: [per('period', 14, 2)],
    formula: 'RSI(close, p) / 100, in [0, 1] (Wilder smoothing, TA-Lib RSI)',
    calls: (p) => [{ indicator: 'rsi', params: [p[0]!] }],
    transform: (run, s) => { const r = run(0, [s.close])[0]!; return (i) => r[i]! / 100; },
  },
  {
    id: 2, name: 'atrRatio', params: [per('period', 14, 1)],
    formula: 'ATR(p) / close (a fraction: NATR / 100)',
    calls: (p) => [{ indicator: 'atr', params: [p[0]!] }],
    transform: (run, s) => { const a = run(0, [s.high, s.low, s.close])[0]!; return (i) => a[i]! / s.close[i]!; },
  },
  {
    id: 3, name: 'bbPercentB', params: [per('period', 20, 2), nbDev],
    formula: 'Bollinger %B = (close - lower) / (upper - lower) of BBANDS(close, p, nbDev, nbDev, SMA); 0.5 when upper == lower',
    calls: (p) => [{ indicator: 'bbands', params: [p[0]!, p[1]!, p[1]!, 0] }],
    transform: (run, s) => { const b = run(0, [s.close])[3]!; return (i) => b[i]!; },
  },
  {
    id: 4, name: 'bbWidth', params: [per('period', 20, 2), nbDev],
    formula: 'Bollinger bandwidth = (upper - lower) / middle of BBANDS(close, p, nbDev, nbDev, SMA) (a fraction); NaN when middle == 0',
    calls: (p) => [{ indicator: 'bbands', params: [p[0]!, p[1]!, p[1]!, 0] }],
    transform: (run, s) => { const b = run(0, [s.close])[4]!; return (i) => b[i]!; },
  },
  {
    id: 5, name: 'macdHist', params: [per('fastPeriod', 12, 2), per('slowPeriod', 26, 2), per('signalPeriod', 9, 2)],
    formula: 'MACD(close, fast, slow, signal) histogram / close (TA-Lib MACD)',
    calls: (p) => [{ indicator: 'macd', params: [p[0]!, p[1]!, p[2]!] }],
    transform: (run, s) => { const h = run(0, [s.close])[2]!; return (i) => h[i]! / s.close[i]!; },
  },
  {
    id: 6, name: 'adx', params: [per('period', 14, 2)],
    formula: 'ADX(p) / 100, in [0, 1] (TA-Lib ADX)',
    calls: (p) => [{ indicator: 'adx', params: [p[0]!] }],
    transform: (run, s) => { const a = run(0, [s.high, s.low, s.close])[0]!; return (i) => a[i]! / 100; },
  },
  {
    id: 7, name: 'diSpread', params: [per('period', 14, 2)],
    formula: '(PLUS_DI(p) - MINUS_DI(p)) / 100, in [-1, 1]',
    calls: (p) => [{ indicator: 'plusDi', params: [p[0]!] }, { indicator: 'minusDi', params: [p[0]!] }],
    transform: (run, s) => {
      const a = run(0, [s.high, s.low, s.close])[0]!, b = run(1, [s.high, s.low, s.close])[0]!;
      return (i) => (a[i]! - b[i]!) / 100;
    },
  },
  {
    id: 8, name: 'stochK', params: [per('fastKPeriod', 14, 1), per('slowKPeriod', 3, 1)],
    formula: 'slow %K / 100 of STOCH(fastK, slowK, SMA, slowD = 1, SMA), in [0, 1]',
    calls: (p) => [{ indicator: 'stoch', params: [p[0]!, p[1]!, 0, 1, 0] }],
    transform: (run, s) => { const k = run(0, [s.high, s.low, s.close])[0]!; return (i) => k[i]! / 100; },
  },
  {
    id: 9, name: 'willr', params: [per('period', 14, 2)],
    formula: 'Williams %R(p) / 100, in [-1, 0]',
    calls: (p) => [{ indicator: 'willr', params: [p[0]!] }],
    transform: (run, s) => { const w = run(0, [s.high, s.low, s.close])[0]!; return (i) => w[i]! / 100; },
  },
  {
    id: 10, name: 'cci', params: [per('period', 14, 2)],
    formula: 'CCI(p) / 100 (TA-Lib CCI)',
    calls: (p) => [{ indicator: 'cci', params: [p[0]!] }],
    transform: (run, s) => { const c = run(0, [s.high, s.low, s.close])[0]!; return (i) => c[i]! / 100; },
  },
  {
    id: 11, name: 'obvSlope', params: [per('period', 20, 2)],
    formula: 'LINEARREG_SLOPE(OBV(close, volume), p) / SMA(volume, p): the OBV trend per bar in units of the average volume',
    calls: (p) => [{ indicator: 'obv', params: [] }, { indicator: 'linregSlope', params: [p[0]!] }, { indicator: 'volumeSma', params: [p[0]!] }],
    transform: (run, s) => {
      const obv = run(0, [s.close, s.volume])[0]!;
      const slope = run(1, [obv])[0]!, vs = run(2, [s.volume])[0]!;
      return (i) => slope[i]! / vs[i]!;
    },
  },
  {
    id: 12, name: 'volumeZ', params: [per('period', 20, 2)],
    formula: 'ZSCORE(volume, p) = (volume - SMA) / population stddev over p bars',
    calls: (p) => [{ indicator: 'zscore', params: [p[0]!] }],
    transform: (run, s) => { const z = run(0, [s.volume])[0]!; return (i) => z[i]!; },
  },
  {
    id: 13, name: 'closeZ', params: [per('period', 20, 2)],
    formula: 'ZSCORE(close, p)',
    calls: (p) => [{ indicator: 'zscore', params: [p[0]!] }],
    transform: (run, s) => { const z = run(0, [s.close])[0]!; return (i) => z[i]!; },
  },
  {
    id: 14, name: 'volCloseToClose', params: [per('period', 20, 2)],
    formula: 'close-to-close volatility of log returns over p bars, per bar (volCloseToClose with periodsPerYear = 1)',
    calls: (p) => [{ indicator: 'volCloseToClose', params: [p[0]!, 1] }],
    transform: (run, s) => { const v = run(0, [s.open, s.high, s.low, s.close])[0]!; return (i) => v[i]!; },
  },
  {
    id: 15, name: 'volParkinson', params: [per('period', 20, 1)],
    formula: 'Parkinson volatility sqrt(mean(ln(H/L)^2) / (4 ln 2)) over p bars, per bar (periodsPerYear = 1)',
    calls: (p) => [{ indicator: 'volParkinson', params: [p[0]!, 1] }],
    transform: (run, s) => { const v = run(0, [s.open, s.high, s.low, s.close])[0]!; return (i) => v[i]!; },
  },
  {
    id: 16, name: 'volGarmanKlass', params: [per('period', 20, 1)],
    formula: 'Garman-Klass volatility over p bars, per bar (volGarmanKlass with periodsPerYear = 1)',
    calls: (p) => [{ indicator: 'volGarmanKlass', params: [p[0]!, 1] }],
    transform: (run, s) => { const v = run(0, [s.open, s.high, s.low, s.close])[0]!; return (i) => v[i]!; },
  },
  {
    id: 17, name: 'donchianPos', params: [per('period', 20, 1)],
    formula: '(close - lower) / (upper - lower) of DONCHIAN(high, low, p) (window includes the bar), in [0, 1]; 0.5 when upper == lower',
    calls: (p) => [{ indicator: 'donchian', params: [p[0]!] }],
    transform: (run, s) => {
      const d = run(0, [s.high, s.low]), up = d[0]!, lo = d[2]!;
      return (i) => { const w = up[i]! - lo[i]!; return w === 0 ? 0.5 : (s.close[i]! - lo[i]!) / w; };
    },
  },
  {
    id: 18, name: 'smaRatio', params: [per('period', 50, 1)],
    formula: 'close / SMA(close, p) - 1',
    calls: (p) => [{ indicator: 'sma', params: [p[0]!] }],
    transform: (run, s) => { const m = run(0, [s.close])[0]!; return (i) => s.close[i]! / m[i]! - 1; },
  },
  {
    id: 19, name: 'smaCross', params: [per('fastPeriod', 20, 1), per('slowPeriod', 50, 1)],
    formula: 'SMA(close, fast) / SMA(close, slow) - 1',
    calls: (p) => [{ indicator: 'sma', params: [p[0]!] }, { indicator: 'sma', params: [p[1]!] }],
    transform: (run, s) => { const a = run(0, [s.close])[0]!, b = run(1, [s.close])[0]!; return (i) => a[i]! / b[i]! - 1; },
  },
  {
    id: 20, name: 'mfi', params: [per('period', 14, 2)],
    formula: 'MFI(p) / 100, in [0, 1] (TA-Lib MFI)',
    calls: (p) => [{ indicator: 'mfi', params: [p[0]!] }],
    transform: (run, s) => { const m = run(0, [s.high, s.low, s.close, s.volume])[0]!; return (i) => m[i]! / 100; },
  },
];

export type FeatureName =
  | 'logReturn' | 'rsi' | 'atrRatio' | 'bbPercentB' | 'bbWidth' | 'macdHist' | 'adx' | 'diSpread' | 'stochK' | 'willr' | 'cci'
  | 'obvSlope' | 'volumeZ' | 'closeZ' | 'volCloseToClose' | 'volParkinson' | 'volGarmanKlass' | 'donchianPos' | 'smaRatio'
  | 'smaCross' | 'mfi';

export interface FeatureEntry {
  feature: FeatureName;
  /** Parameters by name; defaults fill the rest. */
  params?: Readonly<Record<string, number>>;
}

/** The default model feature set (20 features; featureLookback = 49). */
export const DEFAULT_FEATURE_SET: readonly FeatureEntry[] = [
  { feature: 'logReturn', params: { period: 1 } },
  { feature: 'logReturn', params: { period: 5 } },
  { feature: 'logReturn', params: { period: 20 } },
  { feature: 'rsi' },
  { feature: 'atrRatio' },
  { feature: 'bbPercentB' },
  { feature: 'bbWidth' },
  { feature: 'macdHist' },
  { feature: 'adx' },
  { feature: 'diSpread' },
  { feature: 'stochK' },
  { feature: 'cci' },
  { feature: 'obvSlope' },
  { feature: 'volumeZ' },
  { feature: 'closeZ' },
  { feature: 'volParkinson' },
  { feature: 'volGarmanKlass' },
  { feature: 'donchianPos' },
  { feature: 'smaRatio' },
  { feature: 'smaCross' },
];

export const FEATURE_STRIDE = 4;
export const MAX_FEATURES = 64;
const OP = 'ta.features';
const INPUT_NAMES = ['open', 'high', 'low', 'close', 'volume'] as const;

function fmt(v: unknown): string {
  return typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : describeValue(v);
}

/** Validates an encoded set (the native binding's rules and messages); returns F. */
export function checkFeatureSpec(spec: ArrayLike<number>, cols: number): number {
  if (spec.length % FEATURE_STRIDE !== 0) {
    throw new RangeError(`${OP}: spec must have length a multiple of ${FEATURE_STRIDE} ([id, p0, p1, p2] per feature), got ${spec.length}`);
  }
  const nf = spec.length / FEATURE_STRIDE;
  if (nf < 1 || nf > MAX_FEATURES) throw new RangeError(`${OP}: spec must hold 1 to ${MAX_FEATURES} features, got ${nf}`);
  for (let f = 0; f < nf; f++) {
    const at = `features[${f}]`;
    const id = spec[f * FEATURE_STRIDE]!;
    if (!(Number.isInteger(id) && id >= 0 && id < FEATURE_MENU.length)) {
      throw new RangeError(`${OP}: ${at}: feature id must be an integer in [0, ${FEATURE_MENU.length - 1}], got ${fmt(id)}`);
    }
    const d = FEATURE_MENU[id]!;
    d.params.forEach((q, k) => {
      const capped = q.maxIsLength && cols < q.max;
      const hi = capped ? cols : q.max;
      const v = spec[f * FEATURE_STRIDE + 1 + k]!;
      if (!(v >= q.min && v <= hi) || (q.integer && !Number.isInteger(v))) {
        throw new RangeError(`${OP}: ${at} (${d.name}): ${q.name} must be ${q.integer ? 'an integer' : 'a number'} in [${q.min}, ${hi}]${capped ? ' (the series length)' : ''}, got ${fmt(v)}`);
      }
    });
  }
  return nf;
}

function menuEntry(name: unknown, at: string): FeatureDef {
  const d = FEATURE_MENU.find((m) => m.name === name);
  if (!d) throw new RangeError(`${OP}: ${at}: unknown feature ${typeof name === 'string' ? JSON.stringify(name) : describeValue(name)} (known: ${FEATURE_MENU.map((m) => m.name).join(', ')})`);
  return d;
}

/** Resolved parameters (spec order) of each entry; unknown names and bad values throw, naming the feature and parameter. */
function resolveSet(set: readonly FeatureEntry[]): Array<{ def: FeatureDef; p: number[] }> {
  if (!Array.isArray(set)) throw new TypeError(`${OP}: the feature set must be an array of {feature, params?}, got ${describeValue(set)}`);
  return set.map((e, f) => {
    const at = `features[${f}]`;
    if (typeof e !== 'object' || e === null) throw new TypeError(`${OP}: ${at} must be an object {feature, params?}, got ${describeValue(e)}`);
    const def = menuEntry(e.feature, at);
    const given = e.params ?? {};
    if (typeof given !== 'object' || given === null) throw new TypeError(`${OP}: ${at} (${def.name}): params must be an object, got ${describeValue(given)}`);
    for (const k of Object.keys(given)) {
      if (given[k] !== undefined && !def.params.some((q) => q.name === k)) {
        throw new RangeError(`${OP}: ${at} (${def.name}): unknown parameter ${JSON.stringify(k)} (known: ${def.params.map((q) => q.name).join(', ')})`);
      }
    }
    const p = def.params.map((q) => {
      const v = given[q.name] ?? q.default;
      if (typeof v !== 'number') throw new TypeError(`${OP}: ${at} (${def.name}): ${q.name} must be a number, got ${describeValue(v)}`);
      return v;
    });
    return { def, p };
  });
}

/** The native encoding [id, p0, p1, p2] per feature; validated against `cols` when given. */
export function encodeFeatureSet(set: readonly FeatureEntry[], cols = 2 ** 40): Float64Array {
  const r = resolveSet(set);
  const spec = new Float64Array(r.length * FEATURE_STRIDE);
  r.forEach(({ def, p }, f) => {
    spec[f * FEATURE_STRIDE] = def.id;
    p.forEach((v, k) => { spec[f * FEATURE_STRIDE + 1 + k] = v; });
  });
  checkFeatureSpec(spec, cols);
  return spec;
}

function decode(spec: ArrayLike<number>): Array<{ def: FeatureDef; p: number[] }> {
  const out = [];
  for (let f = 0; f * FEATURE_STRIDE < spec.length; f++) {
    const def = FEATURE_MENU[spec[f * FEATURE_STRIDE]!]!;
    out.push({ def, p: def.params.map((_, k) => spec[f * FEATURE_STRIDE + 1 + k]!) });
  }
  return out;
}

function callsLookback(calls: FeatureCall[]): number {
  return Math.max(0, ...calls.map((c) => getIndicator(c.indicator).lookback(c.params)));
}

/** First defined index of one feature (the largest lookback of its indicator calls). */
export function featureLookbackOf(def: FeatureDef, p: readonly number[]): number {
  return callsLookback(def.calls(p));
}

/** First index where every feature of the set is defined (the max of their lookbacks). */
export function featureLookback(set: readonly FeatureEntry[] = DEFAULT_FEATURE_SET): number {
  checkFeatureSpec(encodeFeatureSet(set), 2 ** 40);
  return Math.max(0, ...resolveSet(set).map(({ def, p }) => featureLookbackOf(def, p)));
}

/** Column labels, e.g. ['logReturn(1)', 'rsi(14)', 'bbPercentB(20,2)']. */
export function featureLabels(set: readonly FeatureEntry[] = DEFAULT_FEATURE_SET): string[] {
  return resolveSet(set).map(({ def, p }) => `${def.name}(${p.join(',')})`);
}

/** Evaluates indicator `name` with spec-order params over [rows x cols] inputs. */
export type IndicatorRunner = (indicator: string, inputs: Float64Array[], params: number[], rows: number, cols: number) => Float64Array[];

/** The TypeScript indicator references (the judge). */
export const referenceRunner: IndicatorRunner = (name, inputs, params, rows, cols) => {
  const spec = getIndicator(name);
  return TA_OPS[INDICATORS.indexOf(spec)]!.reference({ inputs, rows, cols, params });
};

/**
 * Evaluates an encoded feature set by composition: each feature's indicator calls through
 * `runner`, then its transform, NaN before its lookback, written into out[(r*cols+i)*F + f].
 */
export function composeFeatures(s: Ohlcv, rows: number, cols: number, spec: ArrayLike<number>, out: Float64Array | Float32Array, runner: IndicatorRunner): void {
  const set = decode(spec);
  const nf = set.length;
  const len = rows * cols;
  for (let f = 0; f < nf; f++) {
    const { def, p } = set[f]!;
    const calls = def.calls(p);
    const lb = callsLookback(calls);
    const v = def.transform((k, inputs) => runner(calls[k]!.indicator, inputs, calls[k]!.params, rows, cols), s, p);
    for (let i = 0; i < len; i++) out[i * nf + f] = i % cols < lb ? NaN : v(i);
  }
}

// ---- the op ---------------------------------------------------------------------------------

export interface FeaturesArgs {
  /** open, high, low, close, volume: [rows x cols] row-major each. */
  inputs: Float64Array[];
  rows: number;
  cols: number;
  /** Encoded feature set (encodeFeatureSet). */
  spec: Float64Array | readonly number[];
  /** [rows x cols x F]; Float32Array for the model path. Default: a new Float64Array. */
  out?: Float64Array | Float32Array;
}

interface FeaturesAddon {
  taFeatures(inputs: Float64Array[], rows: number, cols: number, spec: Float64Array, out?: Float64Array | Float32Array, threads?: number): Float64Array | Float32Array;
}

function validate(a: FeaturesArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${OP}: arguments must be an object {inputs, rows, cols, spec}, got ${describeValue(a)}`);
  if (!Array.isArray(a.inputs)) throw new TypeError(`${OP}: inputs must be an array of 5 Float64Array (open, high, low, close, volume), got ${describeValue(a.inputs)}`);
  if (a.inputs.length !== 5) throw new RangeError(`${OP}: inputs must hold 5 arrays (open, high, low, close, volume), got ${a.inputs.length}`);
  expectInteger(OP, 'rows', a.rows, 1, 2 ** 40);
  expectInteger(OP, 'cols', a.cols, 1, 2 ** 40);
  const len = a.rows * a.cols;
  a.inputs.forEach((x, k) => {
    const nm = `inputs[${k}] (${INPUT_NAMES[k]})`;
    if (!(x instanceof Float64Array)) throw new TypeError(`${OP}: ${nm} must be a Float64Array, got ${describeValue(x)}`);
    expectLength(OP, nm, x, len, 'rows * cols');
  });
  if (!(a.spec instanceof Float64Array) && !Array.isArray(a.spec)) throw new TypeError(`${OP}: spec must be a Float64Array, got ${describeValue(a.spec)}`);
  const nf = checkFeatureSpec(a.spec, a.cols);
  if (a.out === undefined) return expectAllocatable(OP, len * nf);
  if (!(a.out instanceof Float64Array) && !(a.out instanceof Float32Array)) throw new TypeError(`${OP}: out must be a Float64Array or a Float32Array, got ${describeValue(a.out)}`);
  expectLength(OP, 'out', a.out, len * nf, 'rows * cols * features');
  a.inputs.forEach((x, k) => expectNoOverlap(OP, 'out', a.out!, INPUT_NAMES[k]!, x));
}

function reference(a: FeaturesArgs): Float64Array | Float32Array {
  const nf = a.spec.length / FEATURE_STRIDE;
  const spec = Float64Array.from(a.spec); // out may share the spec's memory
  const out = a.out ?? new Float64Array(a.rows * a.cols * nf);
  const [open, high, low, close, volume] = a.inputs as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  composeFeatures({ open, high, low, close, volume }, a.rows, a.cols, spec, out, referenceRunner);
  return out;
}

/** A random valid feature set of 1..maxF features with parameters in test ranges. */
export function randomFeatureSet(rng: TestRng, cols: number, maxF = 12): FeatureEntry[] {
  const nf = rng.int(1, maxF);
  return Array.from({ length: nf }, () => {
    const def = FEATURE_MENU[rng.int(0, FEATURE_MENU.length - 1)]!;
    const params: Record<string, number> = {};
    for (const q of def.params) {
      params[q.name] = q.integer ? rng.int(q.min, Math.min(q.maxIsLength ? cols : q.max, 40)) : 0.5 + 2.5 * rng.next();
    }
    return { feature: def.name as FeatureName, params };
  });
}

function ohlcvMatrix(rng: TestRng, rows: number, cols: number): Float64Array[] {
  const ins = INPUT_NAMES.map(() => new Float64Array(rows * cols));
  for (let r = 0; r < rows; r++) {
    const s = randomOhlcv(rng, cols);
    INPUT_NAMES.forEach((nm, k) => ins[k]!.set(s[nm], r * cols));
  }
  return ins;
}

/**
 * Tolerance vs the reference: the same as the indicators' own (rel 1e-9), abs 1e-11. The
 * native kernels match their TypeScript references to rel 1e-9; the transforms divide by
 * prices or constants (relative error kept), take ln of a ratio (error <= 1 ulp apart from
 * the ratio's) or subtract 1 from a ratio near 1 (smaRatio/smaCross: the relative error of
 * the ratio becomes an absolute one, measured <= 3e-14 on the bundled data, hence abs 1e-11).
 * Measured on every bundled series (whole menu): 12 of 21 features bit-identical; the rest
 * within rel 1e-9 + abs 3e-14.
 */
const TOL = { rel: 1e-9, abs: 1e-11 } as const;

export const featuresOp: OpDef<FeaturesArgs, Float64Array | Float32Array> = {
  name: OP,
  summary: 'fused model features: OHLCV [rows x cols] -> [rows x cols x F] normalised indicator features, one pass per row',
  validate,
  reference,
  native: (addon: NativeAddon, a, threads) =>
    (addon as unknown as FeaturesAddon).taFeatures(a.inputs, a.rows, a.cols, a.spec instanceof Float64Array ? a.spec : Float64Array.from(a.spec), a.out, threads),
  rows: {
    count: (a) => a.rows,
    slice: (a, from, to) => {
      const nf = a.spec.length / FEATURE_STRIDE;
      return {
        inputs: a.inputs.map((x) => x.subarray(from * a.cols, to * a.cols)),
        rows: to - from,
        cols: a.cols,
        spec: a.spec,
        out: a.out.subarray(from * a.cols * nf, to * a.cols * nf),
      };
    },
    allocate: (a, shared) => {
      const n = a.rows * a.cols * (a.spec.length / FEATURE_STRIDE);
      return shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
    },
  },
  conformance: {
    tolerance: `rel ${TOL.rel} + abs ${TOL.abs} (indicator kernels vs references, through ratio and log transforms)`,
    randomCases(rng) {
      const cases = [];
      for (const [rows, cols] of [[1, 60], [3, 257], [2, 1000]] as const) {
        const set = randomFeatureSet(rng, cols);
        cases.push({ label: `random ${rows}x${cols} ${featureLabels(set).join(' ')}`, args: { inputs: ohlcvMatrix(rng, rows, cols), rows, cols, spec: encodeFeatureSet(set, cols) } });
      }
      // Every menu entry at its defaults, and the default set.
      const all = FEATURE_MENU.map((d) => ({ feature: d.name as FeatureName }));
      cases.push({ label: 'random 2x400 whole menu, defaults', args: { inputs: ohlcvMatrix(rng, 2, 400), rows: 2, cols: 400, spec: encodeFeatureSet(all) } });
      cases.push({ label: 'random 3x300 default set', args: { inputs: ohlcvMatrix(rng, 3, 300), rows: 3, cols: 300, spec: encodeFeatureSet(DEFAULT_FEATURE_SET) } });
      return cases;
    },
    realCases(series: RealSeries[]) {
      const spec = encodeFeatureSet(DEFAULT_FEATURE_SET);
      const lb = featureLookback(DEFAULT_FEATURE_SET);
      return series
        .filter((s) => s.close.length > lb + 1)
        .map((s) => ({ label: `${s.label} default set`, args: { inputs: [s.open, s.high, s.low, s.close, s.volume], rows: 1, cols: s.close.length, spec } }));
    },
    compare: (e: Float64Array | Float32Array, a: Float64Array | Float32Array): Comparison => compareArrays(e, a, TOL),
    badCases: () => {
      const x = new Float64Array(20);
      const ins = [x, x, x, x, x];
      const spec = [1, 14, 0, 0];
      return [
        { label: 'plain array input', args: { inputs: [[1, 2], x, x, x, x], rows: 1, cols: 2, spec }, error: TypeError, match: /inputs\[0\] \(open\) must be a Float64Array/ },
        { label: 'four inputs', args: { inputs: [x, x, x, x], rows: 1, cols: 20, spec }, error: RangeError, match: /inputs must hold 5 arrays/ },
        { label: 'shape mismatch', args: { inputs: ins, rows: 2, cols: 20, spec }, error: RangeError, match: /inputs\[0\] \(open\) must have length 40/ },
        { label: 'spec length', args: { inputs: ins, rows: 1, cols: 20, spec: [1, 14, 0] }, error: RangeError, match: /spec must have length a multiple of 4/ },
        { label: 'empty spec', args: { inputs: ins, rows: 1, cols: 20, spec: [] }, error: RangeError, match: /spec must hold 1 to 64 features, got 0/ },
        { label: 'unknown feature id', args: { inputs: ins, rows: 1, cols: 20, spec: [1, 14, 0, 0, 99, 0, 0, 0] }, error: RangeError, match: /features\[1\]: feature id must be an integer in \[0, 20\], got 99/ },
        { label: 'period too small', args: { inputs: ins, rows: 1, cols: 20, spec: [0, 1, 0, 0, 1, 1, 0, 0] }, error: RangeError, match: /features\[1\] \(rsi\): period must be an integer in \[2, 20\] \(the series length\), got 1/ },
        { label: 'period beyond the series', args: { inputs: ins, rows: 1, cols: 20, spec: [19, 5, 21, 0] }, error: RangeError, match: /features\[0\] \(smaCross\): slowPeriod must be an integer in \[1, 20\] \(the series length\), got 21/ },
        { label: 'nbDev NaN', args: { inputs: ins, rows: 1, cols: 20, spec: [3, 5, NaN, 0] }, error: RangeError, match: /features\[0\] \(bbPercentB\): nbDev must be a number in \[0, 100\], got NaN/ },
        { label: 'out wrong length', args: { inputs: ins, rows: 1, cols: 20, spec, out: new Float64Array(19) }, error: RangeError, match: /out must have length 20/ },
        { label: 'out wrong type', args: { inputs: ins, rows: 1, cols: 20, spec, out: new Int32Array(20) }, error: TypeError, match: /out must be a Float64Array or a Float32Array/ },
        { label: 'out aliases an input', args: { inputs: [new Float64Array(20), x, x, x, new Float64Array(20)], rows: 1, cols: 20, spec, out: x }, error: RangeError, match: /out must not share memory with high/ },
      ];
    },
  },
};

export const FEATURE_OPS = [featuresOp];

// ---- public API -------------------------------------------------------------------------------

export interface ComputeFeaturesOptions extends RunOptions {
  /** Matrix shape when the inputs hold several series (default: one row). */
  rows?: number;
  cols?: number;
  /** 'float64' (default) or 'float32' (model input). Ignored when `out` is given. */
  dtype?: 'float64' | 'float32';
  out?: Float64Array | Float32Array;
}

export interface FeatureTensor {
  /** [rows x cols x F] row-major: values[(r * cols + i) * F + f]. */
  values: Float64Array | Float32Array;
  rows: number;
  cols: number;
  /** Column labels, e.g. 'rsi(14)'. */
  features: string[];
  /** First bar index where every feature is defined (featureLookback). */
  lookback: number;
}

function pickOhlcv(data: Partial<Ohlcv>): Float64Array[] {
  if (typeof data !== 'object' || data === null) throw new TypeError(`${OP}: data must be an object {open, high, low, close, volume}, got ${describeValue(data)}`);
  return INPUT_NAMES.map((nm) => {
    const v = data[nm];
    if (v === undefined) throw new TypeError(`${OP}: data.${nm} is required (needs open, high, low, close, volume)`);
    return v;
  });
}

/** The fused feature tensor of `set` over OHLCV (any backend; default cuda > cpu > js). */
export function computeFeatures(data: Partial<Ohlcv>, set: readonly FeatureEntry[] = DEFAULT_FEATURE_SET, opts: ComputeFeaturesOptions = {}): FeatureTensor {
  const inputs = pickOhlcv(data);
  const rows = opts.rows ?? 1;
  const cols = opts.cols ?? (rows > 0 ? Math.floor((inputs[0]?.length ?? 0) / rows) : 0);
  expectInteger(OP, 'cols', cols, 1, 2 ** 40);
  const spec = encodeFeatureSet(set, cols);
  const nf = spec.length / FEATURE_STRIDE;
  let out = opts.out;
  if (out === undefined && opts.dtype === 'float32') {
    expectAllocatable(OP, rows * cols * nf);
    out = new Float32Array(rows * cols * nf);
  } else if (opts.dtype !== undefined && opts.dtype !== 'float64' && opts.dtype !== 'float32') {
    throw new RangeError(`${OP}: dtype must be 'float64' or 'float32', got ${describeValue(opts.dtype)}`);
  }
  const values = runOp(featuresOp, { inputs, rows, cols, spec, out }, opts);
  return { values, rows, cols, features: featureLabels(set), lookback: featureLookback(set) };
}
