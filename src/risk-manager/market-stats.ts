/**
 * Rolling per-symbol market statistics shared by the risk manager and the exit manager:
 * log returns with their bar times (for volatility, correlation and covariance), ATR
 * streams (TA-Lib ATR through createIndicator), and the last bar seen (feed freshness).
 * Updating twice with the same bar is a no-op, so several consumers may feed it.
 */
import { createIndicator, type IndicatorStream } from '../ta/index.js';

const YEAR_MS = 365.25 * 86_400_000;

export interface StatsBar {
  symbol: string;
  time: number;
  high: number;
  low: number;
  close: number;
}

export class SymbolStats {
  /** Ring buffers of the last `capacity` log returns and their bar (close) times. */
  private readonly rets: Float64Array;
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  private lastClose = NaN;
  lastTime = NaN;
  lastHigh = NaN;
  lastLow = NaN;
  bars = 0;
  private readonly atrs = new Map<number, IndicatorStream>();
  private readonly atrValues = new Map<number, number>();

  constructor(readonly symbol: string, readonly capacity: number, atrPeriods: readonly number[]) {
    this.rets = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    for (const p of new Set(atrPeriods)) {
      this.atrs.set(p, createIndicator('atr', { period: p }));
      this.atrValues.set(p, NaN);
    }
  }

  update(b: StatsBar): void {
    if (b.time === this.lastTime) return;
    this.bars++;
    if (Number.isFinite(this.lastClose) && this.lastClose > 0 && b.close > 0) {
      this.rets[this.head] = Math.log(b.close / this.lastClose);
      this.times[this.head] = b.time;
      this.head = (this.head + 1) % this.capacity;
      if (this.count < this.capacity) this.count++;
    }
    this.lastClose = b.close;
    this.lastTime = b.time;
    this.lastHigh = b.high;
    this.lastLow = b.low;
    for (const [p, s] of this.atrs) this.atrValues.set(p, s.update({ high: b.high, low: b.low, close: b.close }));
  }

  get close(): number {
    return this.lastClose;
  }

  /** Latest ATR(period); NaN in the warm-up or when the period was not registered. */
  atr(period: number): number {
    return this.atrValues.get(period) ?? NaN;
  }

  /** Number of returns held. */
  get returnCount(): number {
    return this.count;
  }

  /** The last n returns (oldest first) with their times. */
  returns(n = this.count): { time: Float64Array; ret: Float64Array } {
    const m = Math.min(n, this.count);
    const time = new Float64Array(m), ret = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const idx = (this.head - m + k + this.capacity * 2) % this.capacity;
      time[k] = this.times[idx]!;
      ret[k] = this.rets[idx]!;
    }
    return { time, ret };
  }
}

/** Sample standard deviation (ddof 1); NaN with fewer than 2 values. */
export function sampleSd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  return Math.sqrt(v / (n - 1));
}

/** Pairs of returns at the timestamps both series have. */
function commonReturns(a: { time: Float64Array; ret: Float64Array }, b: { time: Float64Array; ret: Float64Array }): [number[], number[]] {
  const x: number[] = [], y: number[] = [];
  let i = 0, j = 0;
  while (i < a.time.length && j < b.time.length) {
    if (a.time[i]! < b.time[j]!) i++;
    else if (a.time[i]! > b.time[j]!) j++;
    else { x.push(a.ret[i]!); y.push(b.ret[j]!); i++; j++; }
  }
  return [x, y];
}

/** Pearson correlation; NaN when either side is constant or fewer than 2 pairs. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return NaN;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]!; sy += y[i]!; }
  const mx = sx / n, my = sy / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Sample covariance (ddof 1). */
export function sampleCov(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]!; sy += y[i]!; }
  const mx = sx / n, my = sy / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i]! - mx) * (y[i]! - my);
  return s / (n - 1);
}

export class MarketStats {
  private readonly bySymbol = new Map<string, SymbolStats>();
  constructor(readonly capacity: number, readonly atrPeriods: readonly number[]) {}

  /** Registers more ATR periods before any bar is seen (later symbols pick them up). */
  get(symbol: string): SymbolStats {
    let s = this.bySymbol.get(symbol);
    if (!s) this.bySymbol.set(symbol, (s = new SymbolStats(symbol, this.capacity, this.atrPeriods)));
    return s;
  }

  update(b: StatsBar): void {
    this.get(b.symbol).update(b);
  }

  /** Correlation of the last `lookback` returns of two symbols over their common timestamps, and the pair count. */
  correlation(a: string, b: string, lookback: number): { rho: number; n: number } {
    const [x, y] = commonReturns(this.get(a).returns(lookback), this.get(b).returns(lookback));
    return { rho: pearson(x, y), n: x.length };
  }

  /**
   * Annualised covariance matrix (row-major) of the symbols' last `lookback` returns, each
   * pair over its common timestamps. `periodsPerYear` absent: measured from the first
   * symbol's return timestamps ((n - 1) intervals over their time span).
   */
  covariance(symbols: readonly string[], lookback: number, periodsPerYear?: number): { cov: Float64Array; periodsPerYear: number } {
    const n = symbols.length;
    const series = symbols.map((s) => this.get(s).returns(lookback));
    let ppy = periodsPerYear ?? NaN;
    if (periodsPerYear === undefined) {
      const t = series[n - 1]!.time;
      ppy = t.length > 1 && t[t.length - 1]! > t[0]! ? (t.length - 1) / ((t[t.length - 1]! - t[0]!) / YEAR_MS) : NaN;
    }
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const [x, y] = i === j ? [Array.from(series[i]!.ret), Array.from(series[i]!.ret)] : commonReturns(series[i]!, series[j]!);
        const c = sampleCov(x, y) * ppy;
        cov[i * n + j] = c;
        cov[j * n + i] = c;
      }
    }
    return { cov, periodsPerYear: ppy };
  }
}
