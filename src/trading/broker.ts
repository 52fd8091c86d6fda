/**
 * The paper broker: accepts orders, walks each bar of the execution timeframe through the
 * fill model (fill-model.ts), and books fills in the account. The backtester and, later,
 * paper trading on live data drive the same class; only the clock and data source differ.
 */
import type { Account, Fill } from './account.js';
import { feeFor, roundPrice, roundQty } from './instrument.js';
import { isOpen, nextStatus, validateOrderRequest, type Order, type OrderEvent, type OrderEventKind, type OrderRequest } from './order.js';
import { slippageFor, type FillModel } from './fill-model.js';

/** One bar of the execution feed: `time` is its open time, `closeTime` its close. */
export interface BrokerBar {
  time: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface BrokerListener {
  onFill(fill: Fill): void;
  onOrderEvent(ev: OrderEvent): void;
}

const DAY_MS = 86_400_000;

interface Trigger {
  order: Order;
  /** Position along the bar's path (segment index + fraction) where the order fires. */
  at: number;
  price: number;
  /** Limit fills are maker fills (no slippage); market/stop fills are taker fills. */
  maker: boolean;
}

export class PaperBroker {
  private nextId = 1;
  private readonly orders = new Map<number, Order>();
  private readonly openBySymbol = new Map<string, Order[]>();
  /** Per symbol: the latest processed bar (a copy, updated in place) and its index. */
  private readonly lastBar = new Map<string, { bar: BrokerBar; index: number }>();
  private readonly perp = new Map<string, boolean>();
  private readonly lastFunding = new Map<string, number>();
  readonly events: OrderEvent[] = [];
  private readonly clientIds = new Set<string>();

  constructor(readonly account: Account, readonly model: FillModel, private readonly listener: BrokerListener) {}

  order(id: number): Order | undefined {
    return this.orders.get(id);
  }

  allOrders(): Order[] {
    return [...this.orders.values()];
  }

  openOrders(symbol?: string): Order[] {
    if (symbol !== undefined) return [...(this.openBySymbol.get(symbol) ?? [])];
    return [...this.openBySymbol.values()].flat();
  }

  private emit(o: Order, kind: OrderEventKind, time: number, extra: Partial<OrderEvent> = {}): void {
    o.status = nextStatus(o.status, kind);
    const ev: OrderEvent = { kind, orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, time, status: o.status, ...extra };
    this.events.push(ev);
    if (!isOpen(o)) {
      const list = this.openBySymbol.get(o.symbol);
      if (list) {
        const k = list.indexOf(o);
        if (k >= 0) list.splice(k, 1);
      }
    }
    this.listener.onOrderEvent(ev);
  }

  /**
   * Submits an order at time `now` (the close of the symbol's latest bar, index `barIndex`).
   * Returns the order; a rejected order has status 'rejected' and a rejectReason. Malformed
   * requests throw (a programming error, not a market event).
   */
  submit(req: OrderRequest, now: number): Order {
    validateOrderRequest(req);
    const inst = this.account.instrument(req.symbol); // throws RangeError for an unknown instrument
    const id = this.nextId++;
    const clientOrderId = req.clientOrderId ?? `O-${id}`;
    if (this.clientIds.has(clientOrderId)) throw new RangeError(`order.clientOrderId ${JSON.stringify(clientOrderId)} is already in use`);
    this.clientIds.add(clientOrderId);
    const last = this.lastBar.get(req.symbol);
    const order: Order = {
      id, clientOrderId, symbol: req.symbol, side: req.side, type: req.type, qty: req.allIn ? 0 : req.qty!, allIn: req.allIn ?? false, tif: req.tif ?? 'GTC',
      reduceOnly: req.reduceOnly ?? false, limitPrice: req.limitPrice, stopPrice: req.stopPrice, trailAmount: req.trailAmount,
      trailPercent: req.trailPercent, tag: req.tag, status: 'initialized', filledQty: 0, avgFillPrice: NaN, submittedAt: now,
      activeFrom: now + this.model.latencyMs, activeFromBar: (last?.index ?? -1) + 1 + this.model.latencyBars, triggered: false,
    };
    this.orders.set(id, order);
    this.emit(order, 'submitted', now);
    const lots = order.qty / inst.lotSize;
    if (!order.allIn && Math.abs(lots - Math.round(lots)) > 1e-9) {
      order.rejectReason = `quantity ${order.qty} is not a multiple of the lot size ${inst.lotSize}`;
      this.emit(order, 'rejected', now, { reason: order.rejectReason });
      return order;
    }
    const refPrice = req.limitPrice ?? req.stopPrice ?? last?.bar.close ?? NaN;
    if (!order.allIn && inst.minNotional > 0 && refPrice * order.qty * inst.multiplier < inst.minNotional) {
      order.rejectReason = `notional ${(refPrice * order.qty * inst.multiplier).toFixed(2)} is below the minimum ${inst.minNotional}`;
      this.emit(order, 'rejected', now, { reason: order.rejectReason });
      return order;
    }
    this.emit(order, 'accepted', now);
    let list = this.openBySymbol.get(req.symbol);
    if (!list) this.openBySymbol.set(req.symbol, (list = []));
    list.push(order);
    if (this.model.fillAt === 'close' && order.type === 'market' && last && this.model.latencyBars === 0 && this.model.latencyMs === 0) {
      // Immediate fill at the close of the bar the strategy just saw.
      this.fillAt(order, last.bar.close, 'taker', last.bar, last.index, now, last.bar.volume);
      if (isOpen(order) && (order.tif === 'IOC' || order.tif === 'FOK')) this.emit(order, 'cancelled', now, { reason: `${order.tif}: unfilled remainder` });
    }
    return order;
  }

  cancel(id: number, now: number, reason = 'cancelled by strategy'): boolean {
    const o = this.orders.get(id);
    if (!o || !isOpen(o)) return false;
    this.emit(o, 'cancelled', now, { reason });
    return true;
  }

  cancelAll(now: number, symbol?: string, reason = 'cancelled by strategy'): number {
    const list = this.openOrders(symbol);
    for (const o of list) this.emit(o, 'cancelled', now, { reason });
    return list.length;
  }

  /**
   * Processes one bar of a symbol's execution feed: funding, DAY expiry, then every active
   * order along the bar's path (or along the finer sub-bars when given), then marks the
   * position at the close.
   */
  processBar(symbol: string, index: number, bar: BrokerBar, subBars?: readonly BrokerBar[]): void {
    this.applyFunding(symbol, bar);
    const list = this.openBySymbol.get(symbol);
    if (list && list.length > 0) {
      this.expireDayOrders(list, bar);
      const active = list.filter((o) => o.activeFromBar <= index && o.activeFrom <= bar.time);
      if (active.length > 0) {
        const volumeLeft = { value: this.model.maxVolumeShare === Infinity ? Infinity : this.model.maxVolumeShare * bar.volume };
        const parts = subBars && subBars.length > 0 ? subBars : [bar];
        for (const part of parts) this.walk(symbol, index, bar, part, active, volumeLeft, subBars !== undefined && subBars.length > 0);
        for (const o of active) {
          if (isOpen(o) && (o.tif === 'IOC' || o.tif === 'FOK')) this.emit(o, 'cancelled', bar.closeTime, { reason: `${o.tif}: not filled in its first eligible bar` });
        }
      }
    }
    let last = this.lastBar.get(symbol);
    if (!last) this.lastBar.set(symbol, (last = { bar: { ...bar }, index }));
    else {
      const b = last.bar;
      b.time = bar.time; b.closeTime = bar.closeTime; b.open = bar.open; b.high = bar.high; b.low = bar.low; b.close = bar.close; b.volume = bar.volume;
      last.index = index;
    }
    this.account.mark(symbol, bar.close);
  }

  private applyFunding(symbol: string, bar: BrokerBar): void {
    let perp = this.perp.get(symbol);
    if (perp === undefined) {
      const i = this.account.instrument(symbol);
      this.perp.set(symbol, (perp = i.assetClass === 'perp' && Boolean(i.fundingIntervalMs)));
    }
    if (!perp) return;
    const inst = this.account.instrument(symbol);
    const step = inst.fundingIntervalMs!;
    const prev = this.lastFunding.get(symbol);
    const boundary = Math.floor(bar.closeTime / step) * step;
    if (prev === undefined) {
      this.lastFunding.set(symbol, boundary);
      return;
    }
    for (let t = prev + step; t <= bar.closeTime; t += step) {
      this.account.applyFunding(symbol, bar.open);
      this.lastFunding.set(symbol, t);
    }
  }

  private expireDayOrders(list: Order[], bar: BrokerBar): void {
    for (const o of [...list]) {
      if (o.tif === 'DAY' && Math.floor(bar.time / DAY_MS) > Math.floor(o.submittedAt / DAY_MS)) {
        this.emit(o, 'expired', bar.time, { reason: 'DAY order expired at the end of its day' });
      }
    }
  }

  /** The price path through one (sub-)bar: open, two extremes in the model's order, close. */
  private path(symbol: string, b: BrokerBar, fine: boolean): number[] {
    const up = b.close >= b.open;
    if (this.model.path === 'conservative' && !fine) {
      const q = this.account.position(symbol).qty;
      if (q > 0) return [b.open, b.low, b.high, b.close];
      if (q < 0) return [b.open, b.high, b.low, b.close];
    }
    return up ? [b.open, b.low, b.high, b.close] : [b.open, b.high, b.low, b.close];
  }

  private walk(symbol: string, index: number, bar: BrokerBar, part: BrokerBar, active: Order[], volumeLeft: { value: number }, fine: boolean): void {
    const pts = this.path(symbol, part, fine);
    const triggers: Trigger[] = [];
    for (const o of active) {
      if (!isOpen(o)) continue;
      const t = this.triggerOf(o, pts);
      if (t) triggers.push(t);
    }
    triggers.sort((a, b) => a.at - b.at || a.order.id - b.order.id);
    for (const t of triggers) {
      if (!isOpen(t.order)) continue;
      this.fillAt(t.order, t.price, t.maker ? 'maker' : 'taker', part, index, bar.closeTime, volumeLeft.value, volumeLeft);
    }
  }

  /** Where along the path points an order fires, and at what price (gaps fill at the open). */
  private triggerOf(o: Order, pts: number[]): Trigger | undefined {
    const buy = o.side === 'buy';
    if (o.type === 'market') return { order: o, at: 0, price: pts[0]!, maker: false };
    if (o.type === 'trailingStop') return this.trailTrigger(o, pts);
    let start = 0;
    let startPrice = pts[0]!;
    if (o.type === 'stop' || o.type === 'stopLimit') {
      if (!o.triggered) {
        const hit = crossing(pts, o.stopPrice!, buy ? 'up' : 'down');
        if (!hit) return undefined;
        o.triggered = true;
        if (o.type === 'stop') return { order: o, at: hit.at, price: hit.gap ? pts[0]! : o.stopPrice!, maker: false };
        start = hit.at;
        startPrice = hit.gap ? pts[0]! : o.stopPrice!;
      } else if (o.type === 'stop') {
        return { order: o, at: 0, price: pts[0]!, maker: false }; // triggered earlier, unfilled remainder
      }
    }
    // Limit (or a triggered stop-limit from the trigger point on).
    const L = o.limitPrice!;
    // A resting limit is a maker fill; a stop-limit marketable at its trigger is a taker fill.
    if (buy ? startPrice <= L : startPrice >= L) return { order: o, at: start, price: startPrice, maker: o.type === 'limit' };
    const rest = [startPrice, ...pts.slice(Math.ceil(start + 1e-12))];
    const hit = crossing(rest, L, buy ? 'down' : 'up');
    if (!hit) return undefined;
    return { order: o, at: start + hit.at, price: L, maker: true };
  }

  private trailTrigger(o: Order, pts: number[]): Trigger | undefined {
    const sell = o.side === 'sell';
    let anchor = o.trailAnchor ?? pts[0]!;
    const level = (a: number): number => (o.trailAmount !== undefined ? (sell ? a - o.trailAmount : a + o.trailAmount) : sell ? a * (1 - o.trailPercent!) : a * (1 + o.trailPercent!));
    // Gap through the stop at the open.
    if (o.trailAnchor !== undefined && (sell ? pts[0]! <= level(anchor) : pts[0]! >= level(anchor))) return { order: o, at: 0, price: pts[0]!, maker: false };
    for (let k = 0; k + 1 < pts.length; k++) {
      anchor = sell ? Math.max(anchor, pts[k]!) : Math.min(anchor, pts[k]!);
      const stop = level(anchor);
      const a = pts[k]!, b = pts[k + 1]!;
      if (sell ? b <= stop && a > stop : b >= stop && a < stop) {
        o.trailAnchor = anchor;
        return { order: o, at: k + Math.abs(stop - a) / Math.max(Math.abs(b - a), 1e-300), price: stop, maker: false };
      }
    }
    o.trailAnchor = sell ? Math.max(anchor, pts[pts.length - 1]!) : Math.min(anchor, pts[pts.length - 1]!);
    return undefined;
  }

  /** The price a fill of qty gets: slippage for taker fills, tick rounding against the trader, clamped into the bar. */
  private execPrice(o: Order, rawPrice: number, qty: number, maker: boolean, bar: BrokerBar): number {
    const inst = this.account.instrument(o.symbol);
    let price = rawPrice;
    if (!maker) {
      const slip = slippageFor(this.model.slippage, rawPrice, qty, bar.high, bar.low, bar.volume);
      price = o.side === 'buy' ? rawPrice + slip : rawPrice - slip;
    }
    price = roundPrice(price, inst.tickSize, o.side);
    return Math.min(Math.max(price, bar.low), bar.high);
  }

  /** Whole lots an allIn order takes: what the cash affords at its execution price (fees included), or the long position. */
  private allInQty(o: Order, rawPrice: number, maker: boolean, bar: BrokerBar): number {
    const inst = this.account.instrument(o.symbol);
    if (o.side === 'sell') return Math.max(0, this.account.position(o.symbol).qty);
    let q = roundQty(this.account.cash / (this.execPrice(o, rawPrice, inst.lotSize, maker, bar) * inst.multiplier), inst.lotSize);
    // Fees and size-dependent slippage can push the cost over the cash: step down a lot at a time.
    for (let k = 0; k < 10_000 && q > 0; k++) {
      const px = this.execPrice(o, rawPrice, q, maker, bar);
      if (q * px * inst.multiplier + feeFor(inst.fees, q, px, inst.multiplier, maker, this.account.tradedNotional) <= this.account.cash + 1e-9) break;
      q = roundQty(q - inst.lotSize, inst.lotSize);
    }
    return q;
  }

  /**
   * Fills as much of `o` as the volume cap, reduce-only rule and account allow, at `price`
   * adjusted for slippage (taker fills), rounded to the tick against the trader and clamped
   * into the bar's range.
   */
  private fillAt(o: Order, rawPrice: number, liquidity: 'maker' | 'taker', bar: BrokerBar, index: number, time: number, cap: number, volumeLeft?: { value: number }): void {
    const inst = this.account.instrument(o.symbol);
    const pos = this.account.position(o.symbol);
    if (o.allIn && o.filledQty === 0) {
      o.qty = this.allInQty(o, rawPrice, liquidity === 'maker', bar);
      if (o.qty <= 0) {
        o.rejectReason = o.side === 'buy' ? 'allIn: cash does not afford one lot' : 'allIn: no long position to sell';
        this.emit(o, 'rejected', time, { reason: o.rejectReason });
        return;
      }
    }
    let qty = o.qty - o.filledQty;
    if (o.reduceOnly) {
      const reducible = o.side === 'buy' ? Math.max(0, -pos.qty) : Math.max(0, pos.qty);
      if (reducible <= 0) {
        this.emit(o, 'cancelled', time, { reason: 'reduce-only order would not reduce a position' });
        return;
      }
      qty = Math.min(qty, reducible);
    }
    if (cap !== Infinity) qty = Math.min(qty, roundQty(cap, inst.lotSize));
    if (o.tif === 'FOK' && qty < o.qty - o.filledQty) {
      this.emit(o, 'cancelled', time, { reason: 'FOK: the full quantity could not be filled' });
      return;
    }
    if (qty <= 0) return; // volume exhausted this bar: wait for the next
    const price = this.execPrice(o, rawPrice, qty, liquidity === 'maker', bar);
    const fee = feeFor(inst.fees, qty, price, inst.multiplier, liquidity === 'maker', this.account.tradedNotional);
    const signed = o.side === 'buy' ? qty : -qty;
    const why = this.account.affordability(o.symbol, signed, price, fee);
    if (why) {
      o.rejectReason = why;
      if (o.filledQty > 0) this.emit(o, 'cancelled', time, { reason: why });
      else this.emit(o, 'rejected', time, { reason: why });
      return;
    }
    const fill: Fill = { orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty, price, fee, time, barIndex: index, maker: liquidity === 'maker', tag: o.tag };
    this.account.applyFill(fill);
    o.avgFillPrice = o.filledQty === 0 ? price : (o.avgFillPrice * o.filledQty + price * qty) / (o.filledQty + qty);
    o.filledQty += qty;
    if (volumeLeft && volumeLeft.value !== Infinity) volumeLeft.value -= qty;
    const done = o.qty - o.filledQty <= 1e-12;
    // Status first, then the fill callback: a strategy that cancels this order (or its OCO
    // siblings) from onFill sees it already filled, and cancel() is a no-op on it.
    this.emit(o, done ? 'filled' : 'partiallyFilled', time, { fillQty: qty, fillPrice: price });
    this.listener.onFill(fill);
  }
}

/** First crossing of `level` along the path points; `gap` when the first point is already beyond it. */
function crossing(pts: number[], level: number, dir: 'up' | 'down'): { at: number; gap: boolean } | undefined {
  const beyond = (p: number): boolean => (dir === 'up' ? p >= level : p <= level);
  if (beyond(pts[0]!)) return { at: 0, gap: true };
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k]!, b = pts[k + 1]!;
    if (beyond(b)) return { at: k + Math.abs(level - a) / Math.max(Math.abs(b - a), 1e-300), gap: false };
  }
  return undefined;
}
