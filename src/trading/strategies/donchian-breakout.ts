/**
 * Donchian breakout (long only): buy when the close breaks above the highest high of the
 * previous `entry` bars, exit when it breaks below the lowest low of the previous `exit`
 * bars (turtle-style). Channels exclude the current bar, so no bar is compared with itself.
 */
import type { BarView, History, Strategy, StrategyContext } from '../strategy.js';
import { describeValue } from '../../errors.js';

export interface DonchianParams {
  entry: number;
  exit: number;
}

function highest(h: History, n: number, skip: number): number {
  let m = -Infinity;
  for (let k = skip; k < skip + n; k++) m = Math.max(m, h.high(k));
  return m;
}

function lowest(h: History, n: number, skip: number): number {
  let m = Infinity;
  for (let k = skip; k < skip + n; k++) m = Math.min(m, h.low(k));
  return m;
}

export class DonchianBreakout implements Strategy {
  constructor(readonly params: DonchianParams) {
    if (!Number.isInteger(params.entry) || params.entry < 2) throw new RangeError(`donchian entry must be an integer >= 2, got ${describeValue(params.entry)}`);
    if (!Number.isInteger(params.exit) || params.exit < 2) throw new RangeError(`donchian exit must be an integer >= 2, got ${describeValue(params.exit)}`);
  }

  onBar(ctx: StrategyContext, bar: BarView): void {
    const h = ctx.data(bar.symbol);
    const { entry, exit } = this.params;
    if (h.length <= Math.max(entry, exit)) return;
    const pos = ctx.position(bar.symbol).qty;
    if (ctx.openOrders(bar.symbol).length > 0) return;
    // O(entry) per bar: channels are short and this keeps the example obvious.
    if (pos <= 0 && bar.close > highest(h, entry, 1)) ctx.submit({ symbol: bar.symbol, side: 'buy', type: 'market', allIn: true, tag: 'donchian-breakout' });
    else if (pos > 0 && bar.close < lowest(h, exit, 1)) ctx.submit({ symbol: bar.symbol, side: 'sell', type: 'market', allIn: true, tag: 'donchian-exit' });
  }
}
