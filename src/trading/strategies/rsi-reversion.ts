/**
 * RSI mean reversion (long only): buy when RSI(period) closes below `lower`, sell when it
 * closes above `upper`. RSI is TA-Lib's (Wilder smoothing), computed by the streaming
 * indicator so each bar costs O(1). Sized at the fill with all the cash (allIn).
 */
import { createIndicator, type IndicatorStream } from '../../ta/index.js';
import type { BarView, Strategy, StrategyContext } from '../strategy.js';
import { describeValue } from '../../errors.js';

export interface RsiReversionParams {
  period: number;
  lower: number;
  upper: number;
}

export class RsiReversion implements Strategy {
  private readonly rsi: IndicatorStream;
  constructor(readonly params: RsiReversionParams) {
    const { period, lower, upper } = params;
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`rsi-reversion period must be an integer >= 2, got ${describeValue(period)}`);
    if (!(lower > 0 && lower < upper && upper < 100)) throw new RangeError(`rsi-reversion needs 0 < lower < upper < 100, got lower ${describeValue(lower)}, upper ${describeValue(upper)}`);
    this.rsi = createIndicator('rsi', { period });
  }

  onBar(ctx: StrategyContext, bar: BarView): void {
    const r = this.rsi.update(bar.close);
    if (Number.isNaN(r)) return;
    const pos = ctx.position(bar.symbol).qty;
    if (pos <= 0 && r < this.params.lower && ctx.openOrders(bar.symbol).length === 0) {
      ctx.submit({ symbol: bar.symbol, side: 'buy', type: 'market', allIn: true, tag: 'rsi-oversold' });
    } else if (pos > 0 && r > this.params.upper && ctx.openOrders(bar.symbol).length === 0) {
      ctx.submit({ symbol: bar.symbol, side: 'sell', type: 'market', allIn: true, tag: 'rsi-overbought' });
    }
  }
}
