/**
 * Which peer function computes which of our indicators, shared by the ta-c (C) and ta-js
 * (npm bindings) suites. TA-Lib's mapping is the registry's (`spec.talib`); Tulip's lives here.
 * Where the peer's definition differs from ours (e.g. Tulip's EMA seeds with the first value,
 * its StochRSI has no %K/%D smoothing), the suites still time it (it is that library's version of
 * the indicator) and report how far its values are from ours, so a reader can tell.
 */
import type { IndicatorSpec } from '../../src/ta/spec.js';
import { TestRng } from '../../src/util/rng.js';

export interface TulipMapping {
  /** Tulip indicator name (ti_find_indicator / tulind.indicators[name]). */
  name: string;
  /** Tulip options in Tulip's order, from our parameters (in our order). */
  options(p: readonly number[]): number[];
  /** Per Tulip output: the index of our matching output, or -1. */
  outputs: readonly number[];
  note?: string;
}

const period = (p: readonly number[]): number[] => [p[0]!];
const none = (): number[] => [];
const one: readonly number[] = [0];

export const TULIP: Readonly<Record<string, TulipMapping>> = {
  sma: { name: 'sma', options: period, outputs: one },
  ema: { name: 'ema', options: period, outputs: one, note: 'Tulip seeds the EMA with the first value (TA-Lib/ours: SMA of the first period)' },
  wma: { name: 'wma', options: period, outputs: one },
  dema: { name: 'dema', options: period, outputs: one, note: 'first-value seeded EMAs' },
  tema: { name: 'tema', options: period, outputs: one, note: 'first-value seeded EMAs' },
  trima: { name: 'trima', options: period, outputs: one },
  kama: { name: 'kama', options: period, outputs: one },
  hma: { name: 'hma', options: period, outputs: one },
  vwma: { name: 'vwma', options: period, outputs: one },
  sar: { name: 'psar', options: (p) => [p[0]!, p[1]!], outputs: one },
  linreg: { name: 'linreg', options: period, outputs: one },
  linregSlope: { name: 'linregslope', options: period, outputs: one },
  linregIntercept: { name: 'linregintercept', options: period, outputs: one },
  tsf: { name: 'tsf', options: period, outputs: one },
  rsi: { name: 'rsi', options: period, outputs: one },
  stochRsi: { name: 'stochrsi', options: period, outputs: [0], note: 'Tulip: raw StochRSI over `period`, no fastK/fastD smoothing (different definition)' },
  stoch: { name: 'stoch', options: (p) => [p[0]!, p[1]!, p[3]!], outputs: [0, 1] },
  willr: { name: 'willr', options: period, outputs: one },
  cci: { name: 'cci', options: period, outputs: one },
  macd: { name: 'macd', options: (p) => [p[0]!, p[1]!, p[2]!], outputs: [0, 1, 2], note: 'first-value seeded EMAs' },
  ppo: { name: 'ppo', options: (p) => [p[0]!, p[1]!], outputs: one, note: 'Tulip PPO uses EMAs; ours/TA-Lib default maType 0 = SMA' },
  apo: { name: 'apo', options: (p) => [p[0]!, p[1]!], outputs: one, note: 'Tulip APO uses EMAs; ours/TA-Lib default maType 0 = SMA' },
  mom: { name: 'mom', options: period, outputs: one },
  roc: { name: 'roc', options: period, outputs: one, note: 'Tulip ROC is a fraction, ours/TA-Lib a percentage' },
  rocr: { name: 'rocr', options: period, outputs: one },
  trix: { name: 'trix', options: period, outputs: one },
  ultosc: { name: 'ultosc', options: (p) => [p[0]!, p[1]!, p[2]!], outputs: one },
  adx: { name: 'adx', options: period, outputs: one },
  adxr: { name: 'adxr', options: period, outputs: one },
  plusDi: { name: 'di', options: period, outputs: [0, -1], note: 'Tulip DI computes +DI and -DI together' },
  minusDi: { name: 'di', options: period, outputs: [-1, 0], note: 'Tulip DI computes +DI and -DI together' },
  dx: { name: 'dx', options: period, outputs: one },
  aroon: { name: 'aroon', options: period, outputs: [0, 1] },
  aroonOsc: { name: 'aroonosc', options: period, outputs: one },
  mfi: { name: 'mfi', options: period, outputs: one },
  cmo: { name: 'cmo', options: period, outputs: one },
  bop: { name: 'bop', options: none, outputs: one },
  trange: { name: 'tr', options: none, outputs: one },
  atr: { name: 'atr', options: period, outputs: one },
  natr: { name: 'natr', options: period, outputs: one },
  // Tulip: lower, middle, upper. Ours: upper, middle, lower, percentB, bandwidth (we compute 5 outputs).
  bbands: { name: 'bbands', options: (p) => [p[0]!, p[1]!], outputs: [2, 1, 0], note: 'ours also writes percentB and bandwidth (5 outputs vs 3)' },
  stddev: { name: 'stddev', options: period, outputs: one },
  var: { name: 'var', options: period, outputs: one },
  volCloseToClose: { name: 'volatility', options: period, outputs: one, note: 'Tulip: annualised stddev of returns, its own annualisation' },
  obv: { name: 'obv', options: none, outputs: one },
  ad: { name: 'ad', options: none, outputs: one },
  adosc: { name: 'adosc', options: (p) => [p[0]!, p[1]!], outputs: one },
  rollingMin: { name: 'min', options: period, outputs: one },
  rollingMax: { name: 'max', options: period, outputs: one },
  rollingSum: { name: 'sum', options: period, outputs: one },
};

/** Our parameter values (spec order, defaults) as TA-Lib optional inputs, or null when TA-Lib lacks the indicator. */
export function talibOptions(spec: IndicatorSpec, p: readonly number[]): Record<string, number> | null {
  const t = spec.talib;
  if (!t) return null;
  const o: Record<string, number> = { ...(t.fixed ?? {}) };
  t.params.forEach((name, k) => {
    if (name !== null) o[name] = p[k]!;
  });
  return o;
}

/** Default parameters of an indicator, in spec order. */
export function defaults(spec: IndicatorSpec): number[] {
  return spec.params.map((q) => q.default);
}

export interface Ohlcv {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  time: Float64Array;
  y: Float64Array;
}

/**
 * A deterministic OHLCV series of n bars, the same shape as bench/c/ta_bench.cpp's make_series
 * (not bit-identical: different generator): open/close inside [low, high], volume > 0, hourly
 * timestamps, and a mean-reverting log close (Ornstein-Uhlenbeck around log 100, stationary sd
 * ~0.22) so that a million bars stay in a realistic price range. `y` is a second, partly
 * correlated series (correl, beta).
 */
export function ohlcv(n: number, seed: number): Ohlcv {
  const rng = new TestRng(seed);
  const s: Ohlcv = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    time: new Float64Array(n),
    y: new Float64Array(n),
  };
  const mu = Math.log(100);
  let p = 100;
  let ly = mu;
  const t0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    const o = p * Math.exp(0.002 * rng.normal());
    const lo = Math.log(o);
    const c = Math.exp(lo + 0.01 * rng.normal() - 0.001 * (lo - mu));
    s.open[i] = o;
    s.close[i] = c;
    s.high[i] = Math.max(o, c) * (1 + 0.005 * Math.abs(rng.normal()));
    s.low[i] = Math.min(o, c) * (1 - 0.005 * Math.abs(rng.normal()));
    const u = rng.next();
    s.volume[i] = Math.floor(1e3 + 1e6 * u * u * u);
    s.time[i] = t0 + i * 3_600_000;
    ly += 0.6 * (Math.log(c) - Math.log(p)) + 0.008 * rng.normal() - 0.001 * (ly - mu);
    s.y[i] = Math.exp(ly);
    p = c;
  }
  return s;
}

/** Our input arrays for an indicator, by input name (x is the close). */
export function inputsFor(spec: IndicatorSpec, d: Ohlcv): Record<string, Float64Array> {
  const o: Record<string, Float64Array> = {};
  for (const name of spec.inputs) o[name] = name === 'x' ? d.close : d[name as keyof Ohlcv];
  return o;
}

/** Keeps a value observable so the JIT cannot drop the loop that produced it. */
export let sink = 0;
export function consume(v: number): void {
  sink += v;
}
