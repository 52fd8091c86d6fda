/**
 * The risk manager as a Strategy decorator: any strategy's orders pass the risk manager
 * without touching the backtester or broker. `guardContext(ctx, rm)` returns a
 * StrategyContext whose submit() asks rm.checkOrder first: a refused order never reaches the
 * broker and comes back as an Order with status 'rejected' (negative id, rejectReason
 * "risk manager: ..."); a resized one is sent with the reduced quantity.
 * `withRiskManager(strategy, rm)` runs rm.observe on every bar before the strategy and hands
 * the strategy the guarded context.
 */
import type { Fill } from '../trading/account.js';
import type { Order, OrderEvent, OrderRequest } from '../trading/order.js';
import type { BarView, Strategy, StrategyContext } from '../trading/strategy.js';
import type { RiskManager } from './risk-manager.js';

export function guardContext(ctx: StrategyContext, rm: RiskManager, source?: (req: OrderRequest) => string | undefined): StrategyContext {
  return {
    get time() { return ctx.time; },
    data: (symbol, timeframe) => ctx.data(symbol, timeframe),
    submit(req: OrderRequest): Order {
      const c = rm.checkOrder(ctx, req, { source: source?.(req) });
      if (c.decision === 'reject' || !c.request) return rm.rejectedOrder(req, c.reason, ctx.time);
      return ctx.submit(c.request); // broker rejections arrive as order events (recorded by the decorator)
    },
    cancel: (id) => ctx.cancel(id),
    cancelAll: (symbol) => ctx.cancelAll(symbol),
    position: (symbol) => ctx.position(symbol),
    openOrders: (symbol) => ctx.openOrders(symbol),
    get account() { return ctx.account; },
    get symbols() { return ctx.symbols; },
  };
}

export class RiskManagedStrategy implements Strategy {
  private guarded?: StrategyContext;
  private raw?: StrategyContext;
  constructor(readonly inner: Strategy, readonly rm: RiskManager, private readonly source?: (req: OrderRequest) => string | undefined) {}

  private g(ctx: StrategyContext): StrategyContext {
    if (this.raw !== ctx) {
      this.raw = ctx;
      this.guarded = guardContext(ctx, this.rm, this.source);
    }
    return this.guarded!;
  }

  onStart(ctx: StrategyContext): void {
    this.inner.onStart?.(this.g(ctx));
  }
  onBar(ctx: StrategyContext, bar: BarView): void {
    this.rm.observe(ctx, bar);
    this.inner.onBar(this.g(ctx), bar);
  }
  onFill(ctx: StrategyContext, fill: Fill): void {
    this.inner.onFill?.(this.g(ctx), fill);
  }
  onOrderEvent(ctx: StrategyContext, ev: OrderEvent): void {
    if (ev.kind === 'rejected') this.rm.brokerRejected(ev.symbol, ev.reason ?? 'rejected');
    this.inner.onOrderEvent?.(this.g(ctx), ev);
  }
  onEnd(ctx: StrategyContext): void {
    this.inner.onEnd?.(this.g(ctx));
  }
}

/** Wraps a strategy so every order it sends passes the risk manager. */
export function withRiskManager(strategy: Strategy, rm: RiskManager, source?: (req: OrderRequest) => string | undefined): Strategy {
  return new RiskManagedStrategy(strategy, rm, source);
}
