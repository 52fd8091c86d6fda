/**
 * Runs one strategy instance per symbol (each keeps its own indicator state), routing each
 * symbol's bars, fills and order events to its own instance. Cash is shared.
 */
import type { Strategy, StrategyContext, BarView } from './strategy.js';
import type { Fill } from './account.js';
import type { OrderEvent } from './order.js';

export class PerSymbol implements Strategy {
  private readonly instances = new Map<string, Strategy>();
  constructor(private readonly make: (symbol: string) => Strategy) {}

  private get(symbol: string): Strategy {
    let s = this.instances.get(symbol);
    if (!s) this.instances.set(symbol, (s = this.make(symbol)));
    return s;
  }

  onStart(ctx: StrategyContext): void {
    for (const sym of ctx.symbols) this.get(sym).onStart?.(ctx);
  }
  onBar(ctx: StrategyContext, bar: BarView): void {
    this.get(bar.symbol).onBar(ctx, bar);
  }
  onFill(ctx: StrategyContext, fill: Fill): void {
    this.get(fill.symbol).onFill?.(ctx, fill);
  }
  onOrderEvent(ctx: StrategyContext, ev: OrderEvent): void {
    this.get(ev.symbol).onOrderEvent?.(ctx, ev);
  }
  onEnd(ctx: StrategyContext): void {
    for (const s of this.instances.values()) s.onEnd?.(ctx);
  }
}
