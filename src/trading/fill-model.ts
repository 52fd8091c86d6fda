/**
 * The paper broker's fill model, configurable and documented:
 *
 * - fillAt 'nextOpen' (default): orders submitted at a bar's close become active at the next
 *   bar; market orders fill at its open. 'close': market orders fill at once at the close of
 *   the bar the strategy just saw (optimistic; for comparison with other engines).
 * - Limit and stop orders trigger inside a bar from its OHLC, walking a path through the bar:
 *   'conservative' (default): the extreme adverse to the position held comes first (a long
 *     sees the low before the high), so when a stop and a take-profit both fall inside one
 *     bar, the stop fills.
 *   'ohlc': the adaptive ordering - up bars go open, low, high, close; down bars open, high,
 *     low, close.
 *   A finer timeframe, when supplied for a bar, replaces the assumption for that bar: the
 *   sub-bars are walked in time order (each with the 'ohlc' path).
 * - Gaps fill at the gap price: an order whose level the open already crossed fills at the open.
 * - Slippage on market and stop fills (limits fill at their price or better):
 *   fixed bps of price; 'volatility': a fraction of the bar's range; 'sqrtImpact':
 *   price * coef * sqrt(qty / bar volume). Fill prices are clamped into [low, high].
 * - Partial fills: at most `maxVolumeShare` of a bar's volume fills per symbol per bar; the rest
 *   waits (GTC/DAY), is cancelled (IOC), or the order is cancelled unfilled (FOK).
 * - Latency: orders become active `latencyBars` bars later, and not before `latencyMs` after
 *   submission (by bar open time).
 * - Funding for perpetuals at each funding interval boundary crossed.
 * - Rejection for insufficient cash or margin, unknown instruments, lot/notional violations.
 */
import { describeValue } from '../errors.js';

export type PathModel = 'conservative' | 'ohlc';
export type Slippage =
  | { kind: 'none' }
  | { kind: 'bps'; bps: number }
  | { kind: 'volatility'; fractionOfRange: number }
  | { kind: 'sqrtImpact'; coef: number };

export interface FillModel {
  fillAt: 'nextOpen' | 'close';
  path: PathModel;
  slippage: Slippage;
  /** Largest share of a bar's volume one symbol's orders may take in that bar (1 = all; Infinity = ignore volume). */
  maxVolumeShare: number;
  latencyBars: number;
  latencyMs: number;
}

export const DEFAULT_FILL_MODEL: FillModel = {
  fillAt: 'nextOpen',
  path: 'conservative',
  slippage: { kind: 'none' },
  maxVolumeShare: Infinity,
  latencyBars: 0,
  latencyMs: 0,
};

export function makeFillModel(p: Partial<FillModel> = {}): FillModel {
  const m = { ...DEFAULT_FILL_MODEL, ...p };
  if (m.fillAt !== 'nextOpen' && m.fillAt !== 'close') throw new RangeError(`fillModel.fillAt must be nextOpen or close, got ${describeValue(m.fillAt)}`);
  if (m.path !== 'conservative' && m.path !== 'ohlc') throw new RangeError(`fillModel.path must be conservative or ohlc, got ${describeValue(m.path)}`);
  if (!(m.maxVolumeShare > 0)) throw new RangeError(`fillModel.maxVolumeShare must be positive, got ${describeValue(m.maxVolumeShare)}`);
  if (!Number.isInteger(m.latencyBars) || m.latencyBars < 0) throw new RangeError(`fillModel.latencyBars must be a non-negative integer, got ${describeValue(m.latencyBars)}`);
  if (!(m.latencyMs >= 0)) throw new RangeError(`fillModel.latencyMs must be non-negative, got ${describeValue(m.latencyMs)}`);
  const s = m.slippage;
  if (s.kind === 'bps' && !(s.bps >= 0)) throw new RangeError(`fillModel.slippage.bps must be non-negative, got ${describeValue(s.bps)}`);
  if (s.kind === 'volatility' && !(s.fractionOfRange >= 0 && s.fractionOfRange <= 1)) throw new RangeError(`fillModel.slippage.fractionOfRange must be in [0, 1], got ${describeValue(s.fractionOfRange)}`);
  if (s.kind === 'sqrtImpact' && !(s.coef >= 0)) throw new RangeError(`fillModel.slippage.coef must be non-negative, got ${describeValue(s.coef)}`);
  if (!['none', 'bps', 'volatility', 'sqrtImpact'].includes(s.kind)) throw new RangeError(`fillModel.slippage.kind must be none, bps, volatility or sqrtImpact, got ${describeValue(s.kind)}`);
  return m;
}

/** Slippage in price units for a fill of qty at `price` in a bar (always >= 0; applied against the trader). */
export function slippageFor(s: Slippage, price: number, qty: number, high: number, low: number, volume: number): number {
  switch (s.kind) {
    case 'none': return 0;
    case 'bps': return (price * s.bps) / 1e4;
    case 'volatility': return s.fractionOfRange * (high - low);
    case 'sqrtImpact': return volume > 0 ? price * s.coef * Math.sqrt(qty / volume) : 0;
  }
}
