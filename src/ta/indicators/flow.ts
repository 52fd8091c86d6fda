/**
 * Flow indicators: Neurion's institutional-flow signals (IFI, institutional OBV, Smart Money
 * Index). TypeScript reference (obvious per-window math: sort each window) and streaming forms;
 * kernels in native/ta/kernels/flow.h; full write-up in README.md, "Institutional-flow signals". All causal.
 *
 * Large-bar rule (shared): window W_t = bars t-p+1..t (the current bar included); Q_t = the
 * `quantile` quantile of the window's volumes by numpy's default estimator (type 7, 'linear',
 * including numpy's two-sided lerp); a bar is large when V > Q_t (strictly). Signed volume
 * s = +V if close > open, -V if close < open, 0 if equal.
 *
 *   ifi[t]     = sum(s_j : j in W_t, V_j > Q_t) / sum(V_j : j in W_t), 0 for a window without volume,
 *                clamped to [-1, 1]; score = 50 (ifi + 1)
 *   instObv[t] = sum_{j = p-1..t} (V_j > Q_j ? s_j : 0)   (each bar judged once, on arrival)
 *   smi        = 0.4 S_ifi + 0.2 S_ad + 0.2 S_iobv + 0.2 S_vol, S = 50 (1 + z), z in [-1, 1]:
 *                z_ad   = sum(MFV) / sum(V) over the last T bars  (= A/D T-bar slope / volume traded)
 *                z_iobv = sum(large signed volume) / sum(V) over the last T bars (= instObv slope / volume)
 *                z_vol  = sign(C[t] - C[t-T]) (V[t]^2 - V[t-T]^2) / (V[t]^2 + V[t-T]^2)
 *                       = sign(price move) tanh(ln(V[t] / V[t-T]))  (VROC over T, bounded and signed)
 *
 * Streaming cost (stated honestly): per bar two O(log p) binary searches plus O(p) in-place shifts
 * (copyWithin) of the sorted window, so O(p) worst case (a tiny memmove for practical p); O((1 - q) p + 1)
 * for the large-bar sum; amortised O(1) for the running sums; O(p + T) memory. The kernel inserts by
 * an insertion-sort step instead of a binary search: same slot, same array, same values.
 */
import { barValue, type IndicatorSpec, type IndicatorStream, type ParamSpec, type StreamBar } from '../spec.js';
import { fillNaN, periodParam } from './ma.js';
import { moneyFlowVolume, WinSum } from './volume.js';

const isFinite = (v: number): boolean => v - v === 0;

export function flowSigned(o: number, c: number, v: number): number {
  return c > o ? v : c < o ? -v : 0;
}
function flowBad(o: number, c: number, v: number): boolean {
  return !isFinite(v) || o !== o || c !== c;
}
function clamp1(z: number): number {
  return z > 1 ? 1 : z < -1 ? -1 : z;
}

/** numpy.quantile(sorted, q, method='linear') of an ascending array (numpy's two-sided lerp). */
export function quantileType7(sorted: ArrayLike<number>, count: number, q: number): number {
  const h = (count - 1) * q;
  let j = Math.trunc(h);
  if (j < 0) j = 0;
  if (j > count - 1) j = count - 1;
  const j1 = j + 1 < count ? j + 1 : count - 1;
  const g = h - j;
  const a = sorted[j]!, b = sorted[j1]!, d = b - a;
  return g >= 0.5 ? b - d * (1 - g) : a + d * g;
}

/** Volume sign of a volume-confirmation move (see smi): sign(dc) (a^2 - b^2)/(a^2 + b^2). */
export function volumeConfirmation(c: number, cp: number, v: number, vp: number): number {
  const dc = c - cp;
  const d = dc > 0 ? 1 : dc < 0 ? -1 : dc === 0 ? 0 : NaN;
  const a = v * v, b = vp * vp, den = a + b;
  const z = den !== 0 ? (a - b) / den : 0;
  return d * z;
}

// ---- reference (obvious: sort every window) ----

interface LargeInfo {
  /** Q of each window ending at t (NaN where the window holds a bad bar or t < p-1). */
  thr: Float64Array;
}

function largeInfo(o: Float64Array, c: Float64Array, v: Float64Array, p: number, q: number): LargeInfo {
  const n = v.length, thr = new Float64Array(n).fill(NaN), win = new Float64Array(p);
  for (let t = p - 1; t < n; t++) {
    let bad = false;
    for (let j = t - p + 1; j <= t; j++) {
      if (flowBad(o[j]!, c[j]!, v[j]!)) bad = true;
      win[j - (t - p + 1)] = v[j]!;
    }
    if (bad) continue;
    win.sort();
    thr[t] = quantileType7(win, p, q);
  }
  return { thr };
}

function ifiSeries(o: Float64Array, c: Float64Array, v: Float64Array, p: number, q: number, thr: Float64Array): Float64Array {
  const n = v.length, out = new Float64Array(n).fill(NaN);
  for (let t = p - 1; t < n; t++) {
    const Q = thr[t]!;
    if (Number.isNaN(Q)) continue;
    let num = 0, tot = 0;
    for (let j = t - p + 1; j <= t; j++) {
      if (v[j]! > Q) num += flowSigned(o[j]!, c[j]!, v[j]!);
      tot += v[j]!;
    }
    out[t] = tot !== 0 ? clamp1(num / tot) : 0;
  }
  return out;
}

/** Signed volume of each bar if it is large against its own trailing window (0 before bar p-1, NaN in a bad window). */
function largeCurrent(o: Float64Array, c: Float64Array, v: Float64Array, p: number, thr: Float64Array): Float64Array {
  const n = v.length, s = new Float64Array(n);
  for (let t = p - 1; t < n; t++) {
    const Q = thr[t]!;
    s[t] = Number.isNaN(Q) ? NaN : v[t]! > Q ? flowSigned(o[t]!, c[t]!, v[t]!) : 0;
  }
  return s;
}

function ifiRef(ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void {
  const [o, c, v] = ins as [Float64Array, Float64Array, Float64Array];
  const { thr } = largeInfo(o, c, v, p[0]!, p[1]!);
  const f = ifiSeries(o, c, v, p[0]!, p[1]!, thr);
  for (let t = 0; t < v.length; t++) {
    out[0]![t] = f[t]!;
    out[1]![t] = 50 * (f[t]! + 1);
  }
}

function instObvRef(ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void {
  const [o, c, v] = ins as [Float64Array, Float64Array, Float64Array];
  const period = p[0]!;
  const { thr } = largeInfo(o, c, v, period, p[1]!);
  const s = largeCurrent(o, c, v, period, thr);
  fillNaN(out[0]!, 0, period - 1);
  let acc = 0;
  for (let t = period - 1; t < v.length; t++) {
    acc += s[t]!;
    out[0]![t] = acc;
  }
}

function smiRef(ins: readonly Float64Array[], p: readonly number[], out: Float64Array[]): void {
  const [o, h, l, c, v] = ins as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const period = p[0]!, q = p[1]!, T = p[2]!, n = v.length, lb = period + T - 2;
  const { thr } = largeInfo(o, c, v, period, q);
  const f = ifiSeries(o, c, v, period, q, thr);
  const s = largeCurrent(o, c, v, period, thr);
  for (const x of out) fillNaN(x, 0, lb);
  for (let t = lb; t < n; t++) {
    let sm = 0, sl = 0, sv = 0, badM = false, badS = false, badV = false;
    for (let j = t - T + 1; j <= t; j++) {
      const m = moneyFlowVolume(h[j]!, l[j]!, c[j]!, v[j]!);
      if (!isFinite(m)) badM = true;
      if (!isFinite(s[j]!)) badS = true;
      if (!isFinite(v[j]!)) badV = true;
      sm += m;
      sl += s[j]!;
      sv += v[j]!;
    }
    const zAd = badM || badV ? NaN : sv !== 0 ? clamp1(sm / sv) : 0;
    const zIobv = badS || badV ? NaN : sv !== 0 ? clamp1(sl / sv) : 0;
    const zVol = volumeConfirmation(c[t]!, c[t - T]!, v[t]!, v[t - T]!);
    const sIfi = 50 * (f[t]! + 1), sAd = 50 * (zAd + 1), sIobv = 50 * (zIobv + 1), sVol = 50 * (zVol + 1);
    out[0]![t] = 0.4 * sIfi + 0.2 * sAd + 0.2 * sIobv + 0.2 * sVol;
    out[1]![t] = sIfi;
    out[2]![t] = sAd;
    out[3]![t] = sIobv;
    out[4]![t] = sVol;
  }
}

// ---- streaming: the kernel's algorithm (sorted window), step for step ----

/** The sorted window of (volume, signed volume) pairs (flow.h FlowWindow). */
class FlowWindow {
  readonly key: Float64Array;
  readonly sgn: Float64Array;
  cnt = 0;
  constructor(p: number) {
    this.key = new Float64Array(p);
    this.sgn = new Float64Array(p);
  }
  private upper(v: number): number {
    let lo = 0, hi = this.cnt;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.key[mid]! <= v) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  private lower(v: number): number {
    let lo = 0, hi = this.cnt;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.key[mid]! < v) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  insert(v: number, s: number): void {
    const pos = this.upper(v);
    this.key.copyWithin(pos + 1, pos, this.cnt);
    this.sgn.copyWithin(pos + 1, pos, this.cnt);
    this.key[pos] = v;
    this.sgn[pos] = s;
    this.cnt++;
  }
  erase(v: number, s: number): void {
    let pos = this.lower(v);
    while (pos < this.cnt && this.key[pos] === v && !(this.sgn[pos] === s)) pos++;
    if (pos >= this.cnt || !(this.key[pos] === v)) return;
    this.key.copyWithin(pos, pos + 1, this.cnt);
    this.sgn.copyWithin(pos, pos + 1, this.cnt);
    this.cnt--;
  }
  sumAbove(thr: number): number {
    let s = 0;
    for (let k = this.cnt - 1; k >= 0 && this.key[k]! > thr; k--) s += this.sgn[k]!;
    return s;
  }
}

/** The large-bar machine (flow.h FlowState), fed one bar at a time. */
class FlowState {
  private readonly w: FlowWindow;
  private readonly ro: Float64Array;
  private readonly rc: Float64Array;
  private readonly rv: Float64Array;
  private readonly total = new WinSum();
  private bad = 0;
  private i = 0;
  thr = NaN;
  constructor(readonly p: number, readonly q: number) {
    this.w = new FlowWindow(p);
    this.ro = new Float64Array(p);
    this.rc = new Float64Array(p);
    this.rv = new Float64Array(p);
  }
  /** Index of the bar just pushed. */
  get index(): number {
    return this.i - 1;
  }
  push(o: number, c: number, v: number): void {
    const p = this.p, i = this.i, k = i % p, drop = i >= p;
    const vo = this.rv[k]!;
    if (drop) {
      const oo = this.ro[k]!, co = this.rc[k]!;
      if (flowBad(oo, co, vo)) this.bad--;
      else this.w.erase(vo, flowSigned(oo, co, vo));
    }
    if (flowBad(o, c, v)) this.bad++;
    else this.w.insert(v, flowSigned(o, c, v));
    this.total.step(v, drop, vo);
    this.ro[k] = o;
    this.rc[k] = c;
    this.rv[k] = v;
    if ((i + 1) % p === 0) this.total.resum(this.rv, i - p + 1, i);
    this.thr = this.bad === 0 && this.w.cnt > 0 ? quantileType7(this.w.key, this.w.cnt, this.q) : NaN;
    this.i++;
  }
  ifi(): number {
    if (this.bad > 0) return NaN;
    const tot = this.total.value();
    if (tot === 0) return 0;
    return clamp1(this.w.sumAbove(this.thr) / tot);
  }
  current(o: number, c: number, v: number): number {
    if (this.bad > 0) return NaN;
    return v > this.thr ? flowSigned(o, c, v) : 0;
  }
}

const bv = (bar: StreamBar | number, name: 'open' | 'high' | 'low' | 'close' | 'volume'): number => barValue(bar, name);

function ifiStream(p: readonly number[]): IndicatorStream {
  const s = new FlowState(p[0]!, p[1]!);
  const values = new Float64Array(2).fill(NaN);
  return {
    values,
    update(bar) {
      s.push(bv(bar, 'open'), bv(bar, 'close'), bv(bar, 'volume'));
      if (s.index >= s.p - 1) {
        const f = s.ifi();
        values[0] = f;
        values[1] = 50 * (f + 1);
      }
      return values[0]!;
    },
  };
}

function instObvStream(p: readonly number[]): IndicatorStream {
  const s = new FlowState(p[0]!, p[1]!);
  const values = new Float64Array(1).fill(NaN);
  let acc = 0;
  return {
    values,
    update(bar) {
      const o = bv(bar, 'open'), c = bv(bar, 'close'), v = bv(bar, 'volume');
      s.push(o, c, v);
      if (s.index >= s.p - 1) {
        acc += s.current(o, c, v);
        values[0] = acc;
      }
      return values[0]!;
    },
  };
}

function smiStream(p: readonly number[]): IndicatorStream {
  const period = p[0]!, T = p[2]!, lb = period + T - 2;
  const s = new FlowState(period, p[1]!);
  const rs = new Float64Array(T), rm = new Float64Array(T), rv = new Float64Array(T), rc = new Float64Array(T);
  const smf = new WinSum(), sl = new WinSum(), sv = new WinSum();
  const values = new Float64Array(5).fill(NaN);
  const ratio = (a: WinSum, b: WinSum): number => (a.bad > 0 || b.bad > 0 ? NaN : b.value() !== 0 ? clamp1(a.value() / b.value()) : 0);
  let i = 0;
  return {
    values,
    update(bar) {
      const o = bv(bar, 'open'), h = bv(bar, 'high'), l = bv(bar, 'low'), c = bv(bar, 'close'), v = bv(bar, 'volume');
      s.push(o, c, v);
      const cur = i >= period - 1 ? s.current(o, c, v) : 0;
      const k = i % T, drop = i >= T;
      const m = moneyFlowVolume(h, l, c, v);
      const cOld = rc[k]!, vOld = rv[k]!;
      smf.step(m, drop, rm[k]!);
      sl.step(cur, drop, rs[k]!);
      sv.step(v, drop, vOld);
      rs[k] = cur;
      rm[k] = m;
      rv[k] = v;
      rc[k] = c;
      if ((i + 1) % T === 0) {
        smf.resum(rm, i - T + 1, i);
        sl.resum(rs, i - T + 1, i);
        sv.resum(rv, i - T + 1, i);
      }
      if (i >= lb) {
        const sIfi = 50 * (s.ifi() + 1);
        const sAd = 50 * (ratio(smf, sv) + 1);
        const sIobv = 50 * (ratio(sl, sv) + 1);
        const sVol = 50 * (volumeConfirmation(c, cOld, v, vOld) + 1);
        values[0] = 0.4 * sIfi + 0.2 * sAd + 0.2 * sIobv + 0.2 * sVol;
        values[1] = sIfi;
        values[2] = sAd;
        values[3] = sIobv;
        values[4] = sVol;
      }
      i++;
      return values[0]!;
    },
  };
}

const quantileParam: ParamSpec = {
  name: 'quantile',
  default: 0.9,
  min: 0,
  max: 1,
  integer: false,
  description: 'a bar is large when its volume is strictly above this quantile of the window (numpy linear / type 7)',
};
const flowPeriod = periodParam(20, 2, 'bars in the rolling window (current bar included)');

export const FLOW_INDICATORS: IndicatorSpec[] = [
  {
    name: 'ifi',
    group: 'flow',
    summary: 'Institutional Flow Index: signed volume of the window\'s large bars over its total volume, in [-1, 1]',
    inputs: ['open', 'close', 'volume'],
    outputs: ['ifi', 'score'],
    params: [flowPeriod, quantileParam],
    lookback: (p) => p[0]! - 1,
    reference: ifiRef,
    stream: ifiStream,
    formula:
      'W = bars t-p+1..t; Q = quantile_q(V over W) (numpy linear / type 7); s = +V if C > O, -V if C < O, 0 if equal; ' +
      'ifi = sum(s_j : j in W, V_j > Q) / sum(V over W) (0 if the window has no volume), in [-1, 1]; score = 50 (ifi + 1) in [0, 100]. Neurion; README.md, "Institutional-flow signals".',
  },
  {
    name: 'instObv',
    group: 'flow',
    summary: 'institutional OBV: cumulative signed volume of the large bars only',
    inputs: ['open', 'close', 'volume'],
    outputs: ['instObv'],
    params: [flowPeriod, quantileParam],
    lookback: (p) => p[0]! - 1,
    reference: instObvRef,
    stream: instObvStream,
    formula:
      'iobv[t] = sum_{j = p-1..t} (V_j > Q_j ? s_j : 0), Q_j = quantile_q of the volumes of bars j-p+1..j (numpy linear), s = sign(C - O) V; ' +
      'each bar judged once against its own trailing window. Neurion; README.md, "Institutional-flow signals".',
  },
  {
    name: 'smi',
    group: 'flow',
    summary: 'Smart Money Index (0-100): IFI, A/D slope, institutional-OBV slope and price-signed volume change',
    inputs: ['open', 'high', 'low', 'close', 'volume'],
    outputs: ['smi', 'ifiScore', 'adScore', 'iobvScore', 'volScore'],
    params: [flowPeriod, quantileParam, { ...periodParam(14, 1, 'T: bars for the A/D and institutional-OBV slopes and the volume change'), name: 'trendPeriod' }],
    lookback: (p) => p[0]! + p[2]! - 2,
    reference: smiRef,
    stream: smiStream,
    testRanges: { trendPeriod: [1, 30] },
    formula:
      'smi = 0.4 S_ifi + 0.2 S_ad + 0.2 S_iobv + 0.2 S_vol, S = 50 (1 + z): z_ifi = ifi(period, quantile); ' +
      'z_ad = sum(MFV)/sum(V) over the last T bars (A/D slope per unit volume); z_iobv = sum(large signed V)/sum(V) over T (instObv slope per unit volume); ' +
      'z_vol = sign(C[t] - C[t-T]) tanh(ln(V[t]/V[t-T])) = sign(..) (V[t]^2 - V[t-T]^2)/(V[t]^2 + V[t-T]^2); each z in [-1, 1], so smi in [0, 100]. ' +
      'T = trendPeriod; first value at period + T - 2. Neurion; README.md, "Institutional-flow signals".',
  },
];
