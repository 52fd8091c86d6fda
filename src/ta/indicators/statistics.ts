/**
 * Statistics indicators (TypeScript reference + streaming); kernels in
 * native/ta/kernels/statistics.h. Also the rolling building blocks the volatility group
 * shares (TA-Lib's running variance, RollMoments, rolling extrema), each mirroring its C++
 * twin operation for operation so that streaming equals batch.
 *
 * A note on TA-Lib's running sums. TA-Lib computes VAR, STDDEV, BBANDS, CORREL (and BETA)
 * from running sums of raw values, i.e. mean(x^2) - mean(x)^2: catastrophic cancellation on
 * large prices with small moves (a 5-bar VAR of 1-minute BTC closes can be off by 100% of
 * its value, or non-zero for a flat window). No accurate algorithm can match those numbers
 * to 1e-9, so for the indicators that carry a TA-Lib name we reproduce TA-Lib's operation
 * order exactly, in the reference, the C++ kernel and the stream (they agree bit for bit),
 * and tests/ta.volatility.test.ts measures how far that is from the exact values. Our own
 * indicators (zscore, the range-based volatility estimators) are accurate instead.
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type ParamSpec, type SeriesName, type StreamBar } from '../spec.js';
import { fillNaN, periodParam } from './ma.js';

/** TA-Lib's TA_EPSILON: TA_IS_ZERO(v) is |v| < eps, TA_IS_ZERO_OR_NEG(v) is v < eps. */
export const TALIB_EPS = 1e-14;
export const talibIsZero = (v: number): boolean => -TALIB_EPS < v && v < TALIB_EPS;
/** TA-Lib STDDEV from a variance: 0 when TA_IS_ZERO_OR_NEG, else sqrt(var) * nbDev. */
export const talibStd = (v: number, nbDev: number): number => (v < TALIB_EPS ? 0 : Math.sqrt(v) * nbDev);
/** TA-Lib BETA's one-bar return (0 when the previous value is TA_IS_ZERO). */
export const talibRet = (v: number, last: number): number => (talibIsZero(last) ? 0 : (v - last) / last);

export function realParam(name: string, def: number, min: number, max: number, description: string): ParamSpec {
  return { name, default: def, min, max, integer: false, description };
}

/** TA-Lib's nbDev range (TA_REAL_MIN..TA_REAL_MAX). */
export const nbDevParam = (name: string, def: number, description: string): ParamSpec => realParam(name, def, -3e37, 3e37, description);

// ---------------------------------------------------------------------------------------
// Non-finite counting (the TypeScript twin of NonFiniteCount in native/common/sma_kernel.h)

export class NonFinite {
  nan = 0;
  pos = 0;
  neg = 0;
  total(): number {
    return this.nan + this.pos + this.neg;
  }
  add(v: number, d: number): void {
    if (v !== v) this.nan += d;
    else if (v > 0) this.pos += d;
    else this.neg += d;
  }
  value(): number {
    if (this.nan > 0 || (this.pos > 0 && this.neg > 0)) return NaN;
    return this.pos > 0 ? Infinity : -Infinity;
  }
}

const finite = (v: number): boolean => v - v === 0;

// ---------------------------------------------------------------------------------------
// TA-Lib INT_VAR (running sums), batch and streaming

/** TA-Lib INT_VAR over x[begin..n), operation for operation; outputs from begin + p - 1. */
export function talibVarFrom(x: Float64Array, begin: number, p: number, out: Float64Array): void {
  const n = x.length, first = begin + p - 1;
  fillNaN(out, 0, first);
  if (first >= n) return;
  let t1 = 0, t2 = 0, i = begin;
  for (; i < first; i++) {
    const v = x[i]!;
    t1 += v;
    t2 += v * v;
  }
  let trailing = begin;
  for (; i < n; i++) {
    const v = x[i]!;
    t1 += v;
    t2 += v * v;
    const m1 = t1 / p, m2 = t2 / p;
    const w = x[trailing++]!;
    t1 -= w;
    t2 -= w * w;
    out[i] = m2 - m1 * m1;
  }
}

/** Streaming TA-Lib INT_VAR: `push` returns the variance (NaN until p values). */
export class TalibVarStream {
  private readonly buf: Float64Array;
  private n = 0;
  private t1 = 0;
  private t2 = 0;
  constructor(readonly p: number) {
    this.buf = new Float64Array(p);
  }
  push(v: number): number {
    const p = this.p, k = this.n % p;
    this.buf[k] = v;
    this.t1 += v;
    this.t2 += v * v;
    if (++this.n < p) return NaN;
    const m1 = this.t1 / p, m2 = this.t2 / p;
    const w = this.buf[this.n % p]!; // the oldest of the window (p == 1: v itself)
    this.t1 -= w;
    this.t2 -= w * w;
    return m2 - m1 * m1;
  }
}

// ---------------------------------------------------------------------------------------
// RollMoments: accurate rolling mean / variance (twin of vs::RollMoments in statistics.h)

/**
 * Rolling mean and variance of the last p pushed values, from sums of deviations from an
 * anchor (the window mean at the last re-seed), recomputed exactly from the ring every p
 * pushes and whenever the centred sum of squares falls below 2^-17 of the largest sum of
 * squares since the last re-seed. While a non-finite value is in the window: mean = what a
 * fresh sum gives (NaN or +-Inf), variance NaN. A constant window gives mean = that value and
 * variance exactly 0. Operation for operation the C++ vs::RollMoments.
 */
export class RollMoments {
  private readonly ring: Float64Array;
  private head = 0;
  private filled = 0;
  private run = 0;
  private since = 0;
  private anchor = 0;
  private s1 = 0;
  private s2 = 0;
  private peak = 0;
  private last = NaN;
  private dirty = true;
  private readonly bad = new NonFinite();
  /** 1/p and 1/(p-1): the per-bar statistics multiply, as the kernel does. */
  private readonly rp: number;
  private readonly rpm1: number;
  constructor(readonly p: number) {
    this.ring = new Float64Array(p);
    this.rp = 1 / p;
    this.rpm1 = p > 1 ? 1 / (p - 1) : NaN;
  }
  get full(): boolean {
    return this.filled === this.p;
  }
  private reseed(): void {
    const p = this.p, j0 = this.filled === p ? this.head : 0;
    let sum = 0;
    for (let k = 0, j = j0; k < this.filled; k++) {
      sum += this.ring[j]!;
      j = j + 1 === p ? 0 : j + 1;
    }
    const anchor = sum / this.filled;
    let s1 = 0, s2 = 0;
    for (let k = 0, j = j0; k < this.filled; k++) {
      const d = this.ring[j]! - anchor;
      s1 += d;
      s2 += d * d;
      j = j + 1 === p ? 0 : j + 1;
    }
    this.anchor = anchor;
    this.s1 = s1;
    this.s2 = s2;
    this.peak = s2;
    this.since = 0;
    this.dirty = false;
  }
  push(v: number): void {
    const p = this.p;
    const hasOld = this.filled === p;
    const old = hasOld ? this.ring[this.head]! : 0;
    this.ring[this.head] = v;
    this.head = this.head + 1 === p ? 0 : this.head + 1;
    if (!hasOld) this.filled++;
    this.run = v === this.last ? this.run + 1 : 1;
    this.last = v;
    if (!finite(v)) this.bad.add(v, 1);
    if (hasOld && !finite(old)) this.bad.add(old, -1);
    this.since++;
    if (this.bad.total() > 0) {
      this.dirty = true;
      return;
    }
    if (this.dirty || this.since >= p) {
      this.reseed();
      return;
    }
    const d = v - this.anchor;
    this.s1 += d;
    this.s2 += d * d;
    if (hasOld) {
      const e = old - this.anchor;
      this.s1 -= e;
      this.s2 -= e * e;
    }
    if (this.s2 > this.peak) this.peak = this.s2;
    const rf = hasOld ? this.rp : 1 / this.filled;
    if (this.run < p && this.s2 - this.s1 * this.s1 * rf < this.peak * 2 ** -17) this.reseed();
  }
  mean(): number {
    if (this.bad.total() > 0) return this.bad.value();
    if (this.run >= this.p) return this.last;
    return this.anchor + this.s1 * this.rp;
  }
  newestDev(): number {
    if (this.bad.total() > 0) return NaN;
    if (this.run >= this.p) return 0;
    return (this.last - this.anchor) - this.s1 * this.rp;
  }
  varPop(): number {
    if (this.bad.total() > 0) return NaN;
    if (this.run >= this.p) return 0;
    const m = this.s1 * this.rp;
    const v = this.s2 * this.rp - m * m;
    return v < 0 ? 0 : v;
  }
  varSample(): number {
    if (this.bad.total() > 0) return NaN;
    if (this.run >= this.p) return 0;
    const v = (this.s2 - this.s1 * this.s1 * this.rp) * this.rpm1;
    return v < 0 ? 0 : v;
  }
}

// ---------------------------------------------------------------------------------------
// Rolling extrema and sums

/** Fresh-window max/min (reference): NaN when the window holds a NaN. */
export function windowExtreme(x: Float64Array, p: number, wantMax: boolean, out: Float64Array): void {
  const n = x.length;
  fillNaN(out, 0, p - 1);
  for (let i = p - 1; i < n; i++) {
    let m = x[i - p + 1]!;
    for (let j = i - p + 1; j <= i; j++) {
      const v = x[j]!;
      if (v !== v) { m = NaN; break; }
      if (wantMax ? v > m : v < m) m = v;
    }
    out[i] = m;
  }
}

/** Streaming rolling max/min: monotonic deque (amortised O(1) per update, O(p) memory). */
export class ExtremeStream {
  private readonly idx: Float64Array;
  private readonly val: Float64Array;
  private head = 0;
  private size = 0;
  private i = 0;
  private lastNan: number;
  constructor(readonly p: number, readonly wantMax: boolean) {
    this.idx = new Float64Array(p);
    this.val = new Float64Array(p);
    this.lastNan = -p - 1;
  }
  push(v: number): number {
    const p = this.p, i = this.i++;
    if (this.size > 0 && this.idx[this.head]! <= i - p) {
      this.head = this.head + 1 === p ? 0 : this.head + 1;
      this.size--;
    }
    if (v !== v) {
      this.lastNan = i;
    } else {
      while (this.size > 0) {
        let b = this.head + this.size - 1;
        if (b >= p) b -= p;
        const w = this.val[b]!;
        if (this.wantMax ? w <= v : w >= v) this.size--;
        else break;
      }
      let t = this.head + this.size;
      if (t >= p) t -= p;
      this.idx[t] = i;
      this.val[t] = v;
      this.size++;
    }
    return i < p - 1 || this.lastNan > i - p ? NaN : this.val[this.head]!;
  }
}

/** Streaming rolling sum, the C++ rolling_sum's scheme and operation order. */
export class SumStream {
  private readonly buf: Float64Array;
  private i = 0;
  private count = 0;
  private sum = 0;
  private readonly bad = new NonFinite();
  constructor(readonly p: number) {
    this.buf = new Float64Array(p);
  }
  push(v: number): number {
    const p = this.p;
    if (this.count >= p) {
      const old = this.buf[this.i]!;
      const d = v - old;
      if (finite(d)) this.sum += d;
      else {
        if (finite(v)) this.sum += v; else this.bad.add(v, 1);
        if (finite(old)) this.sum -= old; else this.bad.add(old, -1);
      }
    } else {
      if (finite(v)) this.sum += v; else this.bad.add(v, 1);
      this.count++;
    }
    this.buf[this.i] = v;
    this.i = this.i + 1 === p ? 0 : this.i + 1;
    if (this.count < p) return NaN;
    return this.bad.total() === 0 ? this.sum : this.bad.value();
  }
}

/** A one-output stream over one input series, from a push function. */
export function pushStream(input: SeriesName, push: (v: number) => number): IndicatorStream {
  const values = new Float64Array(1);
  return {
    values,
    update(bar: StreamBar | number): number {
      const v = push(barValue(bar, input));
      values[0] = v;
      return v;
    },
  };
}

// ---------------------------------------------------------------------------------------
// References

function zscoreRef(x: Float64Array, p: number, out: Float64Array): void {
  const n = x.length;
  fillNaN(out, 0, p - 1);
  for (let i = p - 1; i < n; i++) {
    const x0 = x[i - p + 1]!;
    let constant = true;
    for (let j = i - p + 1; j <= i; j++) if (x[j] !== x0) { constant = false; break; }
    if (constant) { out[i] = 0; continue; }
    // Two-pass, on deviations from the window's first value (exact for nearby values).
    let s = 0;
    for (let j = i - p + 1; j <= i; j++) s += x[j]! - x0;
    const mo = s / p;
    let ss = 0;
    for (let j = i - p + 1; j <= i; j++) {
      const d = x[j]! - x0 - mo;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / p), d = x[i]! - x0 - mo;
    out[i] = sd === 0 ? d * 0 : d / sd;
  }
}

/** TA-Lib CORREL, operation for operation (see the file comment for why not a fresh sum). */
function correlRef(x0: Float64Array, x1: Float64Array, p: number, out: Float64Array): void {
  const n = x0.length;
  fillNaN(out, 0, p - 1);
  if (p - 1 >= n) return;
  let sxy = 0, sx = 0, sy = 0, sx2 = 0, sy2 = 0, today = 0;
  for (; today <= p - 1; today++) {
    const x = x0[today]!, y = x1[today]!;
    sx += x; sx2 += x * x; sxy += x * y; sy += y; sy2 += y * y;
  }
  let trailing = 0;
  let tx = x0[trailing]!, ty = x1[trailing]!;
  trailing++;
  let t = (sx2 - (sx * sx) / p) * (sy2 - (sy * sy) / p);
  out[p - 1] = !(t < TALIB_EPS) ? (sxy - (sx * sy) / p) / Math.sqrt(t) : 0;
  for (; today < n; today++) {
    sx -= tx; sx2 -= tx * tx; sxy -= tx * ty; sy -= ty; sy2 -= ty * ty;
    const x = x0[today]!, y = x1[today]!;
    sx += x; sx2 += x * x; sxy += x * y; sy += y; sy2 += y * y;
    tx = x0[trailing]!;
    ty = x1[trailing]!;
    trailing++;
    t = (sx2 - (sx * sx) / p) * (sy2 - (sy * sy) / p);
    out[today] = !(t < TALIB_EPS) ? (sxy - (sx * sy) / p) / Math.sqrt(t) : 0;
  }
}

class CorrelStream {
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sx2 = 0;
  private sy2 = 0;
  private sxy = 0;
  constructor(readonly p: number) {
    this.bx = new Float64Array(p);
    this.by = new Float64Array(p);
  }
  push(x: number, y: number): number {
    const p = this.p, k = this.n % p;
    if (this.n >= p) {
      const tx = this.bx[k]!, ty = this.by[k]!;
      this.sx -= tx; this.sx2 -= tx * tx; this.sxy -= tx * ty; this.sy -= ty; this.sy2 -= ty * ty;
    }
    this.bx[k] = x;
    this.by[k] = y;
    this.sx += x; this.sx2 += x * x; this.sxy += x * y; this.sy += y; this.sy2 += y * y;
    if (++this.n < p) return NaN;
    const t = (this.sx2 - (this.sx * this.sx) / p) * (this.sy2 - (this.sy * this.sy) / p);
    return !(t < TALIB_EPS) ? (this.sxy - (this.sx * this.sy) / p) / Math.sqrt(t) : 0;
  }
}

/** TA-Lib BETA, operation for operation (running sums; the trailing return recomputed). */
function betaRef(in0: Float64Array, in1: Float64Array, p: number, out: Float64Array): void {
  const n = in0.length;
  fillNaN(out, 0, p);
  if (p >= n) return;
  let sxx = 0, sxy = 0, sx = 0, sy = 0;
  let lx = in0[0]!, ly = in1[0]!, tlx = lx, tly = ly, i = 1;
  for (; i < p; i++) {
    const x = talibRet(in0[i]!, lx);
    lx = in0[i]!;
    const y = talibRet(in1[i]!, ly);
    ly = in1[i]!;
    sxx += x * x; sxy += x * y; sx += x; sy += y;
  }
  let trailing = 1;
  for (; i < n; i++) {
    let x = talibRet(in0[i]!, lx);
    lx = in0[i]!;
    let y = talibRet(in1[i]!, ly);
    ly = in1[i]!;
    sxx += x * x; sxy += x * y; sx += x; sy += y;
    x = talibRet(in0[trailing]!, tlx);
    tlx = in0[trailing]!;
    y = talibRet(in1[trailing]!, tly);
    tly = in1[trailing]!;
    trailing++;
    const den = p * sxx - sx * sx;
    out[i] = !talibIsZero(den) ? (p * sxy - sx * sy) / den : 0;
    sxx -= x * x; sxy -= x * y; sx -= x; sy -= y;
  }
}

/** BETA from a fresh window per output (for tests: how far TA-Lib's running sums drift). */
export function betaFresh(x0: Float64Array, x1: Float64Array, p: number, out: Float64Array): void {
  const n = x0.length;
  fillNaN(out, 0, p);
  for (let i = p; i < n; i++) {
    let sxx = 0, sxy = 0, sx = 0, sy = 0;
    for (let j = i - p + 1; j <= i; j++) {
      const x = talibRet(x0[j]!, x0[j - 1]!), y = talibRet(x1[j]!, x1[j - 1]!);
      sxx += x * x; sxy += x * y; sx += x; sy += y;
    }
    const den = p * sxx - sx * sx;
    out[i] = !talibIsZero(den) ? (p * sxy - sx * sy) / den : 0;
  }
}

/** Streaming BETA in TA-Lib's running order: add the new pair, output, drop the oldest. */
class BetaStream {
  private readonly rx: Float64Array;
  private readonly ry: Float64Array;
  private lx = NaN;
  private ly = NaN;
  private bars = 0;
  private c = 0; // returns pushed
  private sxx = 0;
  private sxy = 0;
  private sx = 0;
  private sy = 0;
  constructor(readonly p: number) {
    this.rx = new Float64Array(p);
    this.ry = new Float64Array(p);
  }
  push(vx: number, vy: number): number {
    if (this.bars++ === 0) {
      this.lx = vx;
      this.ly = vy;
      return NaN;
    }
    const p = this.p;
    const x = talibRet(vx, this.lx), y = talibRet(vy, this.ly);
    this.lx = vx;
    this.ly = vy;
    const k = this.c % p;
    this.rx[k] = x;
    this.ry[k] = y;
    this.sxx += x * x; this.sxy += x * y; this.sx += x; this.sy += y;
    if (++this.c < p) return NaN;
    const den = p * this.sxx - this.sx * this.sx;
    const b = !talibIsZero(den) ? (p * this.sxy - this.sx * this.sy) / den : 0;
    const o = this.c % p; // the oldest return of the window
    const tx = this.rx[o]!, ty = this.ry[o]!;
    this.sxx -= tx * tx; this.sxy -= tx * ty; this.sx -= tx; this.sy -= ty;
    return b;
  }
}

function twoStream(make: () => { push(x: number, y: number): number }): IndicatorStream {
  const s = make();
  const values = new Float64Array(1);
  return {
    values,
    update(bar: StreamBar | number): number {
      const v = s.push(barValue(bar, 'x'), typeof bar === 'number' ? NaN : barValue(bar, 'y'));
      values[0] = v;
      return v;
    },
  };
}

function rollingSumRef(x: Float64Array, p: number, out: Float64Array): void {
  fillNaN(out, 0, p - 1);
  for (let i = p - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - p + 1; j <= i; j++) s += x[j]!;
    out[i] = s;
  }
}

export const STATISTICS_INDICATORS: IndicatorSpec[] = [
  {
    name: 'rollingMin',
    group: 'statistics',
    summary: 'lowest value over the last `period` bars',
    inputs: ['x'],
    outputs: ['min'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => windowExtreme(i[0]!, p[0]!, false, o[0]!),
    stream: (p) => { const s = new ExtremeStream(p[0]!, false); return pushStream('x', (v) => s.push(v)); },
    talib: { name: 'MIN', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'min(x[t-p+1..t]); TA-Lib MIN. NaN while a NaN is in the window. Kernel: monotonic deque, amortised O(1) per bar (the stream too).',
  },
  {
    name: 'rollingMax',
    group: 'statistics',
    summary: 'highest value over the last `period` bars',
    inputs: ['x'],
    outputs: ['max'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => windowExtreme(i[0]!, p[0]!, true, o[0]!),
    stream: (p) => { const s = new ExtremeStream(p[0]!, true); return pushStream('x', (v) => s.push(v)); },
    talib: { name: 'MAX', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'max(x[t-p+1..t]); TA-Lib MAX. NaN while a NaN is in the window. Kernel: monotonic deque, amortised O(1) per bar (the stream too).',
  },
  {
    name: 'rollingSum',
    group: 'statistics',
    summary: 'sum over the last `period` bars',
    inputs: ['x'],
    outputs: ['sum'],
    params: [periodParam(30)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => rollingSumRef(i[0]!, p[0]!, o[0]!),
    stream: (p) => { const s = new SumStream(p[0]!); return pushStream('x', (v) => s.push(v)); },
    talib: { name: 'SUM', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula: 'sum(x[t-p+1..t]); TA-Lib SUM. Kernel: one running sum with non-finite values counted apart (a NaN affects only the windows that hold it, unlike TA-Lib where it stays in the sum).',
  },
  {
    name: 'zscore',
    group: 'statistics',
    summary: 'standard score of x within the last `period` bars (population std-dev)',
    inputs: ['x'],
    outputs: ['zscore'],
    params: [periodParam(20)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => zscoreRef(i[0]!, p[0]!, o[0]!),
    stream: (p) => {
      const m = new RollMoments(p[0]!);
      return pushStream('x', (v) => {
        m.push(v);
        if (!m.full) return NaN;
        const s = Math.sqrt(m.varPop()), d = m.newestDev();
        return s === 0 ? d * 0 : d / s;
      });
    },
    formula:
      'z = (x[t] - mean) / std over x[t-p+1..t], std the population standard deviation (divide by p). ' +
      'A constant window (std = 0) gives z = 0. NaN while a NaN/Inf is in the window. Kernel: running sums of deviations from an anchor, re-seeded exactly every p bars (accurate at any price level).',
  },
  {
    name: 'correl',
    group: 'statistics',
    summary: "Pearson's correlation coefficient of x and y over the last `period` bars",
    inputs: ['x', 'y'],
    outputs: ['correl'],
    params: [periodParam(30, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => correlRef(i[0]!, i[1]!, p[0]!, o[0]!),
    stream: (p) => twoStream(() => new CorrelStream(p[0]!)),
    talib: { name: 'CORREL', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula:
      'r = (Sxy - Sx Sy / p) / sqrt((Sxx - Sx^2 / p)(Syy - Sy^2 / p)) over the window; 0 when the product under the root is < 1e-14 (TA-Lib). ' +
      "TA-Lib CORREL, its running sums reproduced operation for operation (so a NaN stays in the sums, as in TA-Lib).",
  },
  {
    name: 'beta',
    group: 'statistics',
    summary: "beta: least-squares slope of y's one-bar returns on x's over the last `period` returns (TA-Lib BETA)",
    inputs: ['x', 'y'],
    outputs: ['beta'],
    params: [periodParam(5, 1)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => betaRef(i[0]!, i[1]!, p[0]!, o[0]!),
    stream: (p) => twoStream(() => new BetaStream(p[0]!)),
    talib: { name: 'BETA', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula:
      'TA-Lib BETA, its running sums reproduced operation for operation. ' +
      'u_t = (x[t] - x[t-1]) / x[t-1], v_t likewise for y (0 when the previous value is within 1e-14 of 0); ' +
      'beta = (p Suv - Su Sv) / (p Suu - Su^2) over the last p return pairs, 0 when the denominator is within 1e-14 of 0. TA-Lib BETA (inReal0 = x, inReal1 = y).',
  },
];
