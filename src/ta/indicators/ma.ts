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

// ---- TA-Lib's other MA types (reference forms; kernels in native/ta/kernels/ma.h) ----

/** EMA chain used by DEMA/TEMA: EMA of `x` from `begin`, with TA-Lib's SMA seed. */
function emaChain(x: Float64Array, begin: number, p: number, stages: number): Float64Array[] {
  const res: Float64Array[] = [];
  let src = x, b = begin;
  for (let s = 0; s < stages; s++) {
    const e = new Float64Array(x.length);
    emaFrom(src, b, p, e);
    res.push(e);
    src = e;
    b += p - 1;
  }
  return res;
}

/** DEMA = 2 EMA(x) - EMA(EMA(x)); TA-Lib DEMA, lookback 2(p-1). */
export function demaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const [e1, e2] = emaChain(x, begin, p, 2) as [Float64Array, Float64Array];
  const first = begin + 2 * (p - 1);
  fillNaN(out, 0, first);
  for (let i = first; i < x.length; i++) out[i] = 2 * e1[i]! - e2[i]!;
}

/** TEMA = 3 EMA1 - 3 EMA2 + EMA3 (chained EMAs); TA-Lib TEMA, lookback 3(p-1). */
export function temaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const [e1, e2, e3] = emaChain(x, begin, p, 3) as [Float64Array, Float64Array, Float64Array];
  const first = begin + 3 * (p - 1);
  fillNaN(out, 0, first);
  for (let i = first; i < x.length; i++) out[i] = e3[i]! + (3 * e1[i]! - 3 * e2[i]!);
}

/** TRIMA as the textbook SMA of an SMA: odd p: SMA(SMA(x, (p+1)/2), (p+1)/2); even p: SMA(SMA(x, p/2), p/2+1). */
export function trimaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const m1 = p % 2 === 1 ? (p + 1) / 2 : p / 2;
  const m2 = p % 2 === 1 ? (p + 1) / 2 : p / 2 + 1;
  const t = new Float64Array(x.length);
  smaFrom(x, begin, m1, t);
  smaFrom(t, begin + m1 - 1, m2, out);
}

/** TA-Lib KAMA constants: fast 2, slow 30. */
const KAMA_MAX = 2 / (30 + 1);
const KAMA_DIFF = 2 / (2 + 1) - KAMA_MAX;

/** KAMA's smoothing constant from the sum of |1-bar changes| and the signed p-bar change (TA-Lib's rule). */
export function kamaSc(sumRoc1: number, periodRoc: number): number {
  let t = sumRoc1 <= periodRoc || (-1e-14 < sumRoc1 && sumRoc1 < 1e-14) ? 1 : Math.abs(periodRoc / sumRoc1);
  t = t * KAMA_DIFF + KAMA_MAX;
  return t * t;
}

/**
 * KAMA (Kaufman) as TA-Lib: ER = |x[t] - x[t-p]| / sum(|x[j] - x[j-1]|, j = t-p+1..t),
 * sc = (ER (2/3 - 2/31) + 2/31)^2, kama[t] = kama[t-1] + sc (x[t] - kama[t-1]),
 * kama[begin+p-1] = x[begin+p-1] (first output at begin+p). Fresh sum per window here.
 */
export function kamaFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length, start = begin + p;
  fillNaN(out, 0, start);
  if (start >= n) return;
  let kama = x[start - 1]!;
  for (let i = start; i < n; i++) {
    let s = 0;
    for (let j = i - p + 1; j <= i; j++) s += Math.abs(x[j - 1]! - x[j]!);
    kama = (x[i]! - kama) * kamaSc(s, x[i]! - x[i - p]!) + kama;
    out[i] = kama;
  }
}

/** T3 coefficients for volume factor a (TA-Lib T3). */
export function t3Coef(a: number): [number, number, number, number] {
  const t = a * a;
  const c1 = -(t * a);
  return [c1, 3 * (t - c1), -6 * t - 3 * (a - c1), 1 + 3 * a - c1 + 3 * t];
}

/** T3 (Tillson) as TA-Lib: six chained EMAs e = k v + (1-k) e, each seeded with the mean of its first p inputs; c1 e6 + c2 e5 + c3 e4 + c4 e3. */
export function t3From(x: Float64Array, begin: number, p: number, vFactor: number, out: Float64Array): void {
  const n = x.length, k = 2 / (p + 1), omk = 1 - k;
  const es: Float64Array[] = [];
  let src = x, b = begin;
  for (let s = 0; s < 6; s++) {
    const e = new Float64Array(n).fill(NaN);
    const first = b + p - 1;
    if (first < n) {
      let sum = 0;
      for (let i = b; i <= first; i++) sum += src[i]!;
      let v = sum / p;
      e[first] = v;
      for (let i = first + 1; i < n; i++) { v = k * src[i]! + omk * v; e[i] = v; }
    }
    es.push(e);
    src = e;
    b = first;
  }
  const [c1, c2, c3, c4] = t3Coef(vFactor);
  const first = begin + 6 * (p - 1);
  fillNaN(out, 0, first);
  for (let i = first; i < n; i++) out[i] = c1 * es[5]![i]! + c2 * es[4]![i]! + c3 * es[3]![i]! + c4 * es[2]![i]!;
}

/** Lookback of an MA of type t and period p (TA-Lib's TA_MA_Lookback). */
export const maLookbackTable: Record<number, (p: number) => number> = {
  0: (p) => p - 1,
  1: (p) => p - 1,
  2: (p) => p - 1,
  3: (p) => 2 * (p - 1),
  4: (p) => 3 * (p - 1),
  5: (p) => p - 1,
  6: (p) => p,
  8: (p) => 6 * (p - 1),
};

export function maLookback(t: number, p: number): number {
  if (p === 1) return 0;
  const f = maLookbackTable[t];
  if (!f) throw new RangeError(`maType ${t} is not supported (supported: ${Object.entries(MA_TYPES).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  return f(p);
}

/** MA row functions by type (T3 with TA_MA's vFactor 0.7; MAMA is not supported). */
export const maRowTable: Record<number, (x: Float64Array, begin: number, p: number, out: Float64Array) => void> = {
  0: smaFrom,
  1: emaFrom,
  2: wmaFrom,
  3: demaFrom,
  4: temaFrom,
  5: trimaFrom,
  6: kamaFrom,
  8: (x, begin, p, out) => t3From(x, begin, p, 0.7, out),
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

/** Streaming WMA: running weighted and plain sums over a ring buffer (mirrors wma_from in ma.h: direct sum while a non-finite value is in the window, restart after). */
export class WmaStream {
  private readonly buf: Float64Array;
  private i = 0;
  private n = 0;
  private wsum = 0;
  private sum = 0;
  private bad = 0;
  private since = 0;
  private restart = true;
  private readonly div: number;
  private readonly rdiv: number;
  /** `reseed`: also recompute the sums every `period` bars, and multiply by 1/divider (wma_from_rs in ma.h; used by HMA). */
  constructor(readonly period: number, private readonly reseed = false) {
    this.buf = new Float64Array(period);
    this.div = (period * (period + 1)) / 2;
    this.rdiv = 1 / this.div;
  }
  push(v: number): number {
    const p = this.period;
    const full = this.n === p;
    const old = this.buf[this.i]!;
    this.buf[this.i] = v;
    this.i = this.i + 1 === p ? 0 : this.i + 1; // now the oldest slot
    if (!full) this.n++;
    if (v - v !== 0) this.bad++;
    if (full && old - old !== 0) this.bad--;
    if (this.n < p) return NaN;
    if (this.bad > 0) {
      let w = 0;
      for (let j = 0; j < p; j++) w += this.at(j) * (j + 1);
      this.restart = true;
      return this.reseed ? w * this.rdiv : w / this.div;
    }
    if (this.restart || (this.reseed && this.since >= p)) {
      this.wsum = 0; this.sum = 0;
      for (let j = 0; j < p; j++) { const x = this.at(j); this.wsum += x * (j + 1); this.sum += x; }
      this.restart = false;
      this.since = 1;
    } else {
      this.wsum += v * p - this.sum;
      this.sum += v - old;
      this.since++;
    }
    return this.reseed ? this.wsum * this.rdiv : this.wsum / this.div;
  }
  /** Window element j (0 = oldest) once full. */
  private at(j: number): number {
    const k = this.i + j;
    return this.buf[k >= this.period ? k - this.period : k]!;
  }
}

/** A streaming MA of a given type: `push(v)` returns the MA or NaN in the warm-up. */
export interface MaPush {
  push(v: number): number;
}

/**
 * One EMA stage of a chain (TA-Lib seed: mean of its first p inputs); mirrors the stages of
 * dema_from_t / tema_from_t in ma.h: `fast` selects ema_step<true> (e (1-k) + v k, used by the
 * DEMA / TEMA indicators), otherwise TA-Lib's e + (v - e) k (the MA types of composites).
 */
class EmaStage {
  cnt = 0;
  e = 0;
  private readonly omk: number;
  constructor(readonly p: number, readonly k: number, private readonly fast = false) {
    this.omk = 1 - k;
  }
  push(v: number): boolean {
    if (this.cnt < this.p) {
      this.e += v;
      if (++this.cnt < this.p) return false;
      this.e = this.e / this.p;
      return true;
    }
    this.e = this.fast ? this.e * this.omk + v * this.k : (v - this.e) * this.k + this.e;
    return true;
  }
}

/** Streaming DEMA (two chained EMA stages; `fast`: see EmaStage). */
export class DemaStream implements MaPush {
  private readonly a: EmaStage;
  private readonly b: EmaStage;
  constructor(p: number, fast = false) {
    const k = 2 / (p + 1);
    this.a = new EmaStage(p, k, fast);
    this.b = new EmaStage(p, k, fast);
  }
  push(v: number): number {
    return this.a.push(v) && this.b.push(this.a.e) ? 2 * this.a.e - this.b.e : NaN;
  }
}

/** Streaming TEMA (three chained EMA stages; `fast`: see EmaStage). */
export class TemaStream implements MaPush {
  private readonly a: EmaStage;
  private readonly b: EmaStage;
  private readonly c: EmaStage;
  constructor(p: number, fast = false) {
    const k = 2 / (p + 1);
    this.a = new EmaStage(p, k, fast);
    this.b = new EmaStage(p, k, fast);
    this.c = new EmaStage(p, k, fast);
  }
  push(v: number): number {
    return this.a.push(v) && this.b.push(this.a.e) && this.c.push(this.b.e) ? this.c.e + (3 * this.a.e - 3 * this.b.e) : NaN;
  }
}

/** Streaming TRIMA: TA-Lib's running numerator over a ring of p values, mirroring trima_from in ma.h (direct sum while a non-finite value is in the window, restart after). */
export class TrimaStream implements MaPush {
  private readonly buf: Float64Array;
  private readonly split: number;
  private readonly odd: boolean;
  private readonly factor: number;
  private count = 0;
  private head = 0;
  private bad = 0;
  private restart = true;
  private num = 0;
  private sub = 0;
  private add = 0;
  constructor(readonly p: number) {
    this.buf = new Float64Array(p);
    const h = p >> 1;
    this.split = p - h;
    this.odd = p % 2 === 1;
    this.factor = 1 / (this.odd ? (h + 1) * (h + 1) : h * (h + 1));
  }
  /** Window element j (0 = oldest) once full. */
  private at(j: number): number {
    const k = this.head + j;
    return this.buf[k >= this.p ? k - this.p : k]!;
  }
  push(v: number): number {
    const p = this.p;
    let old = NaN, hadOld = false, xm = 0;
    if (this.count === p) {
      old = this.buf[this.head]!;
      hadOld = true;
      xm = this.at(this.split); // x[s-1+split] of the previous window
    }
    this.buf[this.head] = v;
    this.head = this.head + 1 === p ? 0 : this.head + 1;
    if (this.count < p) this.count++;
    if (v - v !== 0) this.bad++;
    if (hadOld && old - old !== 0) this.bad--;
    if (this.count < p) return NaN;
    if (this.bad > 0) {
      let w = 0;
      for (let j = 0; j < p; j++) w += Math.min(j + 1, p - j) * this.at(j);
      this.restart = true;
      return w * this.factor;
    }
    if (this.restart) {
      this.num = 0; this.sub = 0; this.add = 0;
      for (let j = this.split - 1; j >= 0; j--) { this.sub += this.at(j); this.num += this.sub; }
      for (let j = this.split; j < p; j++) { this.add += this.at(j); this.num += this.add; }
      this.restart = false;
    } else {
      this.num -= this.sub;
      this.sub -= old;
      this.sub += xm;
      if (this.odd) { this.num += this.add; this.add -= xm; } else { this.add -= xm; this.num += this.add; }
      this.add += v;
      this.num += v;
    }
    return this.num * this.factor;
  }
}

/** Streaming KAMA: TA-Lib's running sum of |1-bar changes| over a ring of the last p+2 values (mirrors kama_from in ma.h). */
export class KamaStream implements MaPush {
  private readonly buf: Float64Array;
  private readonly m: number;
  private count = 0;
  private w = 0; // next write slot
  private sum = 0;
  private kama = 0;
  constructor(readonly p: number) {
    this.m = p + 2;
    this.buf = new Float64Array(this.m);
  }
  /** x[t - back] (back <= p+1). */
  private x(back: number): number {
    let k = this.w - 1 - back;
    if (k < 0) k += this.m;
    return this.buf[k]!;
  }
  push(v: number): number {
    const p = this.p;
    this.buf[this.w] = v;
    this.w = this.w + 1 === this.m ? 0 : this.w + 1;
    if (this.count <= p + 1) this.count++;
    if (this.count <= p) return NaN;
    if (this.count === p + 1) {
      let s = 0;
      for (let j = p; j >= 1; j--) { let t = this.x(j); t -= this.x(j - 1); s += Math.abs(t); }
      this.sum = s;
      this.kama = this.x(1);
      this.kama = (v - this.kama) * kamaSc(s, v - this.x(p)) + this.kama;
      return this.kama;
    }
    const trail = this.x(p);
    const roc = v - trail;
    this.sum -= Math.abs(this.x(p + 1) - trail);
    this.sum += Math.abs(v - this.x(1));
    this.kama = (v - this.kama) * kamaSc(this.sum, roc) + this.kama;
    return this.kama;
  }
}

/** Streaming T3: six chained stages e = k v + (1-k) e (mirrors t3_from in ma.h). */
export class T3Stream implements MaPush {
  private readonly cnt = new Int32Array(6);
  private readonly e = new Float64Array(6);
  private readonly k: number;
  private readonly omk: number;
  private readonly c: [number, number, number, number];
  constructor(readonly p: number, vFactor = 0.7) {
    this.k = 2 / (p + 1);
    this.omk = 1 - this.k;
    this.c = t3Coef(vFactor);
  }
  push(v: number): number {
    const p = this.p, e = this.e, cnt = this.cnt;
    let x = v;
    for (let j = 0; j < 6; j++) {
      if (cnt[j]! < p) {
        e[j] = e[j]! + x;
        if (++cnt[j]! < p) return NaN;
        e[j] = e[j]! / p;
      } else {
        e[j] = this.k * x + this.omk * e[j]!;
      }
      x = e[j]!;
    }
    const [c1, c2, c3, c4] = this.c;
    return c1 * e[5]! + c2 * e[4]! + c3 * e[3]! + c4 * e[2]!;
  }
}

/** Streaming MA factories by type (T3 with vFactor 0.7; MAMA is not supported). */
export const maStreamTable: Record<number, (p: number) => MaPush> = {
  0: (p) => new SmaStream(p),
  1: (p) => new EmaStream(p),
  2: (p) => new WmaStream(p),
  3: (p) => new DemaStream(p),
  4: (p) => new TemaStream(p),
  5: (p) => new TrimaStream(p),
  6: (p) => new KamaStream(p),
  8: (p) => new T3Stream(p, 0.7),
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

/**
 * The EMA indicator's stream: EmaStream's arithmetic inline in a class of its own (a
 * monomorphic update, no call through singleStream's shared MaPush site). The steady state is
 * straight-line and evaluates e (1 - k) + x k: a 2-operation loop-carried chain (mul + add)
 * where TA-Lib's (x - e) k + e has 3; both are a convex combination, within an ulp or two of
 * each other per step and contracting, so the stream stays within ~1e-15 relative of the batch
 * kernel (TA-Lib's order). A non-finite result is recomputed in TA-Lib's order, so NaN/Inf
 * propagate exactly as in the batch (e = Inf then x finite gives NaN there).
 */
class EmaIndicatorStream implements IndicatorStream {
  // Every field starts with a value of its final kind: a field declared without one starts as
  // undefined (ES2022 class fields), and V8 then keeps it tagged (a boxed number per load).
  // name/outputs exist up front so that createIndicator's Object.assign adds no properties
  // (a map transition that cost ~2-3 ns per update in the hot loop).
  name = '';
  outputs: readonly string[] = [];
  readonly values = new Float64Array(1);
  private n = 0;
  private e = 0;
  private readonly p: number = 0;
  private readonly k: number = 0.5;
  private readonly k1: number = 0.5;
  constructor(p: number) {
    this.p = p;
    this.k = 2 / (p + 1);
    this.k1 = 1 - this.k;
  }
  update(bar: StreamBar | number): number {
    const v = typeof bar === 'number' ? bar : barValue(bar, 'x');
    if (this.n >= this.p) {
      const e0 = this.e;
      let e = e0 * this.k1 + v * this.k;
      if (e - e !== 0) e = (v - e0) * this.k + e0;
      this.e = e;
      this.values[0] = e;
      return e;
    }
    return this.warm(v);
  }
  private warm(v: number): number {
    const e = this.e + v;
    if (++this.n < this.p) {
      this.e = e;
      this.values[0] = NaN;
      return NaN;
    }
    this.e = e / this.p;
    this.values[0] = this.e;
    return this.e;
  }
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
    talib: { name: 'SMA', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'period 1 (the input itself) is ours only: TA-Lib SMA takes 2..100000' },
    formula: 'mean(x[t-p+1..t]); TA-Lib SMA',
    // TA-Lib rejects period 1, so the random TA-Lib comparison draws from 2 (period 1 is covered by maRow tests).
    testRanges: { period: [2, 50] },
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
    stream: (p) => new EmaIndicatorStream(p[0]!),
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
