/**
 * Trades a model's (or any) signal function: long with all the cash (sized at the fill) on a
 * 'buy', flat on a 'sell'. Used by `neurion backtest --strategy model` with the shipped model
 * (src/app/model-signal.ts); the risk-managed version is the main job.
 */
import type { SignalFn } from '../../risk-manager/index.js';
import type { BarView, Strategy, StrategyContext } from '../strategy.js';

export class SignalStrategy implements Strategy {
  constructor(private readonly signal: SignalFn, readonly minConfidence = 0) {}

  onBar(ctx: StrategyContext, bar: BarView): void {
    const s = this.signal(ctx, bar);
    if (!s || (s.confidence ?? 1) < this.minConfidence || ctx.openOrders(bar.symbol).length > 0) return;
    const pos = ctx.position(bar.symbol).qty;
    if (s.side === 'buy' && pos <= 0) ctx.submit({ symbol: bar.symbol, side: 'buy', type: 'market', allIn: true, tag: `${s.source}:buy` });
    else if (s.side === 'sell' && pos > 0) ctx.submit({ symbol: bar.symbol, side: 'sell', type: 'market', allIn: true, tag: `${s.source}:sell` });
  }
}
