/**
 * SMA crossover: long when the fast SMA is above the slow one. Long-only (flat otherwise) or
 * stop-and-reverse (short otherwise; needs a margin account). Sized to all available equity
 * in whole lots at the signal bar's close; market orders fill at the next open by default, so
 * a gap up can make a full-equity buy unaffordable - it is then rejected, as a broker would.
 */
import { SmaStream } from '../../ta/indicators/ma.js';
import { roundQty } from '../instrument.js';
import type { BarView, Strategy, StrategyContext } from '../strategy.js';
import { describeValue } from '../../errors.js';

export interface SmaCrossParams {
  fast: number;
  slow: number;
  mode?: 'longOnly' | 'stopAndReverse';
  /** Lot size used for whole-unit sizing (default 1). */
  lotSize?: number;
}

export class SmaCross implements Strategy {
  private readonly fast: SmaStream;
  private readonly slow: SmaStream;
  private prevDiff = NaN;
  readonly mode: 'longOnly' | 'stopAndReverse';
  private readonly lot: number;

  constructor(readonly params: SmaCrossParams) {
    const { fast, slow } = params;
    if (!Number.isInteger(fast) || fast < 1) throw new RangeError(`sma-cross fast must be an integer >= 1, got ${describeValue(fast)}`);
    if (!Number.isInteger(slow) || slow <= fast) throw new RangeError(`sma-cross slow must be an integer > fast (${fast}), got ${describeValue(slow)}`);
    this.fast = new SmaStream(fast);
    this.slow = new SmaStream(slow);
    this.mode = params.mode ?? 'longOnly';
    this.lot = params.lotSize ?? 1;
  }

  onBar(ctx: StrategyContext, bar: BarView): void {
    const f = this.fast.push(bar.close), s = this.slow.push(bar.close);
    const diff = f - s;
    const prev = this.prevDiff;
    this.prevDiff = diff;
    if (Number.isNaN(prev) || Number.isNaN(diff)) return;
    const up = prev <= 0 && diff > 0, down = prev >= 0 && diff < 0;
    if (!up && !down) return;
    const pos = ctx.position(bar.symbol).qty;
    const tag = up ? 'sma-cross-up' : 'sma-cross-down';
    if (this.mode === 'longOnly') {
      // Sized at the fill (allIn): all the cash buys at the next open, or the whole position sells.
      if (up && pos <= 0) ctx.submit({ symbol: bar.symbol, side: 'buy', type: 'market', allIn: true, tag });
      else if (down && pos > 0) ctx.submit({ symbol: bar.symbol, side: 'sell', type: 'market', allIn: true, tag });
      return;
    }
    // Stop-and-reverse: target +-equity/close in whole lots, sized at the signal bar's close.
    const size = roundQty(ctx.account.equity / bar.close, this.lot);
    const delta = (up ? size : -size) - pos;
    if (Math.abs(delta) < this.lot / 2) return;
    ctx.submit({ symbol: bar.symbol, side: delta > 0 ? 'buy' : 'sell', type: 'market', qty: Math.abs(delta), tag });
  }
}
