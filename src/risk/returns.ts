/**
 * Returns from prices and annualisation.
 *
 * - simple return  r_t = P_t / P_{t-1} - 1   (what a position's P&L fraction is: use for VaR of a value)
 * - log return     l_t = ln(P_t / P_{t-1})   (additive over time: use for volatility, GARCH)
 *
 * Annualisation with P periods per year:
 *   mean:  log returns  mu_a = P * mean(l);  simple returns (compounded) (1 + mean(r))^P - 1
 *   volatility: sigma_a = sigma * sqrt(P)  (i.i.d. square-root-of-time rule)
 *   Sharpe: SR_a = SR * sqrt(P)
 *
 * Periods per year: the trading calendar (US equities) counts 252 days, 52 weeks, 12 months and
 * 6.5 session hours (390 minutes) per day; the continuous calendar (crypto, 24/7) counts 365
 * days of 24 hours. FX trades 24/5: use 'trading' for daily FX bars unless weekend rows are
 * present (the bundled OANDA series have Sunday rows; ~5.2 bars per week -> about 260 a year).
 *
 * Bundled LEAN equity prices are RAW (unadjusted for splits and dividends, see data/README.md):
 * a split day shows as a -50% (2:1) return. `splitAdjust` can remove known split days.
 */
import type { Timeframe } from '../data/bars.js';
import { describeValue } from '../errors.js';
import { expectFloat64, expectPositive } from './check.js';

function checkPrices(fn: string, closes: unknown): asserts closes is Float64Array {
  expectFloat64(fn, 'closes', closes);
  if (closes.length < 2) throw new RangeError(`${fn}: closes must have at least 2 prices, got ${closes.length}`);
  for (let i = 0; i < closes.length; i++) {
    const p = closes[i]!;
    if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`${fn}: closes[${i}] must be a finite price > 0, got ${describeValue(p)}`);
  }
}

/** ln(P_t / P_{t-1}), length n - 1. */
export function logReturns(closes: Float64Array): Float64Array {
  checkPrices('logReturns', closes);
  const out = new Float64Array(closes.length - 1);
  for (let i = 1; i < closes.length; i++) out[i - 1] = Math.log(closes[i]! / closes[i - 1]!);
  return out;
}

/** P_t / P_{t-1} - 1, length n - 1. */
export function simpleReturns(closes: Float64Array): Float64Array {
  checkPrices('simpleReturns', closes);
  const out = new Float64Array(closes.length - 1);
  for (let i = 1; i < closes.length; i++) out[i - 1] = closes[i]! / closes[i - 1]! - 1;
  return out;
}

export type ReturnKind = 'log' | 'simple';

export function returnsOf(closes: Float64Array, kind: ReturnKind = 'simple'): Float64Array {
  if (kind === 'log') return logReturns(closes);
  if (kind === 'simple') return simpleReturns(closes);
  throw new RangeError(`returnsOf: kind must be 'log' or 'simple', got ${describeValue(kind)}`);
}

/** Simple return from a log return and back. */
export const logToSimple = (l: number): number => Math.expm1(l);
export const simpleToLog = (r: number): number => Math.log1p(r);

export type Calendar = 'trading' | 'continuous';

const TRADING: Record<Timeframe, number> = {
  '1m': 252 * 390, '5m': 252 * 78, '15m': 252 * 26, '30m': 252 * 13, '1h': 252 * 6.5, '4h': 252 * 1.625,
  '1d': 252, '1w': 52, '1mo': 12,
};
const CONTINUOUS: Record<Timeframe, number> = {
  '1m': 365 * 1440, '5m': 365 * 288, '15m': 365 * 96, '30m': 365 * 48, '1h': 365 * 24, '4h': 365 * 6,
  '1d': 365, '1w': 365 / 7, '1mo': 12,
};

/** Bars per year for a timeframe on a calendar ('trading' = US equity session, 'continuous' = 24/7). */
export function periodsPerYear(timeframe: Timeframe, calendar: Calendar = 'trading'): number {
  const table = calendar === 'trading' ? TRADING : calendar === 'continuous' ? CONTINUOUS : undefined;
  if (!table) throw new RangeError(`periodsPerYear: calendar must be 'trading' or 'continuous', got ${describeValue(calendar)}`);
  const p = table[timeframe];
  if (p === undefined) throw new RangeError(`periodsPerYear: unknown timeframe ${describeValue(timeframe)}`);
  return p;
}

/** sigma * sqrt(P). */
export function annualizeVolatility(sdPerPeriod: number, periods: number): number {
  expectPositive('annualizeVolatility', 'periods', periods);
  return sdPerPeriod * Math.sqrt(periods);
}

/** Annual return from a mean per-period return: log -> P * m; simple -> (1 + m)^P - 1. */
export function annualizeReturn(meanPerPeriod: number, periods: number, kind: ReturnKind = 'log'): number {
  expectPositive('annualizeReturn', 'periods', periods);
  if (kind === 'log') return meanPerPeriod * periods;
  if (kind === 'simple') return Math.pow(1 + meanPerPeriod, periods) - 1;
  throw new RangeError(`annualizeReturn: kind must be 'log' or 'simple', got ${describeValue(kind)}`);
}

/** Sharpe ratio per period (mean excess / sd, ddof 1) scaled by sqrt(P). */
export function annualizeSharpe(sharpePerPeriod: number, periods: number): number {
  expectPositive('annualizeSharpe', 'periods', periods);
  return sharpePerPeriod * Math.sqrt(periods);
}

/**
 * Removes split discontinuities from a raw close series: for each split (time in ms of the
 * first bar trading post-split, ratio new shares per old share, e.g. 2 for 2:1, 0.05 for a
 * 1:20 reverse split) every earlier close is divided by the ratio. Returns a new array.
 */
export function splitAdjust(time: Float64Array, closes: Float64Array, splits: ReadonlyArray<{ time: number; ratio: number }>): Float64Array {
  expectFloat64('splitAdjust', 'time', time);
  expectFloat64('splitAdjust', 'closes', closes);
  if (time.length !== closes.length) throw new RangeError(`splitAdjust: time and closes must have the same length, got ${time.length} and ${closes.length}`);
  const out = Float64Array.from(closes);
  splits.forEach((s, k) => {
    expectPositive('splitAdjust', `splits[${k}].ratio`, s.ratio);
    for (let i = 0; i < time.length && time[i]! < s.time; i++) out[i] = out[i]! / s.ratio;
  });
  return out;
}
