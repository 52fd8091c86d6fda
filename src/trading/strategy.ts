/**
 * What a strategy sees and does. The same strategy class runs in the backtester and, later,
 * live: only the clock, the data source and the broker behind the context differ.
 *
 * Strategies see only data up to the current time: `ctx.data(symbol, timeframe)` is a
 * History whose length grows as bars close; reading past its end throws a LookAheadError.
 */
import type { Fill, Position } from './account.js';
import type { Order, OrderEvent, OrderRequest } from './order.js';

/** The bar just closed. The object is reused between calls: copy what you keep. */
export interface BarView {
  symbol: string;
  timeframe: string;
  /** Index of this bar in its feed. */
  index: number;
  /** Close time (ms): bars are stamped at their close. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export class LookAheadError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'LookAheadError';
  }
}

/** Bars of one feed visible at the current time, newest last. */
export interface History {
  readonly symbol: string;
  readonly timeframe: string;
  /** Number of closed bars visible now. */
  readonly length: number;
  /** Field of the bar `ago` bars back (0 = the latest closed bar). */
  close(ago?: number): number;
  open(ago?: number): number;
  high(ago?: number): number;
  low(ago?: number): number;
  volume(ago?: number): number;
  /** Close time of the bar `ago` bars back. */
  time(ago?: number): number;
  /** The visible closes (oldest first), optionally only the last n. A view: do not write to it. */
  closes(n?: number): Float64Array;
}

export interface AccountView {
  /** Gross exposure limit as a multiple of equity (1 = cash account). */
  readonly leverage: number;
  /** Short positions allowed in spot instruments (margin account). */
  readonly allowShort: boolean;
  readonly cash: number;
  readonly equity: number;
  readonly grossExposure: number;
  readonly marginUsed: number;
}

export interface StrategyContext {
  /** Current time (ms): the close time of the bar being handled. */
  readonly time: number;
  data(symbol: string, timeframe?: string): History;
  submit(order: OrderRequest): Order;
  cancel(orderId: number): boolean;
  cancelAll(symbol?: string): number;
  position(symbol: string): Readonly<Position>;
  openOrders(symbol?: string): Order[];
  readonly account: AccountView;
  readonly symbols: readonly string[];
}

export interface Strategy {
  onStart?(ctx: StrategyContext): void;
  onBar(ctx: StrategyContext, bar: BarView): void;
  onFill?(ctx: StrategyContext, fill: Fill): void;
  onOrderEvent?(ctx: StrategyContext, event: OrderEvent): void;
  onEnd?(ctx: StrategyContext): void;
}
