/** trend / overlap indicators (TypeScript reference + streaming); kernels in native/ta/kernels/trend.h. */
import { barValue, type IndicatorSpec, type IndicatorStream, type StreamBar } from '../spec.js';
import {
  DemaStream, demaFrom, fillNaN, KamaStream, kamaFrom, periodParam, singleStream, T3Stream, t3From, TemaStream, temaFrom, TrimaStream, trimaFrom, WmaStream, wmaFrom,
} from './ma.js';

const MA_TYPE_INDICATORS: IndicatorSpec[] = [
  {
    name: 'dema',
    group: 'trend',
    summary: 'double exponential moving average (Mulloy)',
    inputs: ['x'],
    outputs: ['dema'],
    params: [periodParam(30)],
    lookback: (p) => 2 * (p[0]! - 1),
    reference: (i, p, o) => demaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new DemaStream(p[0]!, true)),
    talib: { name: 'DEMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: '2 EMA(x) - EMA(EMA(x)), each EMA k = 2/(p+1) seeded with the SMA of its first p inputs; lookback 2(p-1); TA-Lib DEMA',
  },
  {
    name: 'tema',
    group: 'trend',
    summary: 'triple exponential moving average (Mulloy)',
    inputs: ['x'],
    outputs: ['tema'],
    params: [periodParam(30)],
    lookback: (p) => 3 * (p[0]! - 1),
    reference: (i, p, o) => temaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new TemaStream(p[0]!, true)),
    talib: { name: 'TEMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: '3 EMA1 - 3 EMA2 + EMA3 with EMA2 = EMA(EMA1), EMA3 = EMA(EMA2) (SMA-seeded); lookback 3(p-1); TA-Lib TEMA',
  },
  {
    name: 'trima',
    group: 'trend',
    summary: 'triangular moving average (SMA of an SMA)',
    inputs: ['x'],
    outputs: ['trima'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => trimaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new TrimaStream(p[0]!)),
    talib: { name: 'TRIMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'odd p: SMA(SMA(x, (p+1)/2), (p+1)/2); even p: SMA(SMA(x, p/2), p/2+1) (triangular weights 1..m..1); TA-Lib TRIMA (its running numerator in the kernel)',
  },
  {
    name: 'kama',
    group: 'trend',
    summary: "Kaufman adaptive moving average (TA-Lib's fast 2 / slow 30)",
    inputs: ['x'],
    outputs: ['kama'],
    params: [periodParam(30)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => kamaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => singleStream(new KamaStream(p[0]!)),
    talib: { name: 'KAMA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'ER = |x[t]-x[t-p]| / sum|x[j]-x[j-1]| (last p changes), sc = (ER (2/3 - 2/31) + 2/31)^2, kama[t] = kama[t-1] + sc (x[t] - kama[t-1]), kama[p-1] = x[p-1]; first output at t = p; TA-Lib KAMA',
  },
  {
    name: 't3',
    group: 'trend',
    summary: 'Tillson T3 moving average',
    inputs: ['x'],
    outputs: ['t3'],
    params: [
      periodParam(5),
      { name: 'vFactor', default: 0.7, min: 0, max: 1, integer: false, description: 'volume factor a' },
    ],
    lookback: (p) => 6 * (p[0]! - 1),
    reference: (i, p, o) => t3From(i[0]!, 0, p[0]!, p[1]!, o[0]!),
    stream: (p) => singleStream(new T3Stream(p[0]!, p[1]!)),
    talib: { name: 'T3', params: ['optInTimePeriod', 'optInVFactor'], outputs: ['outReal'] },
    formula: 'six chained EMAs e_j (k = 2/(p+1), each seeded with the mean of its first p inputs); T3 = c1 e6 + c2 e5 + c3 e4 + c4 e3, c1 = -a^3, c2 = 3a^2 + 3a^3, c3 = -6a^2 - 3a - 3a^3, c4 = 1 + 3a + a^3 + 3a^2; lookback 6(p-1); TA-Lib T3',
  },
];


// ---- rolling extrema (midrange) ----

/** (max(hi) + min(lo)) / 2 over p bars ending at t - lag; NaN when the window holds a NaN (reference: a plain loop). */
function midrangeRef(hi: Float64Array, lo: Float64Array, p: number, lag: number, out: Float64Array): void {
  const n = hi.length;
  for (let t = 0; t < n; t++) {
    const j = t - lag;
    if (j < p - 1) { out[t] = NaN; continue; }
    let h = -Infinity, l = Infinity, nan = false;
    for (let k = j - p + 1; k <= j; k++) {
      const a = hi[k]!, b = lo[k]!;
      if (a !== a || b !== b) nan = true;
      if (a > h) h = a;
      if (b < l) l = b;
    }
    out[t] = nan ? NaN : (h + l) / 2;
  }
}

/** Monotonic deque over a ring of (bar index, value) pairs: amortised O(1) rolling max or min. */
class MonoDeque {
  private readonly idx: Float64Array;
  private readonly val: Float64Array;
  private head = 0;
  private size = 0;
  constructor(private readonly cap: number, private readonly isMax: boolean) {
    this.idx = new Float64Array(cap);
    this.val = new Float64Array(cap);
  }
  evict(lo: number): void {
    while (this.size > 0 && this.idx[this.head]! < lo) { this.head = this.head + 1 === this.cap ? 0 : this.head + 1; this.size--; }
  }
  push(i: number, v: number): void {
    while (this.size > 0) {
      let k = this.head + this.size - 1;
      if (k >= this.cap) k -= this.cap;
      const b = this.val[k]!;
      if (this.isMax ? b <= v : b >= v) this.size--; else break;
    }
    let k = this.head + this.size;
    if (k >= this.cap) k -= this.cap;
    this.idx[k] = i;
    this.val[k] = v;
    this.size++;
  }
  front(): number {
    return this.val[this.head]!;
  }
}

/** Streaming midrange over p bars (mirrors midrange_row in trend.h); NaN count via a ring of NaN flags. */
class MidrangeStream {
  private readonly mx: MonoDeque;
  private readonly mn: MonoDeque;
  private readonly flags: Uint8Array;
  private t = 0;
  private nan = 0;
  constructor(private readonly p: number) {
    this.mx = new MonoDeque(p, true);
    this.mn = new MonoDeque(p, false);
    this.flags = new Uint8Array(p);
  }
  push(h: number, l: number): number {
    const p = this.p, j = this.t++;
    const slot = j % p;
    const bad = h !== h || l !== l;
    if (j >= p && this.flags[slot]) this.nan--;
    this.flags[slot] = bad ? 1 : 0;
    if (bad) this.nan++;
    this.mx.evict(j - p + 1);
    this.mn.evict(j - p + 1);
    if (!bad) { this.mx.push(j, h); this.mn.push(j, l); }
    if (j < p - 1 || this.nan > 0) return NaN;
    return (this.mx.front() + this.mn.front()) / 2;
  }
}

/** A ring delaying values by d pushes (NaN until d values have passed). */
class Delay {
  private readonly buf: Float64Array;
  private i = 0;
  private n = 0;
  constructor(private readonly d: number) {
    this.buf = new Float64Array(Math.max(d, 1));
  }
  push(v: number): number {
    if (this.d === 0) return v;
    const out = this.n >= this.d ? this.buf[this.i]! : NaN;
    this.buf[this.i] = v;
    this.i = this.i + 1 === this.d ? 0 : this.i + 1;
    if (this.n < this.d) this.n++;
    return out;
  }
}

function oneOutput(values: Float64Array, v: number): number {
  values[0] = v;
  return v;
}

// ---- linear regression ----

const LR_VALUE = 0, LR_SLOPE = 1, LR_INTERCEPT = 2, LR_ANGLE = 3, LR_TSF = 4;

function lrConsts(p: number): { sx: number; div: number } {
  const sx = p * (p - 1) * 0.5;
  const sxx = (p * (p - 1) * (2 * p - 1)) / 6;
  return { sx, div: sx * sx - p * sxx };
}

const EPS = 1.1102230246251565e-16;

interface LrSums { sy: number; sxy: number }

/** TA-Lib's output for `mode` from the sums (its divisions; linreg_exact in trend.h). */
function lrOut(mode: number, s: LrSums, p: number, sx: number, div: number): number {
  const m = (p * s.sxy - sx * s.sy) / div;
  if (mode === LR_SLOPE) return m;
  if (mode === LR_ANGLE) return Math.atan(m) * (180 / 3.14159265358979323846);
  const b = (s.sy - m * sx) / p;
  if (mode === LR_INTERCEPT) return b;
  return b + m * (mode === LR_TSF ? p : p - 1);
}

/** The kernel's error-bound coefficient: err = ce * sum|y| (linreg_row_t in trend.h). */
function lrBoundCoef(mode: number, p: number, sx: number, div: number): number {
  const ke = (4 * p + 4) * EPS;
  const cm = (ke * (p * (p - 1) + sx)) / Math.abs(div);
  const cb = ke / p + (cm * sx) / p;
  if (mode === LR_SLOPE) return cm;
  if (mode === LR_ANGLE) return cm * 57.29577951308232;
  if (mode === LR_INTERCEPT) return cb;
  return cb + cm * (mode === LR_TSF ? p : p - 1);
}

/**
 * Value, intercept and TSF: v = Sy a + Sxy c (linreg_row_lin in trend.h, the same operations
 * for a and c) and its bound coefficient ke (|a| + |c| (p-1)), ke = (8p+16) eps (1 + 2^-20).
 */
function lrLinear(mode: number, p: number, sx: number, div: number): { ca: number; cc: number; ce: number } {
  const g = (mode === LR_TSF ? p : mode === LR_INTERCEPT ? 0 : p - 1) - (p - 1) * 0.5;
  const ca = 1 / p - (g * sx) / div, cc = (g * p) / div;
  const ke = (8 * p + 16) * EPS * (1 + 2 ** -20);
  return { ca, cc, ce: ke * (Math.abs(ca) + Math.abs(cc) * (p - 1)) };
}

/** TA-Lib's per-window loop (x = bars ago): the reference. */
function linregRef(x: Float64Array, p: number, mode: number, out: Float64Array): void {
  const n = x.length, { sx, div } = lrConsts(p);
  fillNaN(out, 0, p - 1);
  const s: LrSums = { sy: 0, sxy: 0 };
  for (let t = p - 1; t < n; t++) {
    s.sy = 0; s.sxy = 0;
    for (let i = p; i-- !== 0;) { const v = x[t - i]!; s.sy += v; s.sxy += i * v; }
    out[t] = lrOut(mode, s, p, sx, div);
  }
}

/**
 * Streaming linear regression, following linreg_row_t in trend.h: sliding sums (reciprocals
 * instead of TA-Lib's divisions for slope/angle, the kernel's linear form Sy a + Sxy c for
 * value/intercept/TSF), recomputed with TA-Lib's loop every p bars and wherever the
 * rounding-error bound exceeds 1e-10 of the output (near-flat windows) or is not finite (a
 * non-finite value in the window). The kernel bounds the error per block of p bars (it sees the
 * block's bars ahead); a stream cannot, so it checks each window's own bound (sum |y| of the
 * window, the same ke): where both accept the outputs are the same operations on the same sums.
 */
class LinregStream implements IndicatorStream {
  readonly values = new Float64Array(1);
  private readonly buf: Float64Array;
  private readonly sx: number;
  private readonly div: number;
  private readonly rdiv: number;
  private readonly rp: number;
  private readonly h: number;
  private readonly ce: number;
  private readonly ca: number;
  private readonly cc: number;
  private readonly s: LrSums = { sy: 0, sxy: 0 };
  private sa = 0;
  private w = 0; // next write slot = oldest once full
  private count = 0;
  private since: number;
  constructor(private readonly p: number, private readonly mode: number) {
    this.buf = new Float64Array(p);
    ({ sx: this.sx, div: this.div } = lrConsts(p));
    this.rdiv = 1 / this.div;
    this.rp = 1 / p;
    this.h = mode === LR_TSF ? p : p - 1;
    if (mode === LR_SLOPE || mode === LR_ANGLE) {
      this.ce = lrBoundCoef(mode, p, this.sx, this.div);
      this.ca = this.cc = 0;
    } else {
      ({ ca: this.ca, cc: this.cc, ce: this.ce } = lrLinear(mode, p, this.sx, this.div));
    }
    this.since = p;
  }
  update(bar: StreamBar | number): number {
    const p = this.p, v = barValue(bar, 'x'), s = this.s, mode = this.mode;
    const full = this.count === p;
    const old = this.buf[this.w]!;
    this.buf[this.w] = v;
    this.w = this.w + 1 === p ? 0 : this.w + 1;
    if (!full) this.count++;
    if (this.count < p) return oneOutput(this.values, NaN);
    if (this.since < p) {
      s.sxy += s.sy - p * old;
      s.sy += v - old;
      this.sa += Math.abs(v) - Math.abs(old);
      this.since++;
      let out: number, mag: number;
      if (mode === LR_SLOPE || mode === LR_ANGLE) {
        const m = (p * s.sxy - this.sx * s.sy) * this.rdiv;
        out = mode === LR_SLOPE ? m : Math.atan(m) * (180 / 3.14159265358979323846);
        // The angle is accepted on a lower bound of its size, 45 min(|m|, 1) (the kernel's test).
        const am = Math.abs(m);
        mag = mode === LR_SLOPE ? am : 45 * (!(am >= 1) ? am : 1);
      } else {
        out = s.sy * this.ca + s.sxy * this.cc;
        mag = Math.abs(out);
      }
      const err = this.ce * this.sa;
      if ((err <= 1e-10 * mag && err < 1e300) || err <= 1e-13) return oneOutput(this.values, out);
    }
    let sy = 0, sxy = 0, sa = 0;
    for (let i = p; i-- !== 0;) {
      let k = this.w + (p - 1 - i); // x[t - i]: the oldest is at w
      if (k >= p) k -= p;
      const y = this.buf[k]!;
      sy += y;
      sxy += i * y;
      sa += Math.abs(y);
    }
    s.sy = sy; s.sxy = sxy; this.sa = sa;
    this.since = 1;
    return oneOutput(this.values, lrOut(mode, s, p, this.sx, this.div));
  }
}

function linregSpec(name: string, mode: number, talibName: string, summary: string, formula: string): IndicatorSpec {
  return {
    name,
    group: 'trend',
    summary,
    inputs: ['x'],
    outputs: [name],
    params: [periodParam(14)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => linregRef(i[0]!, p[0]!, mode, o[0]!),
    stream: (p) => new LinregStream(p[0]!, mode),
    talib: { name: talibName, params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: `${formula}; least squares over the last p bars with x = bars ago: m = (p Sxy - Sx Sy) / (Sx^2 - p Sxx) (slope per bar in time order), b = (Sy - m Sx)/p (fit at the oldest bar); TA-Lib ${talibName}`,
  };
}

// ---- HMA ----

function hmaSqrt(p: number): number {
  let s = Math.floor(Math.sqrt(p));
  while (s * s > p) s--;
  while ((s + 1) * (s + 1) <= p) s++;
  return s;
}

function hmaRef(x: Float64Array, p: number, out: Float64Array): void {
  const n = x.length, half = Math.floor(p / 2), sq = hmaSqrt(p);
  const a = new Float64Array(n), b = new Float64Array(n), raw = new Float64Array(n);
  wmaFrom(x, 0, half, a);
  wmaFrom(x, 0, p, b);
  for (let i = p - 1; i < n; i++) raw[i] = 2 * a[i]! - b[i]!;
  wmaFrom(raw, p - 1, sq, out);
}

class HmaStream implements IndicatorStream {
  readonly values = new Float64Array(1);
  private readonly a: WmaStream;
  private readonly b: WmaStream;
  private readonly c: WmaStream;
  private t = 0;
  constructor(private readonly p: number) {
    this.a = new WmaStream(Math.floor(p / 2), true);
    this.b = new WmaStream(p, true);
    this.c = new WmaStream(hmaSqrt(p), true);
  }
  update(bar: StreamBar | number): number {
    const v = barValue(bar, 'x');
    const wa = this.a.push(v), wb = this.b.push(v);
    if (this.t++ < this.p - 1) return oneOutput(this.values, NaN);
    return oneOutput(this.values, this.c.push(2 * wa - wb));
  }
}

// ---- volume-weighted averages ----

function typical(h: number, l: number, c: number): number {
  return (h + l + c) / 3;
}

/** Rolling sum(price v)/sum(v): fresh sums per window (reference). */
function vwRef(price: Float64Array, v: Float64Array, p: number, out: Float64Array): void {
  const n = price.length;
  fillNaN(out, 0, p - 1);
  for (let t = p - 1; t < n; t++) {
    let spv = 0, sv = 0;
    for (let j = t - p + 1; j <= t; j++) { spv += price[j]! * v[j]!; sv += v[j]!; }
    out[t] = spv / sv;
  }
}

/** Streaming rolling VWMA/VWAP: the kernel's running sums, recomputed every p bars and while a non-finite value is in the window (mirrors vw_row). */
class VwStream implements IndicatorStream {
  readonly values = new Float64Array(1);
  private readonly pr: Float64Array;
  private readonly vol: Float64Array;
  private w = 0;
  private count = 0;
  private bad = 0;
  private zero = 0;
  private since: number;
  private spv = 0;
  private sv = 0;
  constructor(private readonly p: number, private readonly typ: boolean) {
    this.pr = new Float64Array(p);
    this.vol = new Float64Array(p);
    this.since = p;
  }
  update(bar: StreamBar | number): number {
    const p = this.p;
    const price = this.typ ? typical(barValue(bar, 'high'), barValue(bar, 'low'), barValue(bar, 'close')) : barValue(bar, 'close');
    const vv = typeof bar === 'number' ? NaN : barValue(bar, 'volume');
    const full = this.count === p;
    const po = this.pr[this.w]!, vo = this.vol[this.w]!;
    this.pr[this.w] = price;
    this.vol[this.w] = vv;
    this.w = this.w + 1 === p ? 0 : this.w + 1;
    if (!full) this.count++;
    const pv = price * vv;
    if (!(pv - pv === 0 && vv - vv === 0)) this.bad++;
    if (vv === 0) this.zero++;
    if (full) {
      const pvo = po * vo;
      if (!(pvo - pvo === 0 && vo - vo === 0)) this.bad--;
      if (vo === 0) this.zero--;
    }
    if (this.count < p) return oneOutput(this.values, NaN);
    if (this.bad > 0 || this.since >= p) {
      let spv = 0, sv = 0;
      for (let j = 0; j < p; j++) {
        let k = this.w + j;
        if (k >= p) k -= p;
        spv += this.pr[k]! * this.vol[k]!;
        sv += this.vol[k]!;
      }
      this.spv = spv;
      this.sv = sv;
      this.since = this.bad > 0 ? p : 1;
    } else {
      this.spv += pv - po * vo;
      this.sv += vv - vo;
      this.since++;
    }
    return oneOutput(this.values, this.zero === p && this.bad === 0 ? NaN : this.spv / this.sv);
  }
}

function sessionKey(time: number, offsetMin: number): number {
  return Math.floor((time + offsetMin * 60000) / 86400000);
}

function sessionVwapRef(tm: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, v: Float64Array, off: number, out: Float64Array): void {
  let spv = 0, sv = 0, prev = NaN;
  for (let i = 0; i < tm.length; i++) {
    const key = sessionKey(tm[i]!, off);
    if (!(key === prev)) { spv = 0; sv = 0; }
    prev = key;
    spv += typical(h[i]!, l[i]!, c[i]!) * v[i]!;
    sv += v[i]!;
    out[i] = spv / sv;
  }
}

// ---- SAR ----

/** TA-Lib TA_SAR, as a state machine fed one bar at a time (the batch reference drives the same machine). */
class SarState {
  private t = 0;
  private isLong = true;
  private af = 0;
  private ep = 0;
  private sar = 0;
  private newHigh = 0;
  private newLow = 0;
  private h0 = 0;
  private l0 = 0;
  private readonly acc: number;
  private readonly max: number;
  constructor(acc: number, max: number) {
    this.acc = acc > max ? max : acc;
    this.max = max;
    this.af = this.acc;
  }
  push(hi: number, lo: number): number {
    const t = this.t++;
    if (t === 0) { this.h0 = hi; this.l0 = lo; return NaN; }
    if (t === 1) {
      const diffp = hi - this.h0, diffm = this.l0 - lo;
      this.isLong = !(diffm > 0 && diffp < diffm);
      if (this.isLong) { this.ep = hi; this.sar = this.l0; } else { this.ep = lo; this.sar = this.h0; }
      this.newLow = lo;
      this.newHigh = hi;
    }
    const prevLow = this.newLow, prevHigh = this.newHigh;
    const newLow = lo, newHigh = hi;
    this.newLow = lo;
    this.newHigh = hi;
    let sar = this.sar, out: number;
    if (this.isLong) {
      if (newLow <= sar) {
        this.isLong = false;
        sar = this.ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
        out = sar;
        this.af = this.acc;
        this.ep = newLow;
        sar = sar + this.af * (this.ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      } else {
        out = sar;
        if (newHigh > this.ep) { this.ep = newHigh; this.af += this.acc; if (this.af > this.max) this.af = this.max; }
        sar = sar + this.af * (this.ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      }
    } else if (newHigh >= sar) {
      this.isLong = true;
      sar = this.ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
      out = sar;
      this.af = this.acc;
      this.ep = newHigh;
      sar = sar + this.af * (this.ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > newLow) sar = newLow;
    } else {
      out = sar;
      if (newLow < this.ep) { this.ep = newLow; this.af += this.acc; if (this.af > this.max) this.af = this.max; }
      sar = sar + this.af * (this.ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < newHigh) sar = newHigh;
    }
    this.sar = sar;
    return out;
  }
}

// ---- SuperTrend ----

function trueRange(h: number, l: number, yc: number): number {
  let g = h - l;
  const v2 = Math.abs(yc - h);
  if (v2 > g) g = v2;
  const v3 = Math.abs(yc - l);
  if (v3 > g) g = v3;
  return g;
}

function supertrendRef(h: Float64Array, l: Float64Array, c: Float64Array, p: number, mult: number, st: Float64Array, dirOut: Float64Array): void {
  const n = h.length;
  fillNaN(st, 0, p);
  fillNaN(dirOut, 0, p);
  if (p >= n) return;
  // TA-Lib ATR: TR from bar 1, first ATR = mean of TR[1..p], then Wilder
  const atr = new Float64Array(n);
  let s = 0;
  for (let t = 1; t <= p; t++) s += trueRange(h[t]!, l[t]!, c[t - 1]!);
  atr[p] = s / p;
  for (let t = p + 1; t < n; t++) atr[t] = ((atr[t - 1]! * (p - 1)) + trueRange(h[t]!, l[t]!, c[t - 1]!)) / p;
  let up = 0, dn = 0, dir = -1;
  for (let t = p; t < n; t++) {
    const hl2 = (h[t]! + l[t]!) / 2;
    const bu = hl2 + mult * atr[t]!, bl = hl2 - mult * atr[t]!;
    if (t === p) { up = bu; dn = bl; } else {
      const pc = c[t - 1]!;
      up = bu < up || pc > up ? bu : up;
      dn = bl > dn || pc < dn ? bl : dn;
      dir = dir < 0 ? (c[t]! > up ? 1 : -1) : (c[t]! < dn ? -1 : 1);
    }
    st[t] = dir > 0 ? dn : up;
    dirOut[t] = dir;
  }
}

class SupertrendStream implements IndicatorStream {
  readonly values = new Float64Array(2);
  private t = 0;
  private sum = 0;
  private atr = 0;
  private prevClose = NaN;
  private up = 0;
  private dn = 0;
  private dir = -1;
  constructor(private readonly p: number, private readonly mult: number) {}
  update(bar: StreamBar | number): number {
    const p = this.p, t = this.t++;
    const h = barValue(bar, 'high'), l = barValue(bar, 'low'), c = barValue(bar, 'close');
    const pc = this.prevClose;
    this.prevClose = c;
    if (t >= 1 && t <= p) this.sum += trueRange(h, l, pc);
    if (t < p) { this.values[0] = NaN; this.values[1] = NaN; return NaN; }
    if (t === p) this.atr = this.sum / p;
    else {
      this.atr *= p - 1;
      this.atr += trueRange(h, l, pc);
      this.atr /= p;
    }
    const hl2 = (h + l) / 2;
    const bu = hl2 + this.mult * this.atr, bl = hl2 - this.mult * this.atr;
    if (t === p) { this.up = bu; this.dn = bl; } else {
      this.up = bu < this.up || pc > this.up ? bu : this.up;
      this.dn = bl > this.dn || pc < this.dn ? bl : this.dn;
      this.dir = this.dir < 0 ? (c > this.up ? 1 : -1) : (c < this.dn ? -1 : 1);
    }
    this.values[0] = this.dir > 0 ? this.dn : this.up;
    this.values[1] = this.dir;
    return this.values[0];
  }
}

// ---- Ichimoku ----

function ichimokuLookback(p: readonly number[]): number {
  return Math.max(p[0]!, p[1]!, p[2]!) - 1 + p[3]!;
}

class IchimokuStream implements IndicatorStream {
  readonly values = new Float64Array(5);
  private readonly ten: MidrangeStream;
  private readonly kij: MidrangeStream;
  private readonly sb: MidrangeStream;
  private readonly dA: Delay;
  private readonly dB: Delay;
  private readonly lookback: number;
  private n = 0;
  constructor(p: readonly number[]) {
    this.lookback = ichimokuLookback(p);
    this.ten = new MidrangeStream(p[0]!);
    this.kij = new MidrangeStream(p[1]!);
    this.sb = new MidrangeStream(p[2]!);
    this.dA = new Delay(p[3]!);
    this.dB = new Delay(p[3]!);
  }
  update(bar: StreamBar | number): number {
    const h = barValue(bar, 'high'), l = barValue(bar, 'low');
    const a = this.ten.push(h, l), b = this.kij.push(h, l);
    const v = this.values;
    v[0] = a;
    v[1] = b;
    v[2] = this.dA.push((a + b) / 2);
    v[3] = this.dB.push(this.sb.push(h, l));
    v[4] = barValue(bar, 'close');
    if (this.n++ < this.lookback) v.fill(NaN); // warm-up: every output NaN before the lookback
    return v[0]!;
  }
}

const OTHER_INDICATORS: IndicatorSpec[] = [
  {
    name: 'hma',
    group: 'trend',
    summary: 'Hull moving average',
    inputs: ['x'],
    outputs: ['hma'],
    params: [periodParam(9)],
    lookback: (p) => p[0]! - 1 + hmaSqrt(p[0]!) - 1,
    reference: (i, p, o) => hmaRef(i[0]!, p[0]!, o[0]!),
    stream: (p) => new HmaStream(p[0]!),
    formula: 'WMA(2 WMA(x, floor(n/2)) - WMA(x, n), floor(sqrt(n))); integer halves and roots rounded down (Alan Hull; TradingView/LEAN convention); lookback n-1 + floor(sqrt n)-1',
  },
  {
    name: 'vwma',
    group: 'trend',
    summary: 'volume-weighted moving average of the close',
    inputs: ['close', 'volume'],
    outputs: ['vwma'],
    params: [periodParam(20, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => vwRef(i[0]!, i[1]!, p[0]!, o[0]!),
    stream: (p) => new VwStream(p[0]!, false),
    formula: 'sum(close v, last p bars) / sum(v, last p bars); NaN when every volume in the window is 0 (0/0); volumes must be >= 0 (LEAN/talipp VWMA)',
  },
  {
    name: 'vwap',
    group: 'trend',
    summary: 'rolling volume-weighted average price of the typical price',
    inputs: ['high', 'low', 'close', 'volume'],
    outputs: ['vwap'],
    params: [periodParam(14, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => {
      const n = i[0]!.length, tp = new Float64Array(n);
      for (let k = 0; k < n; k++) tp[k] = typical(i[0]![k]!, i[1]![k]!, i[2]![k]!);
      vwRef(tp, i[3]!, p[0]!, o[0]!);
    },
    stream: (p) => new VwStream(p[0]!, true),
    formula: 'sum(tp v, last p bars) / sum(v, last p bars), tp = (H+L+C)/3; NaN when every volume in the window is 0; volumes must be >= 0 (bukosabino ta VolumeWeightedAveragePrice, without its partial warm-up windows)',
  },
  {
    name: 'sessionVwap',
    group: 'trend',
    summary: 'session VWAP, reset at each (UTC, shifted) calendar day',
    inputs: ['time', 'high', 'low', 'close', 'volume'],
    outputs: ['sessionVwap'],
    params: [{ name: 'sessionOffsetMinutes', default: 0, min: -1440, max: 1440, integer: true, description: 'minutes added to the UTC time before splitting days (e.g. -300 for a session day in UTC-5)' }],
    lookback: () => 0,
    reference: (i, p, o) => sessionVwapRef(i[0]!, i[1]!, i[2]!, i[3]!, i[4]!, p[0]!, o[0]!),
    stream: (p) => {
      const values = new Float64Array(1), off = p[0]!;
      let spv = 0, sv = 0, prev = NaN;
      return {
        values,
        update(bar: StreamBar | number): number {
          const key = sessionKey(barValue(bar, 'time'), off);
          if (!(key === prev)) { spv = 0; sv = 0; }
          prev = key;
          const v = typeof bar === 'number' ? NaN : barValue(bar, 'volume');
          spv += typical(barValue(bar, 'high'), barValue(bar, 'low'), barValue(bar, 'close')) * v;
          sv += v;
          return oneOutput(values, spv / sv);
        },
      };
    },
    formula: 'sum(tp v) / sum(v) from the first bar of the session, tp = (H+L+C)/3; session = floor((time_ms + 60000 sessionOffsetMinutes) / 86400000), a new one wherever it changes; NaN while the session volume is 0',
  },
  {
    name: 'midpoint',
    group: 'trend',
    summary: 'midpoint of the highest and lowest value over a period',
    inputs: ['x'],
    outputs: ['midpoint'],
    params: [periodParam(14)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => midrangeRef(i[0]!, i[0]!, p[0]!, 0, o[0]!),
    stream: (p) => {
      const m = new MidrangeStream(p[0]!), values = new Float64Array(1);
      return { values, update: (bar) => { const v = barValue(bar, 'x'); return oneOutput(values, m.push(v, v)); } };
    },
    talib: { name: 'MIDPOINT', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'NaN whenever the window holds a NaN (TA-Lib skips NaN in its comparisons)' },
    formula: '(max(x) + min(x)) / 2 over the last p bars (monotonic deques: amortised O(1)); TA-Lib MIDPOINT',
  },
  {
    name: 'midprice',
    group: 'trend',
    summary: 'midpoint of the highest high and lowest low over a period',
    inputs: ['high', 'low'],
    outputs: ['midprice'],
    params: [periodParam(14)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => midrangeRef(i[0]!, i[1]!, p[0]!, 0, o[0]!),
    stream: (p) => {
      const m = new MidrangeStream(p[0]!), values = new Float64Array(1);
      return { values, update: (bar) => oneOutput(values, m.push(barValue(bar, 'high'), barValue(bar, 'low'))) };
    },
    talib: { name: 'MIDPRICE', params: ['optInTimePeriod'], outputs: ['outReal'], note: 'NaN whenever the window holds a NaN' },
    formula: '(max(high) + min(low)) / 2 over the last p bars (monotonic deques: amortised O(1)); TA-Lib MIDPRICE',
  },
  {
    name: 'sar',
    group: 'trend',
    summary: 'Parabolic SAR (Wilder)',
    inputs: ['high', 'low'],
    outputs: ['sar'],
    params: [
      { name: 'acceleration', default: 0.02, min: 0, max: 1, integer: false, description: 'acceleration factor step (and start)' },
      { name: 'maximum', default: 0.2, min: 0, max: 1, integer: false, description: 'acceleration factor cap' },
    ],
    lookback: () => 1,
    reference: (i, p, o) => {
      const s = new SarState(p[0]!, p[1]!), h = i[0]!, l = i[1]!, out = o[0]!;
      for (let t = 0; t < h.length; t++) out[t] = s.push(h[t]!, l[t]!);
    },
    stream: (p) => {
      const s = new SarState(p[0]!, p[1]!), values = new Float64Array(1);
      return { values, update: (bar) => oneOutput(values, s.push(barValue(bar, 'high'), barValue(bar, 'low'))) };
    },
    talib: { name: 'SAR', params: ['optInAcceleration', 'optInMaximum'], outputs: ['outReal'] },
    formula: "Wilder's stop-and-reverse: sar += af (ep - sar), af += step at each new extreme (capped), clamped by the last two bars' lows (long) / highs (short); reversal sets sar = ep; initial side short iff the first bar's -DM > 0 (low[0]-low[1] > 0 and > high[1]-high[0]); TA-Lib SAR",
  },
  {
    name: 'supertrend',
    group: 'trend',
    summary: 'SuperTrend (ATR bands around hl2 with a ratchet)',
    inputs: ['high', 'low', 'close'],
    outputs: ['supertrend', 'direction'],
    params: [
      periodParam(10, 1, 'ATR period (TA-Lib Wilder ATR)'),
      { name: 'multiplier', default: 3, min: 0, max: 100, integer: false, description: 'ATR multiple' },
    ],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => supertrendRef(i[0]!, i[1]!, i[2]!, p[0]!, p[1]!, o[0]!, o[1]!),
    stream: (p) => new SupertrendStream(p[0]!, p[1]!),
    formula: 'ATR = TA-Lib ATR(p); bands hl2 +- m ATR; upper[t] = basicUpper if basicUpper < upper[t-1] or close[t-1] > upper[t-1] else upper[t-1] (lower mirrored); direction starts -1, flips to +1 when close > upper (while -1) and to -1 when close < lower (while +1); supertrend = lower band when +1 else upper band (TradingView ta.supertrend with +1 = up)',
  },
  {
    name: 'ichimoku',
    group: 'trend',
    summary: 'Ichimoku Kinko Hyo, without look-ahead',
    inputs: ['high', 'low', 'close'],
    outputs: ['tenkan', 'kijun', 'senkouA', 'senkouB', 'chikou'],
    params: [
      { ...periodParam(9, 1, 'conversion-line (tenkan) bars'), name: 'tenkan' },
      { ...periodParam(26, 1, 'base-line (kijun) bars'), name: 'kijun' },
      { ...periodParam(52, 1, 'leading span B bars'), name: 'senkouB' },
      { ...periodParam(26, 0, 'bars the leading spans are shifted forward'), name: 'displacement' },
    ],
    lookback: ichimokuLookback,
    reference: (i, p, o) => {
      const [h, l, c] = i as [Float64Array, Float64Array, Float64Array];
      const d = p[3]!, n = h.length;
      midrangeRef(h, l, p[0]!, 0, o[0]!);
      midrangeRef(h, l, p[1]!, 0, o[1]!);
      midrangeRef(h, l, p[2]!, d, o[3]!);
      for (let t = 0; t < n; t++) {
        o[2]![t] = t >= d ? (o[0]![t - d]! + o[1]![t - d]!) / 2 : NaN;
        o[4]![t] = c[t]!;
      }
      // The warm-up contract: every output is NaN before the lookback.
      const lb = Math.min(ichimokuLookback(p), n);
      for (const out of o) out.fill(NaN, 0, lb);
    },
    stream: (p) => new IchimokuStream(p),
    formula: 'tenkan = (max high + min low)/2 over 9 bars, kijun over 26; senkouA[t] = (tenkan + kijun)/2 at t-d and senkouB[t] = midrange over 52 bars ending at t-d (what a chart plots at t, no look-ahead); chikou[t] = close[t] (a chart plots it d bars back; never shifted onto earlier indices here). lookback = max(periods)-1+d, the first index where all five are defined; all five are NaN before it (the warm-up contract), although tenkan, kijun and chikou could be computed earlier',
  },
  linregSpec('linreg', LR_VALUE, 'LINEARREG', 'linear regression: the fitted value at the last bar', 'b + m (p-1)'),
  linregSpec('linregSlope', LR_SLOPE, 'LINEARREG_SLOPE', 'linear regression slope per bar', 'm'),
  linregSpec('linregIntercept', LR_INTERCEPT, 'LINEARREG_INTERCEPT', 'linear regression intercept (fitted value at the oldest bar of the window)', 'b'),
  linregSpec('linregAngle', LR_ANGLE, 'LINEARREG_ANGLE', 'linear regression slope as an angle in degrees', 'atan(m) 180/pi'),
  linregSpec('tsf', LR_TSF, 'TSF', 'time series forecast: the regression line one bar ahead', 'b + m p'),
];

export const TREND_INDICATORS: IndicatorSpec[] = [...MA_TYPE_INDICATORS, ...OTHER_INDICATORS];
