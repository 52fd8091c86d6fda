/**
 * An indicator-based signal for managed runs until the model lands: a Donchian channel
 * breakout. Buy when the close breaks above the highest high of the previous `entry` bars;
 * sell (close the long, or short when allowed) when it breaks below the lowest low of the
 * previous `exit` bars. Channels exclude the current bar.
 *
 * Confidence is a heuristic, NOT a calibrated probability: 0.55 plus the breakout's size as a
 * fraction of the channel width, capped at 0.95 (exits carry 0.5).
 */
import { describeValue } from '../errors.js';
import type { SignalFn } from './managed-backtest.js';

export interface DonchianSignalParams {
  entry?: number;
  exit?: number;
  source?: string;
}

export function donchianSignal(p: DonchianSignalParams = {}): SignalFn {
  const entry = p.entry ?? 20, exit = p.exit ?? 10, source = p.source ?? `donchian-${entry}-${exit}`;
  if (!Number.isInteger(entry) || entry < 2) throw new RangeError(`donchian entry must be an integer >= 2, got ${describeValue(entry)}`);
  if (!Number.isInteger(exit) || exit < 2) throw new RangeError(`donchian exit must be an integer >= 2, got ${describeValue(exit)}`);
  return (ctx, bar) => {
    const h = ctx.data(bar.symbol);
    if (h.length <= Math.max(entry, exit)) return null;
    let hi = -Infinity, lo = Infinity, chLo = Infinity;
    for (let k = 1; k <= entry; k++) { hi = Math.max(hi, h.high(k)); chLo = Math.min(chLo, h.low(k)); }
    for (let k = 1; k <= exit; k++) lo = Math.min(lo, h.low(k));
    if (bar.close > hi) {
      const width = hi - chLo;
      const strength = width > 0 ? (bar.close - hi) / width : 0;
      return { side: 'buy', confidence: Math.min(0.95, 0.55 + strength), source };
    }
    if (bar.close < lo) return { side: 'sell', confidence: 0.5, source };
    return null;
  };
}
