/**
 * Moving averages: SMA, EMA, WMA (TA-Lib definitions; see native/ta/kernels/ma.h) and the
 * MA-type helpers composite indicators use (maRow, maLookback, MaStream).
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type ParamSpec, type StreamBar } from '../spec.js';

export const MA_TYPES: Readonly<Record<number, string>> = { 0: 'SMA', 1: 'EMA', 2: 'WMA', 3: 'DEMA', 4: 'TEMA', 5: 'TRIMA', 6: 'KAMA', 8: 'T3' };

export function periodParam(def: number, min = 2, description = 'number of bars in the window'): ParamSpec {
  return { name: 'period', default: def, min, max: 1e9, integer: true, maxIsLength: true, description };
}

export function maTypeParam(name = 'maType', def = 0): ParamSpec {
  return { name, default: def, min: 0, max: 8, integer: true, description: 'moving-average type (TA-Lib MAType; 7 = MAMA is not supported)', choices: MA_TYPES };
}

export function fillNaN(out: Float64Array, from: number, to: number): void {
  for (let i = from; i < Math.min(to, out.length); i++) out[i] = NaN;
}

/** SMA of x[begin..n) into out: a fresh sum per window (the obviously-right reference). */
export function smaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length;
  fillNaN(out, 0, begin + p - 1);
  for (let i = begin + p - 1; i < n; i++) {
    let s = 0;
    for (let j = i - p + 1; j <= i; j++) s += x[j]!;
    out[i] = s / p;
  }
}

/** EMA with smoothing k over x[begin..n), seeded with the SMA of its first p values (TA-Lib). */
export function emaFromK(x: Float64Array, begin: number, p: number, k: number, out: Float64Array): void {
  const n = x.length, first = begin + p - 1;
  fillNaN(out, 0, first);
  if (first >= n) return;
  let s = 0;
  for (let i = begin; i <= first; i++) s += x[i]!;
  let e = s / p;
  out[first] = e;
  for (let i = first + 1; i < n; i++) { e = (x[i]! - e) * k + e; out[i] = e; }
}

export function emaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  emaFromK(x, begin, p, 2 / (p + 1), out);
}

/** WMA over x[begin..n): weights 1..p, a fresh weighted sum per window. */
export function wmaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length, div = (p * (p + 1)) / 2;
  fillNaN(out, 0, begin + p - 1);
  for (let i = begin + p - 1; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += x[i - p + 1 + j]! * (j + 1);
    out[i] = s / div;
  }
}

/** Lookback of an MA of type t and period p (TA-Lib's). Filled in by the trend group for DEMA.. T3. */
export const maLookbackTable: Record<number, (p: number) => number> = {
  0: (p) => p - 1,
  1: (p) => p - 1,
  2: (p) => p - 1,
};

export function maLookback(t: number, p: number): number {
  if (p === 1) return 0;
  const f = maLookbackTable[t];
  if (!f) throw new RangeError(`maType ${t} is not supported (supported: ${Object.entries(MA_TYPES).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  return f(p);
}

/** MA row functions by type; the trend group registers DEMA, TEMA, TRIMA, KAMA, T3. */
export const maRowTable: Record<number, (x: Float64Array, begin: number, p: number, out: Float64Array) => void> = {
  0: smaFrom,
  1: emaFrom,
  2: wmaFrom,
};

/** MA of type t over x[begin..n) into out. Period 1 copies the input (TA-Lib). */
export function maRow(t: number, x: Float64Array, begin: number, p: number, out: Float64Array): void {
  if (p === 1) {
    fillNaN(out, 0, begin);
    for (let i = begin; i < x.length; i++) out[i] = x[i]!;
    return;
  }
  const f = maRowTable[t];
  if (!f) throw new RangeError(`maType ${t} is not supported`);
  f(x, begin, p, out);
}

// ---- streaming ----

/** Streaming SMA: running sum with non-finite counts (same semantics as the batch kernel). */
export class SmaStream {
  private readonly buf: Float64Array;
  private i = 0;
  private count = 0;
  private sum = 0;
  private nan = 0;
  private pos = 0;
  private neg = 0;
  constructor(readonly period: number) {
    this.buf = new Float64Array(period);
  }
  push(v: number): number {
    const p = this.period;
    if (this.count >= p) {
      const old = this.buf[this.i]!;
      const d = v - old;
      if (d - d === 0) this.sum += d;
      else { this.add(v, 1); this.add(old, -1); }
    } else {
      this.add(v, 1);
      this.count++;
    }
    this.buf[this.i] = v;
    this.i = this.i + 1 === p ? 0 : this.i + 1;
    if (this.count < p) return NaN;
    if (this.nan + this.pos + this.neg === 0) return this.sum / p;
    return this.nan > 0 || (this.pos > 0 && this.neg > 0) ? NaN : this.pos > 0 ? Infinity : -Infinity;
  }
  private add(v: number, d: number): void {
    if (v - v === 0) this.sum += d * v;
    else if (v !== v) this.nan += d;
    else if (v > 0) this.pos += d;
    else this.neg += d;
  }
}

/** Streaming EMA seeded with the SMA of the first p values (TA-Lib). */
export class EmaStream {
  private n = 0;
  private e = 0;
  readonly k: number;
  constructor(readonly period: number, k = 2 / (period + 1)) {
    this.k = k;
  }
  push(v: number): number {
    if (this.n < this.period) {
      this.e += v;
      if (++this.n < this.period) return NaN;
      this.e /= this.period;
      return this.e;
    }
    this.e = (v - this.e) * this.k + this.e;
    return this.e;
  }
}

/** Streaming WMA: running weighted and plain sums over a ring buffer. */
export class WmaStream {
  private readonly buf: Float64Array;
  private i = 0;
  private n = 0;
  private wsum = 0;
  private sum = 0;
  private readonly div: number;
  constructor(readonly period: number) {
    this.buf = new Float64Array(period);
    this.div = (period * (period + 1)) / 2;
  }
  push(v: number): number {
    const p = this.period;
    if (this.n < p) {
      this.n++;
      this.wsum += v * this.n;
      this.sum += v;
      this.buf[this.i] = v;
      this.i = (this.i + 1) % p;
      return this.n < p ? NaN : this.wsum / this.div;
    }
    const old = this.buf[this.i]!;
    this.wsum += v * p - this.sum;
    this.sum += v - old;
    this.buf[this.i] = v;
    this.i = this.i + 1 === p ? 0 : this.i + 1;
    return this.wsum / this.div;
  }
}

/** A streaming MA of a given type: `push(v)` returns the MA or NaN in the warm-up. */
export interface MaPush {
  push(v: number): number;
}

/** Streaming MA factories by type; the trend group registers DEMA, TEMA, TRIMA, KAMA, T3. */
export const maStreamTable: Record<number, (p: number) => MaPush> = {
  0: (p) => new SmaStream(p),
  1: (p) => new EmaStream(p),
  2: (p) => new WmaStream(p),
};

export function maStream(t: number, p: number): MaPush {
  if (p === 1) return { push: (v) => v };
  const f = maStreamTable[t];
  if (!f) throw new RangeError(`maType ${t} is not supported`);
  return f(p);
}

/** Wraps a single-input MaPush as an IndicatorStream. */
export function singleStream(inner: MaPush): IndicatorStream {
  const values = new Float64Array(1);
  return {
    values,
    update(bar: StreamBar | number): number {
      const v = inner.push(typeof bar === 'number' ? bar : barValue(bar, 'x'));
      values[0] = v;
      return v;
    },
  };
}

export const MA_INDICATORS: IndicatorSpec[] = [
  {
    name: 'sma',
    group: 'trend',
    summary: 'simple moving average',
    inputs: ['x'],
    outputs: ['sma'],
    params: [periodParam(30, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => smaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new SmaStream(p[0]!)),
    talib: { name: 'SMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'mean(x[t-p+1..t]); TA-Lib SMA',
  },
  {
    name: 'ema',
    group: 'trend',
    summary: 'exponential moving average, k = 2/(p+1), seeded with the SMA of the first p values',
    inputs: ['x'],
    outputs: ['ema'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => emaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new EmaStream(p[0]!)),
    talib: { name: 'EMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'e[t] = e[t-1] + k (x[t] - e[t-1]), k = 2/(p+1), e[p-1] = SMA(p); TA-Lib EMA (default, non-Metastock seeding)',
  },
  {
    name: 'wma',
    group: 'trend',
    summary: 'linearly weighted moving average (weights 1..p)',
    inputs: ['x'],
    outputs: ['wma'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => wmaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new WmaStream(p[0]!)),
    talib: { name: 'WMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'sum(w x[t-p+w], w = 1..p) / (p(p+1)/2); TA-Lib WMA',
  },
];
