/**
 * Momentum indicators: TypeScript reference + streaming forms; kernels in
 * native/ta/kernels/momentum.h. Every indicator follows the TA-Lib C function of the same
 * name (node_modules/talib/src/lib/src/ta_func/ta_<NAME>.c): seeding, lookback, operation
 * order and the zero-denominator cases (TA-Lib writes 0 there; DX repeats its last value).
 * Our names are TA-Lib's in camelCase (STOCHRSI -> stochRsi, PLUS_DI -> plusDi; lookup is case-insensitive).
 *
 * The references transcribe TA-Lib's algorithm where its running state defines the result
 * (Wilder averages, EMAs, the running sums of ULTOSC and MFI: a NaN input stays in them, as
 * in TA-Lib) and use the obvious per-window scan for rolling extrema (NaN while the window
 * holds a NaN high/low; the kernels use monotonic deques for the same values) and CCI.
 * Streams mirror the kernels' operation order, so they equal the batch values to rounding.
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type ParamSpec, type StreamBar } from '../spec.js';
import { EmaStream, emaFromK, fillNaN, maLookback, maStream, maTypeParam, periodParam, type MaPush } from './ma.js';

// ---------------------------------------------------------------------------------------
// shared helpers

/** TA-Lib's TA_IS_ZERO (TA_EPSILON = 1e-14). */
const isZero = (v: number): boolean => -1e-14 < v && v < 1e-14;

function lenParam(name: string, def: number, min: number, description: string): ParamSpec {
  return { name, default: def, min, max: 1e9, integer: true, maxIsLength: true, description };
}

/** TA-Lib's MA lookback (period 1 is a plain copy for every type). */
const maLb = (t: number, p: number): number => (p <= 1 ? 0 : maLookback(t, p));

/** SMA of x[begin..n) in TA-Lib's operation order (TA_INT_SMA): out = (S + x_new)/p, then S -= x_old. */
function smaTalib(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length, first = begin + p - 1;
  fillNaN(out, 0, Math.min(first, n));
  if (first >= n) return;
  let s = 0;
  for (let i = begin; i < first; i++) s += x[i]!;
  for (let i = first, tr = begin; i < n; i++, tr++) {
    s += x[i]!;
    const t = s;
    s -= x[tr]!;
    out[i] = t / p;
  }
}

/** Streaming twin of smaTalib. */
class SmaTalibStream implements MaPush {
  private readonly ring: Float64Array;
  private k = 0;
  private s = 0;
  constructor(private readonly p: number) {
    this.ring = new Float64Array(p);
  }
  push(v: number): number {
    const p = this.p, i = this.k++;
    this.ring[i % p] = v;
    this.s += v;
    if (i < p - 1) return NaN;
    const t = this.s;
    this.s -= this.ring[(i - p + 1) % p]!;
    return t / p;
  }
}

/** WMA of x[begin..n) in TA-Lib's operation order (TA_INT_WMA). */
function wmaTalib(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length, first = begin + p - 1;
  fillNaN(out, 0, Math.min(first, n));
  if (first >= n) return;
  let sum = 0, sub = 0;
  for (let i = begin, w = 1; i < first; i++, w++) { const v = x[i]!; sub += v; sum += v * w; }
  const div = (p * (p + 1)) >> 1;
  let trailing = 0;
  for (let i = first, tr = begin; i < n; i++, tr++) {
    const v = x[i]!;
    sub += v;
    sub -= trailing;
    sum += v * p;
    trailing = x[tr]!;
    out[i] = sum / div;
    sum -= sub;
  }
}

/** Streaming twin of wmaTalib. */
class WmaTalibStream implements MaPush {
  private readonly ring: Float64Array;
  private readonly div: number;
  private k = 0;
  private sum = 0;
  private sub = 0;
  private trailing = 0;
  constructor(private readonly p: number) {
    this.ring = new Float64Array(p);
    this.div = (p * (p + 1)) >> 1;
  }
  push(v: number): number {
    const p = this.p, i = this.k++;
    this.ring[i % p] = v;
    if (i < p - 1) { this.sub += v; this.sum += v * (i + 1); return NaN; }
    this.sub += v;
    this.sub -= this.trailing;
    this.sum += v * p;
    this.trailing = this.ring[(i - p + 1) % p]!;
    const out = this.sum / this.div;
    this.sum -= this.sub;
    return out;
  }
}

/**
 * The MA-type dispatcher for this group: SMA and WMA in TA-Lib's operation order (so outputs
 * that are small differences of large sums - a flat %K, fast MA ~ slow MA - carry TA-Lib's own
 * rounding residue); every other type through ma.ts's streaming form, which keeps the kernels'
 * (TA-Lib's) running sums. ma.ts's batch references sum TRIMA/KAMA windows afresh: fine for
 * the MA itself, but KAMA's efficiency-ratio branch flips on inputs flat to an ulp (STOCHRSI's
 * %K at 100) and APO/PPO amplify TRIMA's reordering, so they would not match TA-Lib here.
 */
function maT(t: number, x: Float64Array, begin: number, p: number, out: Float64Array): void {
  if (t === 0 && p > 1) return smaTalib(x, begin, p, out);
  if (t === 2 && p > 1) return wmaTalib(x, begin, p, out);
  fillNaN(out, 0, begin);
  const s = maStream(t, p);
  for (let i = begin; i < x.length; i++) out[i] = s.push(x[i]!);
}
function maTStream(t: number, p: number): MaPush {
  if (t === 0 && p > 1) return new SmaTalibStream(p);
  if (t === 2 && p > 1) return new WmaTalibStream(p);
  return maStream(t, p);
}

function bv(bar: StreamBar | number, name: 'open' | 'high' | 'low' | 'close' | 'volume' | 'x'): number {
  if (typeof bar === 'number') return bar;
  return barValue(bar, name);
}

/** An IndicatorStream over a per-bar function writing `values`. */
function makeStream(nOut: number, step: (bar: StreamBar | number, values: Float64Array) => void): IndicatorStream {
  const values = new Float64Array(nOut).fill(NaN);
  return {
    values,
    update(bar) {
      step(bar, values);
      return values[0]!;
    },
  };
}

/** A monotonic deque of (index, value) in rings of `cap` slots: rolling max or min, newest wins ties. */
class MonoDeque {
  private readonly idx: Float64Array;
  private readonly val: Float64Array;
  private head = 0;
  size = 0;
  constructor(private readonly cap: number, private readonly max: boolean) {
    this.idx = new Float64Array(cap);
    this.val = new Float64Array(cap);
  }
  /** Drops indices outside (i - w, i]; then pushes (i, v) unless v is NaN. */
  push(i: number, v: number, w: number): void {
    while (this.size > 0 && this.idx[this.head]! <= i - w) {
      if (++this.head === this.cap) this.head = 0;
      this.size--;
    }
    if (v !== v) return;
    while (this.size > 0) {
      let k = this.head + this.size - 1;
      if (k >= this.cap) k -= this.cap;
      const b = this.val[k]!;
      if (this.max ? b <= v : b >= v) this.size--;
      else break;
    }
    let k = this.head + this.size;
    if (k >= this.cap) k -= this.cap;
    this.idx[k] = i;
    this.val[k] = v;
    this.size++;
  }
  frontIndex(): number {
    return this.idx[this.head]!;
  }
  frontValue(): number {
    return this.val[this.head]!;
  }
}

// ---------------------------------------------------------------------------------------
// RSI / CMO

/** TA-Lib RSI/CMO: Wilder averages of gains/losses seeded with their plain means over p changes. */
function rsiCmoRef(x: Float64Array, p: number, out: Float64Array, cmo: boolean, talibOrder = false): void {
  const n = x.length;
  fillNaN(out, 0, Math.min(p, n));
  if (p >= n) return;
  let gain = 0, loss = 0, prev = x[0]!;
  for (let i = 1; i <= p; i++) {
    const v = x[i]!, d = v - prev;
    prev = v;
    if (d < 0) loss -= d; else gain += d;
  }
  loss /= p;
  gain /= p;
  // Wilder step as mom_wilder_step (momentum.h): A k + v (1/p), the split branch-free.
  const k = (p - 1) / p, hr = 0.5 / p;
  for (let i = p; ; ) {
    const s = gain + loss;
    out[i] = !isZero(s) ? (cmo ? 100 * ((gain - loss) / s) : 100 * (gain / s)) : 0;
    if (++i >= n) break;
    const v = x[i]!, d = v - prev;
    prev = v;
    if (talibOrder) {
      // TA-Lib's operation order (StochRSI, as its kernel: %K magnifies an ulp of the RSI)
      loss *= p - 1;
      gain *= p - 1;
      if (d < 0) loss -= d; else gain += d;
      loss /= p;
      gain /= p;
      continue;
    }
    const a = Math.abs(d);
    gain = gain * k + (d + a) * hr;
    loss = loss * k + (a - d) * hr;
  }
}

/**
 * RSI / CMO state, also the IndicatorStream itself (no closure, plain numeric fields). The
 * steady state (count > p) is one straight-line path: the Wilder step of mom_wilder_step
 * (momentum.h; A k + v (1/p), branch-free gain/loss split), so streaming equals the kernel
 * bit for bit; the warm-up (seeding with the plain means, as TA-Lib) is a separate method.
 */
class RsiState implements IndicatorStream {
  // Fields start with values of their final kind and name/outputs exist up front (see
  // EmaIndicatorStream in ma.ts: V8 keeps undefined-initialised fields tagged).
  name = '';
  outputs: readonly string[] = [];
  readonly values = new Float64Array(1).fill(NaN);
  private count = 0;
  private prev = 0;
  private gain = 0;
  private loss = 0;
  private readonly p: number = 0;
  private readonly cmo: boolean = false;
  private readonly k: number = 0.5;
  private readonly hr: number = 0.5;
  constructor(p: number, cmo: boolean) {
    this.p = p;
    this.cmo = cmo;
    this.k = (p - 1) / p;
    this.hr = 0.5 / p;
  }
  update(bar: StreamBar | number): number {
    const v = typeof bar === 'number' ? bar : barValue(bar, 'x');
    let r: number;
    if (this.count > this.p) {
      // push()'s steady state written out here (one inlined body for the caller's loop)
      const d = v - this.prev;
      this.prev = v;
      const a = Math.abs(d), k = this.k, hr = this.hr;
      const gain = this.gain * k + (d + a) * hr;
      const loss = this.loss * k + (a - d) * hr;
      this.gain = gain;
      this.loss = loss;
      const s = gain + loss;
      r = -1e-14 < s && s < 1e-14 ? 0 : this.cmo ? 100 * ((gain - loss) / s) : 100 * (gain / s);
    } else {
      r = this.warm(v);
    }
    this.values[0] = r;
    return r;
  }
  push(v: number): number {
    if (this.count > this.p) {
      const d = v - this.prev;
      this.prev = v;
      const a = Math.abs(d), k = this.k, hr = this.hr;
      const gain = this.gain * k + (d + a) * hr;
      const loss = this.loss * k + (a - d) * hr;
      this.gain = gain;
      this.loss = loss;
      const s = gain + loss;
      return -1e-14 < s && s < 1e-14 ? 0 : this.cmo ? 100 * ((gain - loss) / s) : 100 * (gain / s);
    }
    return this.warm(v);
  }
  private warm(v: number): number {
    const k = this.count++, p = this.p;
    if (k === 0) { this.prev = v; return NaN; }
    const d = v - this.prev;
    this.prev = v;
    if (d < 0) this.loss -= d; else this.gain += d;
    if (k < p) return NaN;
    this.loss /= p;
    this.gain /= p;
    const s = this.gain + this.loss;
    return !isZero(s) ? (this.cmo ? 100 * ((this.gain - this.loss) / s) : 100 * (this.gain / s)) : 0;
  }
}

/** RSI in TA-Lib's exact operation order (A = (A (p-1) + v) / p with the branch on the sign): StochRSI's RSI (mom_stochrsi_sma). */
class TalibRsiPush {
  private count = 0;
  private prev = 0;
  private gain = 0;
  private loss = 0;
  constructor(private readonly p: number) {}
  push(v: number): number {
    const k = this.count++, p = this.p;
    if (k === 0) { this.prev = v; return NaN; }
    const d = v - this.prev;
    this.prev = v;
    if (k > p) { this.loss *= p - 1; this.gain *= p - 1; }
    if (d < 0) this.loss -= d; else this.gain += d;
    if (k < p) return NaN;
    this.loss /= p;
    this.gain /= p;
    const s = this.gain + this.loss;
    return !isZero(s) ? 100 * (this.gain / s) : 0;
  }
}

// ---------------------------------------------------------------------------------------
// rolling high/low oscillators

/**
 * Fast %K (or Williams %R) of (h, l, c) over the window (i-p, i] for i >= begin + p - 1:
 * %K = (c - LL) / ((HH - LL)/100), %R = (HH - c) / ((HH - LL)/-100), 0 when the range is 0
 * (TA-Lib); NaN while the window holds a NaN high or low.
 */
function hlOscRef(h: Float64Array, l: Float64Array, c: Float64Array, begin: number, p: number, out: Float64Array, willr: boolean): void {
  const n = h.length, first = begin + p - 1;
  fillNaN(out, 0, Math.min(first, n));
  for (let i = first; i < n; i++) {
    let hh = -Infinity, ll = Infinity, bad = false;
    for (let j = i - p + 1; j <= i; j++) {
      const a = h[j]!, b = l[j]!;
      if (a !== a || b !== b) { bad = true; break; }
      if (a > hh) hh = a;
      if (b < ll) ll = b;
    }
    if (bad) { out[i] = NaN; continue; }
    out[i] = hlFormula(hh, ll, c[i]!, willr);
  }
}

function hlFormula(hh: number, ll: number, c: number, willr: boolean): number {
  if (willr) {
    const diff = (hh - ll) / -100;
    return diff !== 0 ? (hh - c) / diff : 0;
  }
  const diff = (hh - ll) / 100;
  return diff !== 0 ? (c - ll) / diff : 0;
}

/** Streaming %K / %R: monotonic deques (amortised O(1) per bar, O(p) memory). */
class HlOscState {
  private i = 0;
  private lastNan = -1;
  private readonly dh: MonoDeque;
  private readonly dl: MonoDeque;
  constructor(private readonly p: number, private readonly willr: boolean) {
    this.dh = new MonoDeque(p, true);
    this.dl = new MonoDeque(p, false);
  }
  push(h: number, l: number, c: number): number {
    const i = this.i++, p = this.p;
    this.dh.push(i, h, p);
    this.dl.push(i, l, p);
    if (h !== h || l !== l) this.lastNan = i;
    if (i < p - 1 || this.lastNan > i - p) return NaN;
    return hlFormula(this.dh.frontValue(), this.dl.frontValue(), c, this.willr);
  }
}

// ---------------------------------------------------------------------------------------
// CCI

/** CCI at bar i over (i-p, i], summing the window in TA-Lib's circular-buffer order (slot t % p). */
function cciRef(h: Float64Array, l: Float64Array, c: Float64Array, p: number, out: Float64Array): void {
  const n = h.length;
  fillNaN(out, 0, Math.min(p - 1, n));
  const tp = (t: number): number => (h[t]! + l[t]! + c[t]!) / 3;
  const ring = new Float64Array(p);
  for (let i = p - 1; i < n; i++) {
    for (let t = i - p + 1; t <= i; t++) ring[t % p] = tp(t);
    out[i] = cciFormula(ring, p, tp(i));
  }
}

function cciFormula(ring: Float64Array, p: number, last: number): number {
  let avg = 0;
  for (let j = 0; j < p; j++) avg += ring[j]!;
  avg /= p;
  let md = 0;
  for (let j = 0; j < p; j++) md += Math.abs(ring[j]! - avg);
  const d = last - avg;
  return d !== 0 && md !== 0 ? d / (0.015 * (md / p)) : 0;
}

// ---------------------------------------------------------------------------------------
// MACD

function macdRef(x: Float64Array, p: readonly number[], out: Float64Array[]): void {
  const n = x.length;
  let fast = p[0]!, slow = p[1]!;
  const sig = p[2]!;
  if (slow < fast) [fast, slow] = [slow, fast];
  const [m, s, h] = out as [Float64Array, Float64Array, Float64Array];
  const total = slow - 1 + sig - 1;
  if (total >= n) { m.fill(NaN); s.fill(NaN); h.fill(NaN); return; }
  const ks = 2 / (slow + 1), kf = 2 / (fast + 1);
  let es = 0, ef = 0;
  for (let i = 0; i < slow; i++) es += x[i]!;
  es /= slow;
  for (let i = slow - fast; i < slow; i++) ef += x[i]!;
  ef /= fast;
  fillNaN(m, 0, slow - 1);
  m[slow - 1] = ef - es;
  for (let i = slow; i < n; i++) {
    const v = x[i]!;
    es = (v - es) * ks + es;
    ef = (v - ef) * kf + ef;
    m[i] = ef - es;
  }
  emaFromK(m, slow - 1, sig, 2 / (sig + 1), s);
  fillNaN(h, 0, total);
  for (let i = total; i < n; i++) h[i] = m[i]! - s[i]!;
  fillNaN(m, 0, total);
}

/**
 * Streaming MACD as one class (plain numeric fields, no closure, steady state tested first):
 * the same operations as the kernel (the signal EMA seeded with the mean of the first `sig`
 * MACD values, summed left to right).
 */
class MacdStream implements IndicatorStream {
  readonly values = new Float64Array(3).fill(NaN);
  private i = 0;
  private es = 0;
  private ef = 0;
  private e = 0;
  private readonly fast: number;
  private readonly slow: number;
  private readonly sig: number;
  private readonly total: number;
  private readonly ks: number;
  private readonly kf: number;
  private readonly kg: number;
  constructor(p: readonly number[]) {
    let fast = p[0]!, slow = p[1]!;
    if (slow < fast) [fast, slow] = [slow, fast];
    this.fast = fast;
    this.slow = slow;
    this.sig = p[2]!;
    this.total = slow - 1 + this.sig - 1;
    this.ks = 2 / (slow + 1);
    this.kf = 2 / (fast + 1);
    this.kg = 2 / (this.sig + 1);
  }
  update(bar: StreamBar | number): number {
    const v = typeof bar === 'number' ? bar : barValue(bar, 'x');
    if (this.i > this.total) {
      const es = (v - this.es) * this.ks + this.es;
      const ef = (v - this.ef) * this.kf + this.ef;
      this.es = es;
      this.ef = ef;
      const m = ef - es;
      const e = (m - this.e) * this.kg + this.e;
      this.e = e;
      const values = this.values;
      values[0] = m;
      values[1] = e;
      values[2] = m - e;
      return m;
    }
    return this.warm(v);
  }
  private warm(v: number): number {
    const i = this.i++, slow = this.slow;
    if (i < slow) {
      this.es += v;
      if (i >= slow - this.fast) this.ef += v;
      if (i < slow - 1) return NaN;
      this.es /= slow;
      this.ef /= this.fast;
    } else {
      this.es = (v - this.es) * this.ks + this.es;
      this.ef = (v - this.ef) * this.kf + this.ef;
    }
    const m = this.ef - this.es;
    // the signal's seed: a plain sum of MACD[slow-1 .. total], then the mean
    this.e += m;
    if (i < this.total) return NaN;
    this.e /= this.sig;
    const values = this.values;
    values[0] = m;
    values[1] = this.e;
    values[2] = m - this.e;
    return m;
  }
}

function macdStream(p: readonly number[]): IndicatorStream {
  return new MacdStream(p);
}

// ---------------------------------------------------------------------------------------
// APO / PPO

function poRef(x: Float64Array, p: readonly number[], out: Float64Array, percent: boolean): void {
  const n = x.length;
  let fast = p[0]!, slow = p[1]!;
  if (slow < fast) [fast, slow] = [slow, fast];
  const t = p[2]!;
  const total = maLb(t, slow);
  if (total >= n) { out.fill(NaN); return; }
  const f = new Float64Array(n);
  maT(t, x, 0, fast, f);
  maT(t, x, 0, slow, out);
  fillNaN(out, 0, total);
  for (let i = total; i < n; i++) {
    const s = out[i]!;
    out[i] = percent ? (!isZero(s) ? ((f[i]! - s) / s) * 100 : 0) : f[i]! - s;
  }
}

function poStream(p: readonly number[], percent: boolean): IndicatorStream {
  let fast = p[0]!, slow = p[1]!;
  if (slow < fast) [fast, slow] = [slow, fast];
  const t = p[2]!;
  const total = maLb(t, slow);
  const mf = maTStream(t, fast), ms = maTStream(t, slow);
  let k = 0;
  return makeStream(1, (bar, values) => {
    const v = bv(bar, 'x'), i = k++;
    const f = mf.push(v), s = ms.push(v);
    if (i < total) return;
    values[0] = percent ? (!isZero(s) ? ((f - s) / s) * 100 : 0) : f - s;
  });
}

// ---------------------------------------------------------------------------------------
// MOM / ROC / ROCP / ROCR

type ChangeKind = 0 | 1 | 2 | 3;
function change(v: number, o: number, kind: ChangeKind): number {
  switch (kind) {
    case 0: return v - o;
    case 1: return o !== 0 ? (v / o - 1) * 100 : 0;
    case 2: return o !== 0 ? (v - o) / o : 0;
    default: return o !== 0 ? v / o : 0;
  }
}

function changeRef(x: Float64Array, p: number, out: Float64Array, kind: ChangeKind): void {
  fillNaN(out, 0, Math.min(p, x.length));
  for (let i = p; i < x.length; i++) out[i] = change(x[i]!, x[i - p]!, kind);
}

function changeStream(p: number, kind: ChangeKind): IndicatorStream {
  const ring = new Float64Array(p);
  let k = 0, slot = 0;
  return makeStream(1, (bar, values) => {
    const v = bv(bar, 'x');
    const old = ring[slot]!;
    ring[slot] = v;
    if (++slot === p) slot = 0;
    if (k++ < p) return;
    values[0] = change(v, old, kind);
  });
}

// ---------------------------------------------------------------------------------------
// TRIX

function trixRef(x: Float64Array, p: number, out: Float64Array): void {
  const n = x.length, total = 3 * (p - 1) + 1;
  if (total >= n) { out.fill(NaN); return; }
  const k = 2 / (p + 1);
  const a = new Float64Array(n), b = new Float64Array(n), c = new Float64Array(n);
  emaFromK(x, 0, p, k, a);
  emaFromK(a, p - 1, p, k, b);
  emaFromK(b, 2 * (p - 1), p, k, c);
  fillNaN(out, 0, total);
  for (let i = total; i < n; i++) out[i] = change(c[i]!, c[i - 1]!, 1);
}

function trixStream(p: number): IndicatorStream {
  const k = 2 / (p + 1);
  const e1 = new EmaStream(p, k), e2 = new EmaStream(p, k), e3 = new EmaStream(p, k);
  let i = 0, prev = NaN;
  return makeStream(1, (bar, values) => {
    const t = i++;
    const a = e1.push(bv(bar, 'x'));
    if (t < p - 1) return;
    const b = e2.push(a);
    if (t < 2 * (p - 1)) return;
    const c = e3.push(b);
    if (t > 3 * (p - 1)) values[0] = change(c, prev, 1);
    prev = c;
  });
}

// ---------------------------------------------------------------------------------------
// ULTOSC

function sort3(p: readonly number[]): [number, number, number] {
  const s = [p[0]!, p[1]!, p[2]!].sort((a, b) => a - b);
  return [s[0]!, s[1]!, s[2]!];
}

/** (close - true low, true range) of bar d, TA-Lib's CALC_TERMS. */
function ultTerms(h: number, l: number, c: number, cy: number): [number, number] {
  const tl = l < cy ? l : cy;
  let tr = h - l, q = Math.abs(cy - h);
  if (q > tr) tr = q;
  q = Math.abs(cy - l);
  if (q > tr) tr = q;
  return [c - tl, tr];
}

function ultOut(a: Float64Array, b: Float64Array): number {
  let o = 0;
  if (!isZero(b[0]!)) o += 4 * (a[0]! / b[0]!);
  if (!isZero(b[1]!)) o += 2 * (a[1]! / b[1]!);
  if (!isZero(b[2]!)) o += a[2]! / b[2]!;
  return 100 * (o / 7);
}

/** TA-Lib ULTOSC transcribed: running sums primed over the p-1 bars before the first output. */
function ultoscRef(h: Float64Array, l: Float64Array, c: Float64Array, p: readonly number[], out: Float64Array): void {
  const n = h.length, s = sort3(p), start = s[2];
  if (start >= n) { out.fill(NaN); return; }
  fillNaN(out, 0, start);
  const terms = (d: number): [number, number] => ultTerms(h[d]!, l[d]!, c[d]!, c[d - 1]!);
  const a = new Float64Array(3), b = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    for (let i = start - s[k]! + 1; i < start; i++) {
      const [ta, tb] = terms(i);
      a[k] += ta;
      b[k] += tb;
    }
  }
  for (let i = start; i < n; i++) {
    const [ta, tb] = terms(i);
    for (let k = 0; k < 3; k++) { a[k] += ta; b[k] += tb; }
    const o = ultOut(a, b);
    for (let k = 0; k < 3; k++) {
      const [ua, ub] = terms(i - s[k]! + 1);
      a[k] -= ua;
      b[k] -= ub;
    }
    out[i] = o;
  }
}

function ultoscStream(p: readonly number[]): IndicatorStream {
  const s = sort3(p), start = s[2], cap = start;
  const ra = new Float64Array(cap), rb = new Float64Array(cap);
  const a = new Float64Array(3), b = new Float64Array(3);
  let i = 0, cy = NaN;
  return makeStream(1, (bar, values) => {
    const h = bv(bar, 'high'), l = bv(bar, 'low'), c = bv(bar, 'close');
    const t = i++;
    const prevClose = cy;
    cy = c;
    if (t === 0) return;
    const [ta, tb] = ultTerms(h, l, c, prevClose);
    ra[t % cap] = ta;
    rb[t % cap] = tb;
    if (t < start) return;
    if (t === start) {
      for (let k = 0; k < 3; k++) {
        for (let j = start - s[k]! + 1; j < start; j++) { a[k] += ra[j % cap]!; b[k] += rb[j % cap]!; }
      }
    }
    for (let k = 0; k < 3; k++) { a[k] += ta; b[k] += tb; }
    values[0] = ultOut(a, b);
    for (let k = 0; k < 3; k++) {
      const j = (t - s[k]! + 1) % cap;
      a[k] -= ra[j]!;
      b[k] -= rb[j]!;
    }
  });
}

// ---------------------------------------------------------------------------------------
// directional movement: +DI, -DI, DX, ADX, ADXR

/** Wilder +DM/-DM/TR state (TA-Lib ADX/DX/PLUS_DI/MINUS_DI). */
class DmiState {
  ph = NaN; pl = NaN; pc = NaN;
  pdm = 0; mdm = 0; tr = 0;
  private k = 0;
  // outputs after each push (NaN before defined)
  pdi = NaN; mdi = NaN; dx = NaN; adx = NaN;
  private lastDx = 0;
  private sumDx = 0;
  private readonly kw: number;
  private readonly rw: number;
  constructor(private readonly p: number) {
    this.kw = (p - 1) / p;
    this.rw = 1 / p;
  }
  push(h: number, l: number, c: number): void {
    const i = this.k++, p = this.p;
    if (i === 0) { this.ph = h; this.pl = l; this.pc = c; return; }
    const dp = h - this.ph, dm = this.pl - l;
    let t = h - l, q = Math.abs(h - this.pc);
    if (q > t) t = q;
    q = Math.abs(l - this.pc);
    if (q > t) t = q;
    this.ph = h; this.pl = l; this.pc = c;
    if (i < p) {
      if (dm > 0 && dp < dm) this.mdm += dm;
      else if (dp > 0 && dp > dm) this.pdm += dp;
      this.tr += t;
      return;
    }
    // MomDmi::wilder_step / mom_dmi (momentum.h): S k + v, k = (p-1)/p; DI = DM (100 / TR)
    const k = this.kw;
    this.mdm = this.mdm * k + (dm > 0 && dp < dm ? dm : 0);
    this.pdm = this.pdm * k + (dp > 0 && dp > dm ? dp : 0);
    this.tr = this.tr * k + t;
    const trz = isZero(this.tr);
    const rt = 100 / this.tr;
    const qq = this.pdm * rt, m = this.mdm * rt;
    this.pdi = !trz ? qq : 0;
    this.mdi = !trz ? m : 0;
    let have = false, v = 0;
    if (!trz) {
      const sum = m + qq;
      if (!isZero(sum)) { v = 100 * (Math.abs(m - qq) / sum); have = true; }
    }
    if (have) this.lastDx = v;
    this.dx = this.lastDx;
    if (i < 2 * p - 1) {
      if (have) this.sumDx += v;
    } else if (i === 2 * p - 1) {
      if (have) this.sumDx += v;
      this.adx = this.sumDx / p;
    } else if (have) {
      this.adx = this.adx * k + v * this.rw;
    }
  }
}

type DmiOut = 'pdi' | 'mdi' | 'dx' | 'adx';

function dmiRef(h: Float64Array, l: Float64Array, c: Float64Array, p: number, out: Float64Array, which: DmiOut): void {
  const s = new DmiState(p);
  for (let i = 0; i < h.length; i++) {
    s.push(h[i]!, l[i]!, c[i]!);
    out[i] = s[which];
  }
}

function dmiStream(p: number, which: DmiOut): IndicatorStream {
  const s = new DmiState(p);
  return makeStream(1, (bar, values) => {
    s.push(bv(bar, 'high'), bv(bar, 'low'), bv(bar, 'close'));
    values[0] = s[which];
  });
}

function adxrRef(h: Float64Array, l: Float64Array, c: Float64Array, p: number, out: Float64Array): void {
  const n = h.length, total = 3 * p - 2;
  if (total >= n) { out.fill(NaN); return; }
  const a = new Float64Array(n);
  dmiRef(h, l, c, p, a, 'adx');
  fillNaN(out, 0, total);
  for (let i = total; i < n; i++) out[i] = (a[i]! + a[i - (p - 1)]!) / 2;
}

function adxrStream(p: number): IndicatorStream {
  const s = new DmiState(p), total = 3 * p - 2;
  const ring = new Float64Array(p); // ADX of the last p bars (slot i % p)
  let k = 0;
  return makeStream(1, (bar, values) => {
    s.push(bv(bar, 'high'), bv(bar, 'low'), bv(bar, 'close'));
    const i = k++;
    ring[i % p] = s.adx;
    if (i >= total) values[0] = (s.adx + ring[(i - (p - 1)) % p]!) / 2;
  });
}

// ---------------------------------------------------------------------------------------
// AROON / AROONOSC

/** Index of the newest maximum (max) or minimum of x over [i-p, i]; -1 when the window holds a NaN. */
function extremeIndex(x: Float64Array, i: number, p: number, max: boolean): number {
  let best = x[i - p]!, at = i - p;
  if (best !== best) return -1;
  for (let j = i - p + 1; j <= i; j++) {
    const v = x[j]!;
    if (v !== v) return -1;
    if (max ? v >= best : v <= best) { best = v; at = j; }
  }
  return at;
}

function aroonRef(h: Float64Array, l: Float64Array, p: number, down: Float64Array | null, up: Float64Array | null, osc: Float64Array | null): void {
  const n = h.length, f = 100 / p;
  for (const o of [down, up, osc]) if (o) fillNaN(o, 0, Math.min(p, n));
  for (let i = p; i < n; i++) {
    const hi = extremeIndex(h, i, p, true), lo = extremeIndex(l, i, p, false);
    const bad = hi < 0 || lo < 0;
    if (down) down[i] = bad ? NaN : f * (p - (i - lo));
    if (up) up[i] = bad ? NaN : f * (p - (i - hi));
    if (osc) osc[i] = bad ? NaN : f * (hi - lo);
  }
}

function aroonStream(p: number, osc: boolean): IndicatorStream {
  const w = p + 1, f = 100 / p;
  const dh = new MonoDeque(w, true), dl = new MonoDeque(w, false);
  let k = 0, lastNan = -1;
  return makeStream(osc ? 1 : 2, (bar, values) => {
    const h = bv(bar, 'high'), l = bv(bar, 'low'), i = k++;
    dh.push(i, h, w);
    dl.push(i, l, w);
    if (h !== h || l !== l) lastNan = i;
    if (i < p) return;
    const bad = lastNan > i - w;
    const hi = dh.frontIndex(), lo = dl.frontIndex();
    if (osc) values[0] = bad ? NaN : f * (hi - lo);
    else {
      values[0] = bad ? NaN : f * (p - (i - lo));
      values[1] = bad ? NaN : f * (p - (i - hi));
    }
  });
}

// ---------------------------------------------------------------------------------------
// MFI

/** TA-Lib MFI transcribed (ring of the last p positive/negative flows, running sums). */
class MfiState {
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;
  private ps = 0;
  private ns = 0;
  private prev = NaN;
  private slot = 0;
  private k = 0;
  constructor(private readonly p: number) {
    this.pos = new Float64Array(p);
    this.neg = new Float64Array(p);
  }
  push(h: number, l: number, c: number, v: number): number {
    const i = this.k++, p = this.p;
    if (i === 0) { this.prev = (h + l + c) / 3; return NaN; }
    const s = this.slot;
    if (i > p) { this.ps -= this.pos[s]!; this.ns -= this.neg[s]!; }
    let tp = (h + l + c) / 3;
    const d = tp - this.prev;
    this.prev = tp;
    tp *= v;
    if (d < 0) { this.neg[s] = tp; this.ns += tp; this.pos[s] = 0; }
    else if (d > 0) { this.pos[s] = tp; this.ps += tp; this.neg[s] = 0; }
    else { this.pos[s] = 0; this.neg[s] = 0; }
    if (++this.slot === p) this.slot = 0;
    if (i < p) return NaN;
    const t = this.ps + this.ns;
    return t < 1 ? 0 : 100 * (this.ps / t);
  }
}

// ---------------------------------------------------------------------------------------
// specs

const X = ['x'] as const;
const HLC = ['high', 'low', 'close'] as const;

/** A reference over one input series and one output. */
function single(fn: (x: Float64Array, p: readonly number[], out: Float64Array) => void): IndicatorSpec['reference'] {
  return (i, p, o) => fn(i[0]!, p, o[0]!);
}

function hlcStream(nOut: number, f: (h: number, l: number, c: number, values: Float64Array) => void): IndicatorStream {
  return makeStream(nOut, (bar, values) => f(bv(bar, 'high'), bv(bar, 'low'), bv(bar, 'close'), values));
}

const fastK = lenParam('fastKPeriod', 5, 1, 'bars in the %K high/low window');

export const MOMENTUM_INDICATORS: IndicatorSpec[] = [
  {
    name: 'rsi',
    group: 'momentum',
    summary: 'relative strength index (Wilder)',
    inputs: X,
    outputs: ['rsi'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: single((x, p, o) => rsiCmoRef(x, p[0]!, o, false)),
    stream: (p) => {
      return new RsiState(p[0]!, false);
    },
    talib: { name: 'RSI', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'd = x[t] - x[t-1]; G, L = Wilder averages of max(d,0), max(-d,0) (seeded with their means over the first p changes; A = (A (p-1) + v) / p); RSI = 100 G / (G + L), 0 when G + L = 0; TA-Lib RSI',
  },
  {
    name: 'stochRsi',
    group: 'momentum',
    summary: 'stochastic RSI: fast stochastic (%K, %D) of the RSI',
    inputs: X,
    outputs: ['fastK', 'fastD'],
    params: [periodParam(14, 2, 'RSI period'), fastK, lenParam('fastDPeriod', 3, 1, '%D moving-average period'), maTypeParam('fastDMaType')],
    lookback: (p) => p[0]! + p[1]! - 1 + maLb(p[3]!, p[2]!),
    reference: (i, p, o) => {
      const x = i[0]!, n = x.length, rp = p[0]!, fk = p[1]!, fd = p[2]!, t = p[3]!;
      const total = rp + fk - 1 + maLb(t, fd);
      if (total >= n) { o[0]!.fill(NaN); o[1]!.fill(NaN); return; }
      const rsi = new Float64Array(n);
      rsiCmoRef(x, rp, rsi, false, true);
      hlOscRef(rsi, rsi, rsi, rp, fk, o[0]!, false);
      maT(t, o[0]!, rp + fk - 1, fd, o[1]!);
      fillNaN(o[0]!, 0, total);
    },
    stream: (p) => {
      const rp = p[0]!, fk = p[1]!, fd = p[2]!, t = p[3]!;
      const total = rp + fk - 1 + maLb(t, fd);
      const rsi = new TalibRsiPush(rp), k = new HlOscState(fk, false), d = maTStream(t, fd);
      let bar = 0;
      return makeStream(2, (b, v) => {
        const i = bar++;
        const r = rsi.push(bv(b, 'x'));
        if (i < rp) return;
        const kk = k.push(r, r, r);
        if (i < rp + fk - 1) return;
        const dd = d.push(kk);
        if (i < total) return;
        v[0] = kk;
        v[1] = dd;
      });
    },
    talib: { name: 'STOCHRSI', params: ['optInTimePeriod', 'optInFastK_Period', 'optInFastD_Period', 'optInFastD_MAType'], outputs: ['outFastK', 'outFastD'] },
    formula: 'r = RSI(p); fastK = 100 (r - min(r, k)) / (max(r, k) - min(r, k)) (0 when the range is 0); fastD = MA(fastK, d, type); TA-Lib STOCHRSI (= STOCHF over the RSI)',
  },
  {
    name: 'stoch',
    group: 'momentum',
    summary: 'slow stochastic oscillator (%K smoothed, %D)',
    inputs: HLC,
    outputs: ['slowK', 'slowD'],
    params: [fastK, lenParam('slowKPeriod', 3, 1, 'slow %K moving-average period'), maTypeParam('slowKMaType'), lenParam('slowDPeriod', 3, 1, 'slow %D moving-average period'), maTypeParam('slowDMaType')],
    lookback: (p) => p[0]! - 1 + maLb(p[2]!, p[1]!) + maLb(p[4]!, p[3]!),
    reference: (i, p, o) => {
      const [h, l, c] = i as [Float64Array, Float64Array, Float64Array];
      const n = h.length, fk = p[0]!, sk = p[1]!, tk = p[2]!, sd = p[3]!, td = p[4]!;
      const total = fk - 1 + maLb(tk, sk) + maLb(td, sd);
      if (total >= n) { o[0]!.fill(NaN); o[1]!.fill(NaN); return; }
      const k = new Float64Array(n);
      hlOscRef(h, l, c, 0, fk, k, false);
      maT(tk, k, fk - 1, sk, o[0]!);
      maT(td, o[0]!, fk - 1 + maLb(tk, sk), sd, o[1]!);
      fillNaN(o[0]!, 0, total);
    },
    stream: (p) => {
      const fk = p[0]!, sk = p[1]!, tk = p[2]!, sd = p[3]!, td = p[4]!;
      const lbK = fk - 1 + maLb(tk, sk), total = lbK + maLb(td, sd);
      const k = new HlOscState(fk, false), ms = maTStream(tk, sk), md = maTStream(td, sd);
      let bar = 0;
      return hlcStream(2, (h, l, c, v) => {
        const i = bar++;
        const kk = k.push(h, l, c);
        if (i < fk - 1) return;
        const s = ms.push(kk);
        if (i < lbK) return;
        const d = md.push(s);
        if (i < total) return;
        v[0] = s;
        v[1] = d;
      });
    },
    talib: { name: 'STOCH', params: ['optInFastK_Period', 'optInSlowK_Period', 'optInSlowK_MAType', 'optInSlowD_Period', 'optInSlowD_MAType'], outputs: ['outSlowK', 'outSlowD'] },
    formula: 'fastK = 100 (close - LL(k)) / (HH(k) - LL(k)) (0 when HH = LL); slowK = MA(fastK, sk, type); slowD = MA(slowK, sd, type); TA-Lib STOCH',
  },
  {
    name: 'stochF',
    group: 'momentum',
    summary: 'fast stochastic oscillator (%K, %D)',
    inputs: HLC,
    outputs: ['fastK', 'fastD'],
    params: [fastK, lenParam('fastDPeriod', 3, 1, '%D moving-average period'), maTypeParam('fastDMaType')],
    lookback: (p) => p[0]! - 1 + maLb(p[2]!, p[1]!),
    reference: (i, p, o) => {
      const [h, l, c] = i as [Float64Array, Float64Array, Float64Array];
      const n = h.length, fk = p[0]!, fd = p[1]!, t = p[2]!;
      const total = fk - 1 + maLb(t, fd);
      if (total >= n) { o[0]!.fill(NaN); o[1]!.fill(NaN); return; }
      hlOscRef(h, l, c, 0, fk, o[0]!, false);
      maT(t, o[0]!, fk - 1, fd, o[1]!);
      fillNaN(o[0]!, 0, total);
    },
    stream: (p) => {
      const fk = p[0]!, fd = p[1]!, t = p[2]!;
      const total = fk - 1 + maLb(t, fd);
      const k = new HlOscState(fk, false), md = maTStream(t, fd);
      let bar = 0;
      return hlcStream(2, (h, l, c, v) => {
        const i = bar++;
        const kk = k.push(h, l, c);
        if (i < fk - 1) return;
        const d = md.push(kk);
        if (i < total) return;
        v[0] = kk;
        v[1] = d;
      });
    },
    talib: { name: 'STOCHF', params: ['optInFastK_Period', 'optInFastD_Period', 'optInFastD_MAType'], outputs: ['outFastK', 'outFastD'] },
    formula: 'fastK = 100 (close - LL(k)) / (HH(k) - LL(k)) (0 when HH = LL); fastD = MA(fastK, d, type); TA-Lib STOCHF',
  },
  {
    name: 'willr',
    group: 'momentum',
    summary: "Williams' %R",
    inputs: HLC,
    outputs: ['willr'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => hlOscRef(i[0]!, i[1]!, i[2]!, 0, p[0]!, o[0]!, true),
    stream: (p) => {
      const s = new HlOscState(p[0]!, true);
      return hlcStream(1, (h, l, c, v) => { v[0] = s.push(h, l, c); });
    },
    talib: { name: 'WILLR', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: '%R = -100 (HH(p) - close) / (HH(p) - LL(p)), 0 when HH = LL (range -100..0); TA-Lib WILLR',
  },
  {
    name: 'cci',
    group: 'momentum',
    summary: 'commodity channel index',
    inputs: HLC,
    outputs: ['cci'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => cciRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!),
    stream: (p) => {
      const per = p[0]!, ring = new Float64Array(per);
      let k = 0, slot = 0;
      return hlcStream(1, (h, l, c, v) => {
        const tp = (h + l + c) / 3;
        ring[slot] = tp;
        if (++slot === per) slot = 0;
        if (k++ >= per - 1) v[0] = cciFormula(ring, per, tp);
      });
    },
    talib: { name: 'CCI', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'tp = (high + low + close)/3; CCI = (tp - SMA(tp, p)) / (0.015 mean|tp - SMA(tp, p)|), 0 when either is 0; O(p) per bar like TA-Lib; TA-Lib CCI',
  },
  {
    name: 'macd',
    group: 'momentum',
    summary: 'moving average convergence/divergence',
    inputs: X,
    outputs: ['macd', 'signal', 'hist'],
    params: [lenParam('fastPeriod', 12, 2, 'fast EMA period'), lenParam('slowPeriod', 26, 2, 'slow EMA period'), lenParam('signalPeriod', 9, 2, 'signal EMA period')],
    lookback: (p) => Math.max(p[0]!, p[1]!) - 1 + p[2]! - 1,
    reference: (i, p, o) => macdRef(i[0]!, p, o),
    stream: macdStream,
    talib: { name: 'MACD', params: ['optInFastPeriod', 'optInSlowPeriod', 'optInSignalPeriod'], outputs: ['outMACD', 'outMACDSignal', 'outMACDHist'], note: 'signalPeriod >= 2: TA-Lib accepts 1 but then reads its buffer at index -1 (misaligned signal, garbage first value)' },
    formula: 'macd = EMA(x, fast) - EMA(x, slow), both first defined at slow-1 (the fast EMA seeded with the SMA of x[slow-fast..slow-1]); signal = EMA(macd, signal); hist = macd - signal; periods swapped if slow < fast; TA-Lib MACD',
  },
  {
    name: 'ppo',
    group: 'momentum',
    summary: 'percentage price oscillator',
    inputs: X,
    outputs: ['ppo'],
    params: [lenParam('fastPeriod', 12, 2, 'fast MA period'), lenParam('slowPeriod', 26, 2, 'slow MA period'), maTypeParam()],
    lookback: (p) => maLb(p[2]!, Math.max(p[0]!, p[1]!)),
    reference: single((x, p, o) => poRef(x, p, o, true)),
    // A difference of two MAs: its rounding error scales with the price, not with the (possibly
    // ~0) difference; hence an absolute floor above the default 1e-12.
    tolerance: { rel: 1e-9, abs: 1e-9 },
    stream: (p) => poStream(p, true),
    talib: { name: 'PPO', params: ['optInFastPeriod', 'optInSlowPeriod', 'optInMAType'], outputs: ['outReal'] },
    formula: 'PPO = 100 (MA(x, fast) - MA(x, slow)) / MA(x, slow), 0 when MA(slow) = 0; both MAs start at bar 0; periods swapped if slow < fast; TA-Lib PPO',
  },
  {
    name: 'apo',
    group: 'momentum',
    summary: 'absolute price oscillator',
    inputs: X,
    outputs: ['apo'],
    params: [lenParam('fastPeriod', 12, 2, 'fast MA period'), lenParam('slowPeriod', 26, 2, 'slow MA period'), maTypeParam()],
    lookback: (p) => maLb(p[2]!, Math.max(p[0]!, p[1]!)),
    reference: single((x, p, o) => poRef(x, p, o, false)),
    // A difference of two MAs: its rounding error scales with the price, not with the (possibly
    // ~0) difference; hence an absolute floor above the default 1e-12.
    tolerance: { rel: 1e-9, abs: 1e-9 },
    stream: (p) => poStream(p, false),
    talib: { name: 'APO', params: ['optInFastPeriod', 'optInSlowPeriod', 'optInMAType'], outputs: ['outReal'] },
    formula: 'APO = MA(x, fast) - MA(x, slow); both MAs start at bar 0; periods swapped if slow < fast; TA-Lib APO',
  },
  ...(
    [
      ['mom', 0, 'momentum', 'x[t] - x[t-p]; TA-Lib MOM', 'MOM'],
      ['roc', 1, 'rate of change (percent)', '100 (x[t]/x[t-p] - 1), 0 when x[t-p] = 0; TA-Lib ROC', 'ROC'],
      ['rocp', 2, 'rate of change (fraction)', '(x[t] - x[t-p]) / x[t-p], 0 when x[t-p] = 0; TA-Lib ROCP', 'ROCP'],
      ['rocr', 3, 'rate of change ratio', 'x[t] / x[t-p], 0 when x[t-p] = 0; TA-Lib ROCR', 'ROCR'],
    ] as const
  ).map(([name, kind, summary, formula, tl]): IndicatorSpec => ({
    name,
    group: 'momentum',
    summary,
    inputs: X,
    outputs: [name],
    params: [periodParam(10, 1, 'bars back')],
    lookback: (p) => p[0]!,
    reference: single((x, p, o) => changeRef(x, p[0]!, o, kind)),
    stream: (p) => changeStream(p[0]!, kind),
    talib: { name: tl, params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula,
  })),
  {
    name: 'trix',
    group: 'momentum',
    summary: 'TRIX: 1-bar rate of change of a triple EMA',
    inputs: X,
    outputs: ['trix'],
    params: [periodParam(30, 2, 'EMA period')],
    lookback: (p) => 3 * (p[0]! - 1) + 1,
    reference: single((x, p, o) => trixRef(x, p[0]!, o)),
    stream: (p) => trixStream(p[0]!),
    talib: { name: 'TRIX', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'period >= 2: TA-Lib accepts 1 but its EMA lookback of period 1 is -1 (output from bar 0, reading before its buffer)' },
    formula: 'e = EMA(EMA(EMA(x, p), p), p) (each SMA-seeded); TRIX = 100 (e[t]/e[t-1] - 1), 0 when e[t-1] = 0; TA-Lib TRIX',
  },
  {
    name: 'ultosc',
    group: 'momentum',
    summary: 'ultimate oscillator',
    inputs: HLC,
    outputs: ['ultosc'],
    params: [lenParam('period1', 7, 1, 'shortest period (weight 4)'), lenParam('period2', 14, 1, 'middle period (weight 2)'), lenParam('period3', 28, 1, 'longest period (weight 1)')],
    lookback: (p) => Math.max(p[0]!, p[1]!, p[2]!),
    reference: (i, p, o) => ultoscRef(i[0]!, i[1]!, i[2]!, p, o[0]!),
    stream: ultoscStream,
    talib: { name: 'ULTOSC', params: ['optInTimePeriod1', 'optInTimePeriod2', 'optInTimePeriod3'], outputs: ['outReal'] },
    formula: 'bp = close - min(low, prev close), tr = true range; A_k = sum(bp, p_k) / sum(tr, p_k) (0 term when sum(tr) ~ 0); ULTOSC = 100 (4 A_1 + 2 A_2 + A_3) / 7 with the periods sorted ascending (TA-Lib sorts them); TA-Lib ULTOSC',
  },
  {
    name: 'adx',
    group: 'momentum',
    summary: 'average directional index',
    inputs: HLC,
    outputs: ['adx'],
    params: [periodParam(14, 2)],
    lookback: (p) => 2 * p[0]! - 1,
    reference: (i, p, o) => dmiRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!, 'adx'),
    stream: (p) => dmiStream(p[0]!, 'adx'),
    talib: { name: 'ADX', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'DX as in dx; ADX = mean of the first p DX values (bars p..2p-1), then (ADX (p-1) + DX) / p (unchanged where DX is undefined); TA-Lib ADX',
  },
  {
    name: 'adxr',
    group: 'momentum',
    summary: 'average directional movement index rating',
    inputs: HLC,
    outputs: ['adxr'],
    params: [periodParam(14, 2)],
    lookback: (p) => 3 * p[0]! - 2,
    reference: (i, p, o) => adxrRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!),
    stream: (p) => adxrStream(p[0]!),
    talib: { name: 'ADXR', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'ADXR = (ADX[t] + ADX[t-(p-1)]) / 2; TA-Lib ADXR',
  },
  {
    name: 'plusDi',
    group: 'momentum',
    summary: 'plus directional indicator (+DI)',
    inputs: HLC,
    outputs: ['plusDi'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => dmiRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!, 'pdi'),
    stream: (p) => dmiStream(p[0]!, 'pdi'),
    talib: { name: 'PLUS_DI', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'TA-Lib also accepts period 1, where it returns the unscaled ratio +DM/TR; we require period >= 2' },
    formula: '+DM = up move when it exceeds the down move and is > 0; +DM_p, TR_p = Wilder sums (plain sum of the first p-1, then s - s/p + v); +DI = 100 +DM_p / TR_p (0 when TR_p ~ 0); TA-Lib PLUS_DI',
  },
  {
    name: 'minusDi',
    group: 'momentum',
    summary: 'minus directional indicator (-DI)',
    inputs: HLC,
    outputs: ['minusDi'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => dmiRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!, 'mdi'),
    stream: (p) => dmiStream(p[0]!, 'mdi'),
    talib: { name: 'MINUS_DI', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'TA-Lib also accepts period 1, where it returns the unscaled ratio -DM/TR; we require period >= 2' },
    formula: '-DM = down move when it exceeds the up move and is > 0; -DI = 100 -DM_p / TR_p (Wilder sums; 0 when TR_p ~ 0); TA-Lib MINUS_DI',
  },
  {
    name: 'dx',
    group: 'momentum',
    summary: 'directional movement index',
    inputs: HLC,
    outputs: ['dx'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => dmiRef(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!, 'dx'),
    stream: (p) => dmiStream(p[0]!, 'dx'),
    talib: { name: 'DX', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'DX = 100 |+DI - -DI| / (+DI + -DI); where TR_p or +DI + -DI is ~0 the previous DX is repeated (0 at the first bar); TA-Lib DX',
  },
  {
    name: 'aroon',
    group: 'momentum',
    summary: 'Aroon down/up',
    inputs: ['high', 'low'],
    outputs: ['aroonDown', 'aroonUp'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => aroonRef(i[0]!, i[1]!, p[0]!, o[0]!, o[1]!, null),
    stream: (p) => aroonStream(p[0]!, false),
    talib: { name: 'AROON', params: ['optInTimePeriod'], outputs: ['outAroonDown', 'outAroonUp'] },
    formula: 'over the p+1 bars t-p..t: up = 100 (p - bars since the highest high) / p, down = 100 (p - bars since the lowest low) / p; the newest extreme wins ties; TA-Lib AROON (output order down, up)',
  },
  {
    name: 'aroonOsc',
    group: 'momentum',
    summary: 'Aroon oscillator (up - down)',
    inputs: ['high', 'low'],
    outputs: ['aroonOsc'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => aroonRef(i[0]!, i[1]!, p[0]!, null, null, o[0]!),
    stream: (p) => aroonStream(p[0]!, true),
    talib: { name: 'AROONOSC', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: '100 (index of highest high - index of lowest low) / p over t-p..t (= Aroon up - Aroon down); TA-Lib AROONOSC',
  },
  {
    name: 'mfi',
    group: 'momentum',
    summary: 'money flow index',
    inputs: ['high', 'low', 'close', 'volume'],
    outputs: ['mfi'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => {
      const s = new MfiState(p[0]!);
      const [h, l, c, v] = i as [Float64Array, Float64Array, Float64Array, Float64Array];
      for (let k = 0; k < h.length; k++) o[0]![k] = s.push(h[k]!, l[k]!, c[k]!, v[k]!);
    },
    stream: (p) => {
      const s = new MfiState(p[0]!);
      return makeStream(1, (bar, v) => { v[0] = s.push(bv(bar, 'high'), bv(bar, 'low'), bv(bar, 'close'), bv(bar, 'volume')); });
    },
    talib: { name: 'MFI', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'tp = (high + low + close)/3, flow = tp volume, positive when tp rose, negative when it fell; MFI = 100 sum(pos, p) / (sum(pos, p) + sum(neg, p)), 0 when that total < 1 (TA-Lib); running sums as TA-Lib MFI',
  },
  {
    name: 'cmo',
    group: 'momentum',
    summary: 'Chande momentum oscillator (TA-Lib: Wilder-smoothed)',
    inputs: X,
    outputs: ['cmo'],
    params: [periodParam(14, 2)],
    lookback: (p) => p[0]!,
    reference: single((x, p, o) => rsiCmoRef(x, p[0]!, o, true)),
    stream: (p) => {
      return new RsiState(p[0]!, true);
    },
    talib: { name: 'CMO', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'G, L as in RSI (Wilder averages); CMO = 100 (G - L) / (G + L), 0 when G + L = 0; TA-Lib CMO (Chande\'s original uses plain p-bar sums)',
  },
  {
    name: 'bop',
    group: 'momentum',
    summary: 'balance of power',
    inputs: ['open', 'high', 'low', 'close'],
    outputs: ['bop'],
    params: [],
    lookback: () => 0,
    reference: (i, _p, o) => {
      const [op, h, l, c] = i as [Float64Array, Float64Array, Float64Array, Float64Array];
      for (let k = 0; k < h.length; k++) o[0]![k] = bopAt(op[k]!, h[k]!, l[k]!, c[k]!);
    },
    stream: () => makeStream(1, (bar, v) => { v[0] = bopAt(bv(bar, 'open'), bv(bar, 'high'), bv(bar, 'low'), bv(bar, 'close')); }),
    talib: { name: 'BOP', params: [], outputs: ['outReal'] },
    formula: '(close - open) / (high - low), 0 when high - low < 1e-14; TA-Lib BOP',
  },
];

function bopAt(o: number, h: number, l: number, c: number): number {
  const d = h - l;
  return d < 1e-14 ? 0 : (c - o) / d;
}
