/**
 * Volume indicators: OBV, A/D, ADOSC, CMF, volume SMA, VROC, force index, ease of movement.
 * TypeScript reference (the obvious per-bar / per-window math) and streaming forms; the kernels
 * are in native/ta/kernels/volume.h (same definitions, same NaN policy, documented there).
 *
 * Streaming forms mirror the kernels' floating-point operation order (running sums with the
 * same fresh re-summation schedule), so stream == batch to the last bit on finite data.
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type ParamSpec, type StreamBar } from '../spec.js';
import { fillNaN, periodParam, smaFrom, SmaStream } from './ma.js';

const isFinite = (v: number): boolean => v - v === 0;

/**
 * Money-flow volume of one bar, TA-Lib AD's expression and order:
 * (((C - L) - (H - C)) / (H - L)) * V when H - L > 0; 0 when H - L <= 0; NaN when H - L is NaN.
 */
export function moneyFlowVolume(h: number, l: number, c: number, v: number): number {
  const range = h - l;
  if (range > 0) return (((c - l) - (h - c)) / range) * v;
  return range === range ? 0 : NaN;
}

/** A window sum with non-finite terms counted apart, TwoSum-compensated (native/ta/kernels/volume.h WinSum). */
export class WinSum {
  sum = 0;
  comp = 0;
  bad = 0;
  /** Knuth's TwoSum: the add's rounding error goes exactly into comp. */
  add(x: number): void {
    const s = this.sum, t = s + x, bp = t - s;
    this.comp += (s - (t - bp)) + (x - bp);
    this.sum = t;
  }
  step(xn: number, drop: boolean, xo: number): void {
    if (isFinite(xn)) this.add(xn); else this.bad++;
    if (drop) {
      if (isFinite(xo)) this.add(-xo); else this.bad--;
    }
  }
  value(): number {
    return this.sum + this.comp;
  }
  /** Fresh compensated sum of the finite values of ring[(from..to) % len], oldest first. */
  resum(ring: Float64Array, from: number, to: number): void {
    const len = ring.length;
    this.sum = 0;
    this.comp = 0;
    for (let j = from; j <= to; j++) {
      const x = ring[j % len]!;
      if (isFinite(x)) this.add(x);
    }
  }
}

/** Ease of movement of one bar (see volume.h): dist / ((V / scale) / (H - L)); dist * 0 when H == L or V == 0. */
export function easeOfMovement(h: number, l: number, hp: number, lp: number, v: number, scale: number): number {
  const dist = (h + l) / 2 - (hp + lp) / 2;
  const range = h - l;
  if (range === 0 || v === 0) return dist * 0;
  return dist / (v / scale / range);
}

function outStream(nOut: number, push: (bar: StreamBar | number, values: Float64Array) => void): IndicatorStream {
  const values = new Float64Array(nOut).fill(NaN);
  return {
    values,
    update(bar: StreamBar | number): number {
      push(bar, values);
      return values[0]!;
    },
  };
}

const num = (bar: StreamBar | number, name: 'open' | 'high' | 'low' | 'close' | 'volume' | 'x'): number => barValue(bar, name);

function intParam(name: string, def: number, min: number, description: string): ParamSpec {
  return { name, default: def, min, max: 1e9, integer: true, maxIsLength: true, description };
}

// ---- references ----

function obvRef(x: Float64Array, v: Float64Array, o: Float64Array): void {
  const n = x.length;
  if (n === 0) return;
  let obv = v[0]!;
  o[0] = obv;
  for (let i = 1; i < n; i++) {
    const c = x[i]!, prev = x[i - 1]!;
    obv += c > prev ? v[i]! : c < prev ? -v[i]! : 0;
    if (c !== c || prev !== prev) obv = NaN;
    o[i] = obv;
  }
}

function adRef(h: Float64Array, l: Float64Array, c: Float64Array, v: Float64Array, o: Float64Array): void {
  let ad = 0;
  for (let i = 0; i < h.length; i++) {
    ad += moneyFlowVolume(h[i]!, l[i]!, c[i]!, v[i]!);
    o[i] = ad;
  }
}

function adoscRef(ins: readonly Float64Array[], p: readonly number[], o: Float64Array): void {
  const [h, l, c, v] = ins as [Float64Array, Float64Array, Float64Array, Float64Array];
  const n = h.length, lb = Math.max(p[0]!, p[1]!) - 1;
  const ad = new Float64Array(n);
  adRef(h, l, c, v, ad);
  const fk = 2 / (p[0]! + 1), sk = 2 / (p[1]! + 1);
  fillNaN(o, 0, lb);
  if (n === 0) return;
  let fe = ad[0]!, se = ad[0]!;
  if (lb === 0) o[0] = fe - se;
  for (let i = 1; i < n; i++) {
    fe = fk * ad[i]! + (1 - fk) * fe;
    se = sk * ad[i]! + (1 - sk) * se;
    if (i >= lb) o[i] = fe - se;
  }
}

function cmfRef(ins: readonly Float64Array[], p: number, o: Float64Array): void {
  const [h, l, c, v] = ins as [Float64Array, Float64Array, Float64Array, Float64Array];
  const n = h.length;
  fillNaN(o, 0, p - 1);
  for (let t = p - 1; t < n; t++) {
    let sm = 0, sv = 0, bad = false;
    for (let j = t - p + 1; j <= t; j++) {
      const m = moneyFlowVolume(h[j]!, l[j]!, c[j]!, v[j]!);
      if (!isFinite(m) || !isFinite(v[j]!)) bad = true;
      sm += m;
      sv += v[j]!;
    }
    o[t] = bad ? NaN : sv !== 0 ? sm / sv : 0;
  }
}

function vrocRef(v: Float64Array, p: number, o: Float64Array): void {
  fillNaN(o, 0, p);
  for (let i = p; i < v.length; i++) {
    const b = v[i - p]!;
    o[i] = b !== 0 ? (v[i]! / b - 1) * 100 : 0;
  }
}

function forceRef(c: Float64Array, v: Float64Array, p: number, o: Float64Array): void {
  const n = c.length;
  const raw = new Float64Array(n);
  for (let i = 1; i < n; i++) raw[i] = (c[i]! - c[i - 1]!) * v[i]!;
  fillNaN(o, 0, p);
  if (p === 1) {
    for (let i = 1; i < n; i++) o[i] = raw[i]!;
    return;
  }
  // EMA over raw[1..n), seeded with the SMA of raw[1..p] (TA-Lib EMA seeding).
  const first = p;
  if (first >= n) return;
  let s = 0;
  for (let i = 1; i <= first; i++) s += raw[i]!;
  let e = s / p;
  o[first] = e;
  const k = 2 / (p + 1);
  for (let i = first + 1; i < n; i++) { e = (raw[i]! - e) * k + e; o[i] = e; }
}

function eomRef(ins: readonly Float64Array[], p: readonly number[], eom: Float64Array, emv: Float64Array): void {
  const [h, l, v] = ins as [Float64Array, Float64Array, Float64Array];
  const n = h.length, period = p[0]!, scale = p[1]!;
  const raw = new Float64Array(n).fill(NaN);
  for (let i = 1; i < n; i++) raw[i] = easeOfMovement(h[i]!, l[i]!, h[i - 1]!, l[i - 1]!, v[i]!, scale);
  fillNaN(eom, 0, period);
  fillNaN(emv, 0, period);
  for (let i = period; i < n; i++) {
    let s = 0, bad = false;
    for (let j = i - period + 1; j <= i; j++) {
      if (!isFinite(raw[j]!)) bad = true;
      s += raw[j]!;
    }
    eom[i] = bad ? NaN : s / period;
    emv[i] = raw[i]!;
  }
}

// ---- streams ----

function obvStream(): IndicatorStream {
  let n = 0, obv = 0, prev = 0;
  return outStream(1, (bar, out) => {
    const c = num(bar, 'x'), v = num(bar, 'volume');
    if (n++ === 0) obv = v;
    else {
      obv += c > prev ? v : c < prev ? -v : 0;
      if (c !== c || prev !== prev) obv = NaN;
    }
    prev = c;
    out[0] = obv;
  });
}

function adStream(): IndicatorStream {
  let ad = 0;
  return outStream(1, (bar, out) => {
    ad += moneyFlowVolume(num(bar, 'high'), num(bar, 'low'), num(bar, 'close'), num(bar, 'volume'));
    out[0] = ad;
  });
}

function adoscStream(p: readonly number[]): IndicatorStream {
  const lb = Math.max(p[0]!, p[1]!) - 1;
  const fk = 2 / (p[0]! + 1), omf = 1 - fk, sk = 2 / (p[1]! + 1), oms = 1 - sk;
  let i = 0, ad = 0, fe = 0, se = 0;
  return outStream(1, (bar, out) => {
    ad += moneyFlowVolume(num(bar, 'high'), num(bar, 'low'), num(bar, 'close'), num(bar, 'volume'));
    if (i === 0) { fe = ad; se = ad; } else { fe = fk * ad + omf * fe; se = sk * ad + oms * se; }
    out[0] = i >= lb ? fe - se : NaN;
    i++;
  });
}

function cmfStream(p: number): IndicatorStream {
  const rm = new Float64Array(p), rv = new Float64Array(p);
  const sm = new WinSum(), sv = new WinSum();
  let i = 0;
  return outStream(1, (bar, out) => {
    const v = num(bar, 'volume');
    const m = moneyFlowVolume(num(bar, 'high'), num(bar, 'low'), num(bar, 'close'), v);
    const k = i % p, drop = i >= p;
    sm.step(m, drop, rm[k]!);
    sv.step(v, drop, rv[k]!);
    rm[k] = m;
    rv[k] = v;
    if ((i + 1) % p === 0) { sm.resum(rm, i - p + 1, i); sv.resum(rv, i - p + 1, i); }
    out[0] = i < p - 1 || sm.bad > 0 || sv.bad > 0 ? NaN : sv.value() !== 0 ? sm.value() / sv.value() : 0;
    i++;
  });
}

function vrocStream(p: number): IndicatorStream {
  const ring = new Float64Array(p);
  let i = 0;
  return outStream(1, (bar, out) => {
    const v = num(bar, 'volume'), k = i % p;
    if (i >= p) {
      const b = ring[k]!;
      out[0] = b !== 0 ? (v / b - 1) * 100 : 0;
    } else out[0] = NaN;
    ring[k] = v;
    i++;
  });
}

function forceStream(p: number): IndicatorStream {
  const k = 2 / (p + 1);
  let i = 0, prev = 0, s = 0, e = 0;
  return outStream(1, (bar, out) => {
    const c = num(bar, 'close'), v = num(bar, 'volume');
    if (i === 0) out[0] = NaN;
    else {
      const raw = (c - prev) * v;
      if (p === 1) out[0] = raw;
      else if (i < p) { s += raw; out[0] = NaN; }
      else if (i === p) { s += raw; e = s / p; out[0] = e; }
      else { e = (raw - e) * k + e; out[0] = e; }
    }
    prev = c;
    i++;
  });
}

function eomStream(p: readonly number[]): IndicatorStream {
  const period = p[0]!, scale = p[1]!;
  const ring = new Float64Array(period);
  const sum = new WinSum();
  let i = 0, hp = 0, lp = 0;
  return outStream(2, (bar, out) => {
    const h = num(bar, 'high'), l = num(bar, 'low'), v = num(bar, 'volume');
    if (i > 0) {
      const emv = easeOfMovement(h, l, hp, lp, v, scale);
      const k = i - 1, slot = k % period, drop = k >= period;
      sum.step(emv, drop, ring[slot]!);
      ring[slot] = emv;
      if ((k + 1) % period === 0) sum.resum(ring, k - period + 1, k);
      out[0] = i >= period ? (sum.bad > 0 ? NaN : sum.value() / period) : NaN;
      out[1] = i >= period ? emv : NaN;
    }
    hp = h;
    lp = l;
    i++;
  });
}

const HLCV = ['high', 'low', 'close', 'volume'] as const;

export const VOLUME_INDICATORS: IndicatorSpec[] = [
  {
    name: 'obv',
    group: 'volume',
    summary: 'On-Balance Volume (TA-Lib OBV: starts at the first bar\'s volume)',
    inputs: ['x', 'volume'],
    outputs: ['obv'],
    params: [],
    lookback: () => 0,
    reference: (i, _p, o) => obvRef(i[0]!, i[1]!, o[0]!),
    stream: () => obvStream(),
    talib: { name: 'OBV', params: [], outputs: ['outReal'], note: 'a NaN close makes our line NaN from then on; TA-Lib holds it flat' },
    formula:
      'obv[0] = V[0]; obv[t] = obv[t-1] + V[t] if x[t] > x[t-1], - V[t] if x[t] < x[t-1], unchanged if equal; TA-Lib OBV (Granville). ' +
      'A NaN close makes the line NaN from then on (TA-Lib would hold it flat).',
  },
  {
    name: 'ad',
    group: 'volume',
    summary: 'Chaikin Accumulation/Distribution line',
    inputs: HLCV,
    outputs: ['ad'],
    params: [],
    lookback: () => 0,
    reference: (i, _p, o) => adRef(i[0]!, i[1]!, i[2]!, i[3]!, o[0]!),
    stream: () => adStream(),
    talib: { name: 'AD', params: [], outputs: ['outReal'], note: 'a NaN high/low makes our line NaN from then on; TA-Lib skips the bar' },
    formula:
      'ad[t] = ad[t-1] + MFV[t], MFV = (((C - L) - (H - C)) / (H - L)) * V, 0 when H - L <= 0; cumulative from bar 0; TA-Lib AD. ' +
      'A NaN high/low makes the line NaN (TA-Lib skips the bar).',
  },
  {
    name: 'adosc',
    group: 'volume',
    summary: 'Chaikin A/D oscillator: EMA(fast) - EMA(slow) of the A/D line',
    inputs: HLCV,
    outputs: ['adosc'],
    params: [intParam('fastPeriod', 3, 2, 'fast EMA period'), intParam('slowPeriod', 10, 2, 'slow EMA period')],
    lookback: (p) => Math.max(p[0]!, p[1]!) - 1,
    reference: (i, p, o) => adoscRef(i, p, o[0]!),
    stream: (p) => adoscStream(p),
    talib: { name: 'ADOSC', params: ['optInFastPeriod', 'optInSlowPeriod'], outputs: ['outReal'], note: 'NaN high/low: as AD' },
    formula:
      'EMA_fast(AD) - EMA_slow(AD), k = 2/(p+1), ema = k AD + (1 - k) ema, both EMAs seeded with AD[0] (not an SMA) and run from bar 1; ' +
      'first output at max(fast, slow) - 1; TA-Lib ADOSC (Chaikin).',
  },
  {
    name: 'cmf',
    group: 'volume',
    summary: 'Chaikin Money Flow: sum of money-flow volume over sum of volume',
    inputs: HLCV,
    outputs: ['cmf'],
    params: [periodParam(20, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => cmfRef(i, p[0]!, o[0]!),
    stream: (p) => cmfStream(p[0]!),
    formula:
      'sum(MFV[t-p+1..t]) / sum(V[t-p+1..t]), MFV = ((C - L) - (H - C)) / (H - L) * V (0 when H - L <= 0); 0 when the window volume is 0; ' +
      'StockCharts / Chaikin (not in TA-Lib).',
  },
  {
    name: 'volumeSma',
    group: 'volume',
    summary: 'simple moving average of volume',
    inputs: ['volume'],
    outputs: ['volumeSma'],
    params: [periodParam(20, 1)],
    lookback: (p) => p[0]! - 1,
    reference: (i, p, o) => smaFrom(i[0]!, 0, p[0]!, o[0]!),
    stream: (p) => {
      const s = new SmaStream(p[0]!);
      return outStream(1, (bar, out) => { out[0] = s.push(num(bar, 'volume')); });
    },
    // TA-Lib SMA over the volume series (checked in tests/ta.volume.test.ts; the generic TA-Lib
    // suite feeds TA-Lib's real input from x/y only).
    formula: 'mean(V[t-p+1..t]); TA-Lib SMA applied to volume',
  },
  {
    name: 'vroc',
    group: 'volume',
    summary: 'volume rate of change, percent',
    inputs: ['volume'],
    outputs: ['vroc'],
    params: [periodParam(14, 1)],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => vrocRef(i[0]!, p[0]!, o[0]!),
    stream: (p) => vrocStream(p[0]!),
    formula:
      '((V[t] / V[t-p]) - 1) * 100 = 100 (V[t] - V[t-p]) / V[t-p]; 0 when V[t-p] == 0 (TA-Lib ROC\'s rule and expression, applied to volume)',
  },
  {
    name: 'forceIndex',
    group: 'volume',
    summary: 'Elder force index: EMA of (close change x volume)',
    inputs: ['close', 'volume'],
    outputs: ['forceIndex'],
    params: [periodParam(13, 1, 'EMA period (1: the raw one-bar force index)')],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => forceRef(i[0]!, i[1]!, p[0]!, o[0]!),
    stream: (p) => forceStream(p[0]!),
    formula:
      'raw[t] = (C[t] - C[t-1]) V[t]; fi = EMA_p(raw), k = 2/(p+1), seeded with the SMA of raw[1..p] at t = p (TA-Lib EMA seeding); ' +
      'Elder, "Trading for a Living". Sources that seed with raw[1] (pandas ewm(adjust=False), StockCharts) converge to it.',
  },
  {
    name: 'eom',
    group: 'volume',
    summary: 'Ease of Movement (Arms): SMA of distance moved over box ratio',
    inputs: ['high', 'low', 'volume'],
    outputs: ['eom', 'emv'],
    params: [
      periodParam(14, 1, 'SMA period'),
      { name: 'scale', default: 1e8, min: 1e-12, max: 1e18, integer: false, description: 'volume divisor in the box ratio (StockCharts 1e8; Tulip 1e4)' },
    ],
    lookback: (p) => p[0]!,
    reference: (i, p, o) => eomRef(i, p, o[0]!, o[1]!),
    stream: (p) => eomStream(p),
    testRanges: { scale: [1e3, 1e9] },
    formula:
      'emv[t] = dist / box, dist = (H[t] + L[t])/2 - (H[t-1] + L[t-1])/2, box = (V[t] / scale) / (H[t] - L[t]); emv = 0 when H == L or V == 0; ' +
      'eom = SMA_p(emv) (NaN while a non-finite emv is in the window); both outputs from t = p. Arms; StockCharts (scale 1e8).',
  },
];
