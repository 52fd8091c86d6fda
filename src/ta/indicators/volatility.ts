/**
 * Volatility indicators (TypeScript reference + streaming); kernels in
 * native/ta/kernels/volatility.h.
 *
 * TA-Lib: TRANGE, ATR, NATR, BBANDS, STDDEV, VAR (exact: lookbacks, Wilder seeding, and for
 * BBANDS/STDDEV/VAR TA-Lib's running sums operation for operation; see statistics.ts for why).
 * Ours: keltner, donchian, BBANDS' percentB/bandwidth, and five range-based volatility
 * estimators annualised as sqrt(periodsPerYear * variance per bar).
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type StreamBar } from '../spec.js';
import { emaFrom, EmaStream, fillNaN, maLookback, maRow, maStream, maTypeParam, periodParam, type MaPush } from './ma.js';
import { ExtremeStream, RollMoments, TalibVarStream, TALIB_EPS, nbDevParam, realParam, talibIsZero, talibStd, talibVarFrom, windowExtreme } from './statistics.js';

const LN2 = 0.69314718055994530942;

/** TA-Lib TRANGE's comparison order; NaN in any input gives NaN. */
export function trueRange(h: number, l: number, cp: number): number {
  let g = h - l;
  const v2 = Math.abs(cp - h);
  if (v2 > g) g = v2;
  const v3 = Math.abs(cp - l);
  if (v3 > g) g = v3;
  return v2 !== v2 || v3 !== v3 ? NaN : g;
}

/**
 * TA-Lib ATR (Wilder): TR from bar 1, seed sum(TR[1..p]) / p at bar p; p == 1 is TRANGE.
 * The recursion a = (a (p-1) + TR) / p is evaluated as a * ((p-1)/p) + TR * (1/p), exactly as
 * the kernel (native/ta/kernels/volatility.h) and AtrStream do: within ~p ulp of TA-Lib's
 * operation order (the recursion contracts), with a 3x shorter loop-carried chain.
 */
export function atrRow(h: Float64Array, l: Float64Array, c: Float64Array, p: number, out: Float64Array): void {
  const n = h.length;
  fillNaN(out, 0, p);
  if (p === 1) {
    for (let i = 1; i < n; i++) out[i] = trueRange(h[i]!, l[i]!, c[i - 1]!);
    return;
  }
  if (p >= n) return;
  const k = (p - 1) / p, r = 1 / p;
  let sum = 0;
  for (let i = 1; i <= p; i++) sum += trueRange(h[i]!, l[i]!, c[i - 1]!);
  let a = sum / p;
  out[p] = a;
  for (let i = p + 1; i < n; i++) {
    a = a * k + trueRange(h[i]!, l[i]!, c[i - 1]!) * r;
    out[i] = a;
  }
}

/** Streaming TA-Lib ATR (plain numeric fields; `update` reads a bar's fields directly). */
export class AtrStream {
  // Fields start with values of their final kind and name/outputs exist up front (see
  // EmaIndicatorStream in ma.ts: V8 keeps undefined-initialised fields tagged).
  name = '';
  outputs: readonly string[] = [];
  private prevClose = NaN;
  private bars = 0;
  private sum = 0;
  private a = NaN;
  private readonly k: number = 0.5;
  private readonly r: number = 0.5;
  /** Bars after which the recursion runs (never for p == 1, which is TRANGE: its counter stays at 1; 2^30 keeps lim a small integer). */
  private readonly lim: number = 0;
  readonly values = new Float64Array(1);
  readonly p: number = 0;
  constructor(p: number) {
    this.p = p;
    this.k = (p - 1) / p;
    this.r = 1 / p;
    this.lim = p === 1 ? 2 ** 30 : p;
  }
  push(h: number, l: number, c: number): number {
    const cp = this.prevClose;
    this.prevClose = c;
    const k = this.bars;
    if (k > this.lim) {
      // Steady state (TR inlined: TA-Lib TRANGE's comparison order, NaN in any input gives NaN).
      let g = h - l;
      const v2 = Math.abs(cp - h);
      if (v2 > g) g = v2;
      const v3 = Math.abs(cp - l);
      if (v3 > g) g = v3;
      const tr = v2 !== v2 || v3 !== v3 ? NaN : g;
      return (this.a = this.a * this.k + tr * this.r);
    }
    this.bars = k + 1;
    return this.warm(k, h, l, cp);
  }
  private warm(k: number, h: number, l: number, cp: number): number {
    const p = this.p;
    if (k === 0) return NaN;
    const tr = trueRange(h, l, cp);
    if (p === 1) { this.bars = 1; return tr; } // TRANGE: the counter stays below lim for ever
    if (k < p) { this.sum += tr; return NaN; }
    this.sum += tr;
    this.a = this.sum / p;
    return this.a;
  }
  /**
   * IndicatorStream form (ATR): one value per bar. The object path reads the fields straight
   * into doubles (`+f`: a missing field is NaN, as `num` gives) and runs the steady step inline;
   * a number goes through `push`. Merging `bar` itself with the field reads into one variable
   * (h = l = c = bar) made V8 keep them tagged and cost ~7 ns per update.
   */
  update(bar: StreamBar | number): number {
    if (typeof bar === 'number') return this.updateNumber(bar);
    const h = +bar.high!, l = +bar.low!, c = +bar.close!;
    const cp = this.prevClose;
    this.prevClose = c;
    const k = this.bars;
    let v: number;
    if (k > this.lim) {
      // TRANGE as one Math.max: the same value as TA-Lib's comparison order, NaN included (NaN
      // in h, l or cp makes one of the three NaN; h = l = +-Inf makes h - l NaN, as it does
      // there); only the sign of a zero range can differ, and -0 == 0.
      const tr = Math.max(h - l, Math.abs(cp - h), Math.abs(cp - l));
      v = this.a = this.a * this.k + tr * this.r;
    } else {
      this.bars = k + 1;
      v = this.warm(k, h, l, cp);
    }
    this.values[0] = v;
    return v;
  }
  private updateNumber(x: number): number {
    const v = this.push(x, x, x);
    this.values[0] = v;
    return v;
  }
}

function num(v: number | undefined): number {
  return v === undefined ? NaN : v;
}

/** Streaming TA-Lib NATR: 100 ATR / close (0 where TA_IS_ZERO(close)), NaN before bar p. */
class NatrStream {
  private readonly atr: AtrStream;
  private i = 0;
  readonly values = new Float64Array(1);
  constructor(private readonly lb: number) {
    this.atr = new AtrStream(lb);
  }
  update(bar: StreamBar | number): number {
    let h: number, l: number, c: number;
    if (typeof bar === 'number') h = l = c = bar;
    else { h = num(bar.high); l = num(bar.low); c = num(bar.close); }
    const a = this.atr.push(h, l, c);
    const v = this.i++ < this.lb ? NaN : talibIsZero(c) ? 0 : (a / c) * 100;
    this.values[0] = v;
    return v;
  }
}

/** TA-Lib SMA (INT_SMA's running total). */
function talibSma(x: Float64Array, p: number, out: Float64Array): void {
  const n = x.length;
  fillNaN(out, 0, p - 1);
  if (p - 1 >= n) return;
  let total = 0, i = 0;
  for (; i < p - 1; i++) total += x[i]!;
  let trailing = 0;
  for (; i < n; i++) {
    total += x[i]!;
    const t = total;
    total -= x[trailing++]!;
    out[i] = t / p;
  }
}

/** TA-Lib INT_stddev_using_precalc_ma (BBANDS with an SMA middle). */
function talibStdPrecalcMa(x: Float64Array, ma: Float64Array, p: number, out: Float64Array): void {
  const n = x.length;
  fillNaN(out, 0, p - 1);
  if (p - 1 >= n) return;
  let total2 = 0, start = 0, end = p - 1;
  for (let i = 0; i < end; i++) total2 += x[i]! * x[i]!;
  for (; end < n; start++, end++) {
    total2 += x[end]! * x[end]!;
    let m2 = total2 / p;
    total2 -= x[start]! * x[start]!;
    m2 -= ma[end]! * ma[end]!;
    out[end] = !(m2 < TALIB_EPS) ? Math.sqrt(m2) : 0;
  }
}

/** Streaming TA-Lib SMA + precalc-MA std (BBANDS, maType 0): returns [middle, std] via fields. */
class TalibSmaStdStream {
  private readonly buf: Float64Array;
  private n = 0;
  private total = 0;
  private total2 = 0;
  mid = NaN;
  std = NaN;
  constructor(readonly p: number) {
    this.buf = new Float64Array(p);
  }
  push(v: number): void {
    const p = this.p;
    this.buf[this.n % p] = v;
    this.total += v;
    this.total2 += v * v;
    if (++this.n < p) return;
    const w = this.buf[this.n % p]!; // oldest of the window
    const t = this.total;
    this.total -= w;
    const mid = t / p;
    let m2 = this.total2 / p;
    this.total2 -= w * w;
    m2 -= mid * mid;
    this.mid = mid;
    this.std = !(m2 < TALIB_EPS) ? Math.sqrt(m2) : 0;
  }
}

function bbandsRef(ins: readonly Float64Array[], p: readonly number[], o: Float64Array[]): void {
  const x = ins[0]!, n = x.length;
  const [period, up, dn, type] = p as [number, number, number, number];
  const [upper, mid, lower, pb, bw] = o as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const lb = maLookback(type, period);
  if (type === 0) {
    talibSma(x, period, mid);
    talibStdPrecalcMa(x, mid, period, lower);
  } else {
    maRow(type, x, 0, period, mid);
    talibVarFrom(x, lb - (period - 1), period, lower);
    for (let i = lb; i < n; i++) lower[i] = talibStd(lower[i]!, 1);
  }
  for (const a of o) fillNaN(a, 0, lb);
  for (let i = lb; i < n; i++) {
    const s = lower[i]!, m = mid[i]!;
    const u = m + s * up, l = m - s * dn;
    upper[i] = u;
    lower[i] = l;
    const w = u - l;
    pb[i] = w === 0 ? 0.5 : (x[i]! - l) / w;
    bw[i] = m === 0 ? NaN : w / m;
  }
}

function bbandsStream(p: readonly number[]): IndicatorStream {
  const [period, up, dn, type] = p as [number, number, number, number];
  const values = new Float64Array(5).fill(NaN);
  const lb = maLookback(type, period), varBegin = lb - (period - 1);
  const sma = type === 0 ? new TalibSmaStdStream(period) : null;
  const ma: MaPush | null = type === 0 ? null : maStream(type, period);
  const tv = type === 0 ? null : new TalibVarStream(period);
  let i = 0;
  return {
    values,
    update(bar: StreamBar | number): number {
      const x = barValue(bar, 'x'), k = i++;
      let m: number, s: number;
      if (sma) {
        sma.push(x);
        m = sma.mid;
        s = sma.std;
      } else {
        m = ma!.push(x);
        const v = k >= varBegin ? tv!.push(x) : NaN;
        s = talibStd(v, 1);
      }
      if (k < lb) { values.fill(NaN); return NaN; }
      const u = m + s * up, l = m - s * dn, w = u - l;
      values[0] = u;
      values[1] = m;
      values[2] = l;
      values[3] = w === 0 ? 0.5 : (x - l) / w;
      values[4] = m === 0 ? NaN : w / m;
      return u;
    },
  };
}

// ---- range-based estimators: per-bar terms ----

const gkTerm = (o: number, h: number, l: number, c: number): number => {
  const hl = Math.log(h / l), co = Math.log(c / o);
  return 0.5 * (hl * hl) - (2 * LN2 - 1) * (co * co);
};
const rsTerm = (o: number, h: number, l: number, c: number): number => Math.log(h / c) * Math.log(h / o) + Math.log(l / c) * Math.log(l / o);
const annualise = (ppy: number, v: number): number => Math.sqrt(ppy * (v < 0 ? 0 : v));
export const yangZhangK = (p: number): number => 0.34 / (1.34 + (p + 1) / (p - 1));

function windowMean(t: Float64Array, i: number, p: number): number {
  let s = 0;
  for (let j = i - p + 1; j <= i; j++) s += t[j]!;
  return s / p;
}
/** Sample variance (two-pass) of t[i-p+1..i]. */
function windowVarSample(t: Float64Array, i: number, p: number): number {
  const m = windowMean(t, i, p);
  let s = 0;
  for (let j = i - p + 1; j <= i; j++) s += (t[j]! - m) * (t[j]! - m);
  return s / (p - 1);
}

type Ohlc = [Float64Array, Float64Array, Float64Array, Float64Array];

/** Reference for the mean-of-terms estimators (Parkinson, Garman-Klass, Rogers-Satchell). */
function meanEstimatorRef(term: (o: number, h: number, l: number, c: number) => number, scale: number) {
  return (ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void => {
    const [o, h, l, c] = ins as Ohlc;
    const n = o.length, period = p[0]!, ppy = p[1]!;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = term(o[i]!, h[i]!, l[i]!, c[i]!);
    fillNaN(out[0]!, 0, period - 1);
    for (let i = period - 1; i < n; i++) out[0]![i] = annualise(ppy, windowMean(t, i, period) / scale);
  };
}

function meanEstimatorStream(term: (o: number, h: number, l: number, c: number) => number, scale: number) {
  return (p: readonly number[]): IndicatorStream => {
    const m = new RollMoments(p[0]!), ppy = p[1]!;
    const values = new Float64Array(1);
    return {
      values,
      update(bar: StreamBar | number): number {
        m.push(term(barValue(bar, 'open'), barValue(bar, 'high'), barValue(bar, 'low'), barValue(bar, 'close')));
        const v = m.full ? annualise(ppy, m.mean() / scale) : NaN;
        values[0] = v;
        return v;
      },
    };
  };
}

function closeToCloseRef(ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void {
  const c = ins[3]!, n = c.length, period = p[0]!, ppy = p[1]!;
  const r = new Float64Array(n).fill(NaN);
  for (let i = 1; i < n; i++) r[i] = Math.log(c[i]! / c[i - 1]!);
  fillNaN(out[0]!, 0, period);
  for (let i = period; i < n; i++) out[0]![i] = annualise(ppy, windowVarSample(r, i, period));
}

function yangZhangRef(ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void {
  const [o, h, l, c] = ins as Ohlc;
  const n = o.length, period = p[0]!, ppy = p[1]!, k = yangZhangK(period);
  const on = new Float64Array(n).fill(NaN), oc = new Float64Array(n).fill(NaN), rs = new Float64Array(n).fill(NaN);
  for (let i = 1; i < n; i++) {
    on[i] = Math.log(o[i]! / c[i - 1]!);
    oc[i] = Math.log(c[i]! / o[i]!);
    rs[i] = rsTerm(o[i]!, h[i]!, l[i]!, c[i]!);
  }
  fillNaN(out[0]!, 0, period);
  for (let i = period; i < n; i++) {
    const v = windowVarSample(on, i, period) + k * windowVarSample(oc, i, period) + (1 - k) * windowMean(rs, i, period);
    out[0]![i] = annualise(ppy, v);
  }
}

const ppyParam = realParam('periodsPerYear', 252, 0, 1e9, 'bars per year for annualisation (252 daily, 252*6.5 hourly US equities, 525600 crypto minutes); 1 = per-bar volatility');
const OHLC = ['open', 'high', 'low', 'close'] as const;
const ESTIMATOR_RANGES = { periodsPerYear: [1, 525600] } as const;

export const VOLATILITY_INDICATORS: IndicatorSpec[] = [
  {
    name: 'trange',
    group: 'volatility',
    summary: 'true range',
    inputs: ['high', 'low', 'close'],
    outputs: ['trange'],
    params: [],
    lookback: () => 1,
    reference: (i, _p, o) => {
      const [h, l, c] = i as [Float64Array, Float64Array, Float64Array];
      o[0]![0] = NaN;
      for (let k = 1; k < h.length; k++) o[0]![k] = trueRange(h[k]!, l[k]!, c[k - 1]!);
    },
    stream: () => {
      const values = new Float64Array(1).fill(NaN);
      let prev = NaN, first = true;
      return {
        values,
        update(bar) {
          const v = first ? NaN : trueRange(barValue(bar, 'high'), barValue(bar, 'low'), prev);
          first = false;
          prev = barValue(bar, 'close');
          values[0] = v;
          return v;
        },
      };
    },
    talib: { name: 'TRANGE', params: [], outputs: ['outReal'] },
    formula: 'TR[t] = max(H[t] - L[t], |C[t-1] - H[t]|, |C[t-1] - L[t]|) for t >= 1 (TA-Lib TRANGE: bar 0 has no previous close and is NaN). NaN in any input gives NaN.',
  },
  {
    name: 'atr',
    group: 'volatility',
    summary: 'average true range (Wilder)',
    inputs: ['high', 'low', 'close'],
    outputs: ['atr'],
    params: [periodParam(14, 1)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => atrRow(i[0]!, i[1]!, i[2]!, p[0]!, o[0]!),
    stream: (p) => {
      return new AtrStream(p[0]!);
    },
    talib: { name: 'ATR', params: ['optInTimePeriod'], outputs: ['outReal'] },
    formula:
      "ATR[p] = mean(TR[1..p]); ATR[t] = (ATR[t-1] (p-1) + TR[t]) / p (Wilder). TA-Lib ATR: TR starts at bar 1, first value at bar p; period 1 is TR. " +
      '(Some libraries, e.g. LEAN and bukosabino/ta, count TR[0] = H[0] - L[0] and seed one bar earlier; the recursion converges to the same values.)',
  },
  {
    name: 'natr',
    group: 'volatility',
    summary: 'normalised average true range, percent of close',
    inputs: ['high', 'low', 'close'],
    outputs: ['natr'],
    params: [periodParam(14, 1)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => {
      const c = i[2]!, out = o[0]!;
      atrRow(i[0]!, i[1]!, c, p[0]!, out);
      for (let k = p[0]!; k < c.length; k++) out[k] = talibIsZero(c[k]!) ? 0 : (out[k]! / c[k]!) * 100;
    },
    stream: (p) => {
      return new NatrStream(p[0]!);
    },
    talib: {
      name: 'NATR',
      params: ['optInTimePeriod'],
      outputs: ['outReal'],
      note: 'TA-Lib NATR with period 1 returns the raw TRANGE (not normalised); ours is 100 TR / close. Close within 1e-14 of 0 gives 0 (TA-Lib writes 0 for its first value and leaves later ones unset).',
    },
    testRanges: { period: [2, 50] },
    formula: 'NATR = 100 ATR(p) / close; 0 where |close| < 1e-14. TA-Lib NATR.',
  },
  {
    name: 'bbands',
    group: 'volatility',
    summary: 'Bollinger Bands, with %B and bandwidth',
    inputs: ['x'],
    outputs: ['upper', 'middle', 'lower', 'percentB', 'bandwidth'],
    params: [
      periodParam(20),
      nbDevParam('nbDevUp', 2, 'standard deviations above the middle band'),
      nbDevParam('nbDevDn', 2, 'standard deviations below the middle band'),
      maTypeParam(),
    ],
    lookback: (p) => maLookback(p[3]!, p[0]!),
    reference: bbandsRef,
    stream: bbandsStream,
    // percentB = (x - lower) / (upper - lower): one rounding of the middle band (a non-SMA
    // middle may differ from the reference by an ulp of the PRICE) moves it by
    // ulp(price) / (upper - lower), which is large when the bands pinch. Its error scale is
    // therefore max(|upper|, |lower|) / (upper - lower), not its own magnitude.
    errorScale: (o, k) => {
      if (k !== 3) return undefined;
      const [u, , l] = o as [Float64Array, Float64Array, Float64Array];
      return u.map((ui, i) => {
        const w = ui - l[i]!;
        return w > 0 ? Math.max(Math.abs(ui), Math.abs(l[i]!)) / w : 0;
      });
    },
    talib: {
      name: 'BBANDS',
      params: ['optInTimePeriod', 'optInNbDevUp', 'optInNbDevDn', 'optInMAType'],
      outputs: ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand', null, null],
      note: 'percentB and bandwidth are ours. Default period 20 (TA-Lib 5).',
    },
    testRanges: { nbDevUp: [0.5, 3], nbDevDn: [0.5, 3] },
    formula:
      'middle = MA(x, p, maType); sd = population std-dev of x over p bars; upper = middle + nbDevUp sd; lower = middle - nbDevDn sd (TA-Lib BBANDS: ' +
      'sd from its running sums, mean(x^2) - middle^2 for SMA, its STDDEV otherwise; sd = 0 when the variance is < 1e-14). ' +
      'percentB = (x - lower) / (upper - lower), 0.5 when upper == lower (a flat window); bandwidth = (upper - lower) / middle (a fraction, not percent), NaN when middle == 0.',
  },
  {
    name: 'keltner',
    group: 'volatility',
    summary: 'Keltner channels: EMA of close +- multiplier x ATR',
    inputs: ['high', 'low', 'close'],
    outputs: ['upper', 'middle', 'lower'],
    params: [
      periodParam(20, 2, 'EMA period of the middle line'),
      { name: 'atrPeriod', default: 10, min: 1, max: 1e9, integer: true, maxIsLength: true, description: 'ATR period' },
      realParam('multiplier', 2, 0, 1e9, 'ATR multiple for the bands'),
    ],
    lookback: (p) => Math.max(p[0]! - 1, p[1]!),
    reference: (i, p, o) => {
      const [h, l, c] = i as [Float64Array, Float64Array, Float64Array];
      const [upper, mid, lower] = o as [Float64Array, Float64Array, Float64Array];
      const period = p[0]!, ap = p[1]!, mult = p[2]!, n = c.length;
      const atr = new Float64Array(n);
      emaFrom(c, 0, period, mid);
      atrRow(h, l, c, ap, atr);
      const lb = Math.max(period - 1, ap);
      for (const a of o) fillNaN(a, 0, lb);
      for (let k = lb; k < n; k++) {
        const m = mid[k]!, d = mult * atr[k]!;
        upper[k] = m + d;
        lower[k] = m - d;
      }
    },
    stream: (p) => {
      const period = p[0]!, ap = p[1]!, mult = p[2]!, lb = Math.max(period - 1, ap);
      const ema = new EmaStream(period), atr = new AtrStream(ap);
      const values = new Float64Array(3).fill(NaN);
      let i = 0;
      return {
        values,
        update(bar) {
          const m = ema.push(barValue(bar, 'close'));
          const a = atr.push(barValue(bar, 'high'), barValue(bar, 'low'), barValue(bar, 'close'));
          if (i++ < lb) return NaN;
          const d = mult * a;
          values[0] = m + d;
          values[1] = m;
          values[2] = m - d;
          return values[0];
        },
      };
    },
    formula:
      'middle = EMA(close, period) (k = 2/(p+1), seeded with the SMA of the first p closes, as TA-Lib EMA); ATR = TA-Lib ATR(atrPeriod) (Wilder); ' +
      'upper/lower = middle +- multiplier ATR; first value at max(period - 1, atrPeriod). This is the modern (Raschke) Keltner channel, as in StockCharts and bukosabino/ta ' +
      '(which seeds its EMA with the first close instead); the original 1960 version used a 10-day SMA of the typical price and of high - low.',
  },
  {
    name: 'donchian',
    group: 'volatility',
    summary: 'Donchian channel: highest high, lowest low and their midpoint',
    inputs: ['high', 'low'],
    outputs: ['upper', 'middle', 'lower'],
    params: [periodParam(20, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => {
      windowExtreme(i[0]!, p[0]!, true, o[0]!);
      windowExtreme(i[1]!, p[0]!, false, o[2]!);
      for (let k = 0; k < o[1]!.length; k++) o[1]![k] = (o[0]![k]! + o[2]![k]!) * 0.5;
    },
    stream: (p) => {
      const hi = new ExtremeStream(p[0]!, true), lo = new ExtremeStream(p[0]!, false);
      const values = new Float64Array(3);
      return {
        values,
        update(bar) {
          const u = hi.push(barValue(bar, 'high')), l = lo.push(barValue(bar, 'low'));
          values[0] = u;
          values[1] = (u + l) * 0.5;
          values[2] = l;
          return u;
        },
      };
    },
    formula: 'upper = max(H[t-p+1..t]), lower = min(L[t-p+1..t]) (current bar included), middle = (upper + lower) / 2 (Donchian; as bukosabino/ta with offset 0 and LEAN). Monotonic deques, amortised O(1) per bar.',
  },
  {
    name: 'stddev',
    group: 'volatility',
    summary: 'standard deviation (population) x nbDev, TA-Lib STDDEV',
    inputs: ['x'],
    outputs: ['stddev'],
    params: [periodParam(5), nbDevParam('nbDev', 1, 'multiplier')],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => {
      const out = o[0]!;
      talibVarFrom(i[0]!, 0, p[0]!, out);
      for (let k = p[0]! - 1; k < out.length; k++) out[k] = talibStd(out[k]!, p[1]!);
    },
    stream: (p) => {
      const s = new TalibVarStream(p[0]!), nb = p[1]!;
      const values = new Float64Array(1);
      return { values, update(bar) { const v0 = s.push(barValue(bar, 'x')); const v = v0 !== v0 ? v0 : talibStd(v0, nb); values[0] = v; return v; } };
    },
    talib: { name: 'STDDEV', params: ['optInTimePeriod', 'optInNbDev'], outputs: ['outReal'] },
    formula:
      'nbDev sqrt(mean(x^2) - mean(x)^2) over p bars from running sums, 0 when the variance is < 1e-14: TA-Lib STDDEV operation for operation, ' +
      'including its rounding (on large prices with small moves the running sums lose digits: see the note in statistics.ts).',
  },
  {
    name: 'var',
    group: 'volatility',
    summary: 'variance (population), TA-Lib VAR',
    inputs: ['x'],
    outputs: ['var'],
    params: [periodParam(5, 1), nbDevParam('nbDev', 1, 'ignored, as in TA-Lib VAR (kept for its signature)')],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => talibVarFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => {
      const s = new TalibVarStream(p[0]!);
      const values = new Float64Array(1);
      return { values, update(bar) { const v = s.push(barValue(bar, 'x')); values[0] = v; return v; } };
    },
    talib: { name: 'VAR', params: ['optInTimePeriod', 'optInNbDev'], outputs: ['outReal'] },
    formula:
      'mean(x^2) - mean(x)^2 over p bars (divide by p) from running sums: TA-Lib VAR operation for operation (nbDev is ignored, as TA-Lib ignores it; ' +
      'the result is not clamped, so rounding can make it slightly negative, as in TA-Lib).',
  },
  {
    name: 'volCloseToClose',
    group: 'volatility',
    summary: 'close-to-close historical volatility, annualised',
    inputs: OHLC,
    outputs: ['vol'],
    params: [periodParam(20), ppyParam],
    lookback: (p) => p[0]!,
    reference: closeToCloseRef,
    stream: (p) => {
      const m = new RollMoments(p[0]!), ppy = p[1]!;
      const values = new Float64Array(1);
      let prev = NaN, first = true;
      return {
        values,
        update(bar) {
          const c = barValue(bar, 'close');
          let v = NaN;
          if (!first) {
            m.push(Math.log(c / prev));
            if (m.full) v = annualise(ppy, m.varSample());
          }
          first = false;
          prev = c;
          values[0] = v;
          return v;
        },
      };
    },
    testRanges: ESTIMATOR_RANGES,
    formula:
      'r[t] = ln(C[t] / C[t-1]); vol = sqrt(periodsPerYear * s^2), s^2 the sample variance (divide by p - 1) of the last p returns (first value at bar p). ' +
      'As TTR volatility(calc = "close").',
  },
  {
    name: 'volParkinson',
    group: 'volatility',
    summary: 'Parkinson high-low range volatility, annualised',
    inputs: OHLC,
    outputs: ['vol'],
    params: [periodParam(20, 1), ppyParam],
    lookback: (p) => p[0]! - 1,
    reference: meanEstimatorRef((_o, h, l) => { const x = Math.log(h / l); return x * x; }, 4 * LN2),
    stream: meanEstimatorStream((_o, h, l) => { const x = Math.log(h / l); return x * x; }, 4 * LN2),
    testRanges: ESTIMATOR_RANGES,
    formula: 'sigma^2 = mean(ln(H/L)^2) / (4 ln 2) over p bars; vol = sqrt(periodsPerYear sigma^2). Parkinson (1980), J. Business 53(1):61-65.',
  },
  {
    name: 'volGarmanKlass',
    group: 'volatility',
    summary: 'Garman-Klass OHLC volatility, annualised',
    inputs: OHLC,
    outputs: ['vol'],
    params: [periodParam(20, 1), ppyParam],
    lookback: (p) => p[0]! - 1,
    reference: meanEstimatorRef(gkTerm, 1),
    stream: meanEstimatorStream(gkTerm, 1),
    testRanges: ESTIMATOR_RANGES,
    formula:
      'sigma^2 = mean(0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2) over p bars; vol = sqrt(periodsPerYear sigma^2) (a negative mean, only possible with O or C outside [L, H], gives 0). ' +
      'Garman & Klass (1980), J. Business 53(1):67-78, the practical estimator; as TTR volatility(calc = "garman.klass").',
  },
  {
    name: 'volRogersSatchell',
    group: 'volatility',
    summary: 'Rogers-Satchell drift-independent volatility, annualised',
    inputs: OHLC,
    outputs: ['vol'],
    params: [periodParam(20, 1), ppyParam],
    lookback: (p) => p[0]! - 1,
    reference: meanEstimatorRef(rsTerm, 1),
    stream: meanEstimatorStream(rsTerm, 1),
    testRanges: ESTIMATOR_RANGES,
    formula:
      'sigma^2 = mean(ln(H/C) ln(H/O) + ln(L/C) ln(L/O)) over p bars; vol = sqrt(periodsPerYear sigma^2) (negative gives 0). ' +
      'Rogers & Satchell (1991), Ann. Appl. Probab. 1(4):504-512; as TTR volatility(calc = "rogers.satchell").',
  },
  {
    name: 'volYangZhang',
    group: 'volatility',
    summary: 'Yang-Zhang volatility (overnight + open-to-close + Rogers-Satchell), annualised',
    inputs: OHLC,
    outputs: ['vol'],
    params: [periodParam(20), ppyParam],
    lookback: (p) => p[0]!,
    reference: yangZhangRef,
    stream: (p) => {
      const period = p[0]!, ppy = p[1]!, k = yangZhangK(period);
      const mo = new RollMoments(period), mc = new RollMoments(period), mrs = new RollMoments(period);
      const values = new Float64Array(1);
      let prev = NaN, first = true;
      return {
        values,
        update(bar) {
          const o = barValue(bar, 'open'), h = barValue(bar, 'high'), l = barValue(bar, 'low'), c = barValue(bar, 'close');
          let v = NaN;
          if (!first) {
            mo.push(Math.log(o / prev));
            mc.push(Math.log(c / o));
            mrs.push(rsTerm(o, h, l, c));
            if (mo.full) v = annualise(ppy, mo.varSample() + k * mc.varSample() + (1 - k) * mrs.mean());
          }
          first = false;
          prev = c;
          values[0] = v;
          return v;
        },
      };
    },
    testRanges: ESTIMATOR_RANGES,
    formula:
      'sigma^2 = s_o^2 + k s_c^2 + (1 - k) s_rs^2 over p bars: s_o^2 the sample variance of overnight returns ln(O[t]/C[t-1]), s_c^2 of open-to-close ln(C/O), ' +
      's_rs^2 the Rogers-Satchell mean, k = 0.34 / (1.34 + (p+1)/(p-1)); vol = sqrt(periodsPerYear sigma^2). Yang & Zhang (2000), J. Business 73(3):477-491; as TTR volatility(calc = "yang.zhang").',
  },
];
